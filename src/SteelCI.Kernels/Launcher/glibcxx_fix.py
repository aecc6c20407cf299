#!/usr/bin/env python3
"""Make TorchSharp's libLibTorchSharp.so load on machines whose libstdc++ stops before GLIBCXX_3.4.32.

libLibTorchSharp.so (TorchSharp 0.107) was linked with GCC 13 and declares a need for GLIBCXX_3.4.32.
The only symbol it takes from that version is std::ios_base_library_init(), a link-time marker that is
never called. Debian 12, Ubuntu 22.04 and Kaggle's image ship GLIBCXX_3.4.30 at most, so the loader
refuses the library. Marking that one version need as weak (VER_FLG_WEAK in .gnu.version_r) lets it load.

Used in three places, always on a copy that the application loads (never the NuGet cache):
  * the build (Directory.Build.targets), on the output folder, when this machine needs it;
  * kernel bundles, always, because Kaggle's image needs it;
  * the generated Kaggle launcher, at run time, when the bundle was not patched.

Usage: glibcxx_fix.py [--always] FILE...
Exit code 0 when every file loads on this machine afterwards (patched or not needed), 2 on bad input.
"""
import os
import shutil
import struct
import subprocess
import sys

MISSING_VERSION = b"GLIBCXX_3.4.32"
SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def system_libstdcxx_has(version=MISSING_VERSION):
    """True when the libstdc++ the dynamic loader would pick defines `version`."""
    for path in _libstdcxx_candidates():
        try:
            with open(path, "rb") as handle:
                return version in handle.read()
        except OSError:
            continue
    return False


def _libstdcxx_candidates():
    try:
        listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    except OSError:
        listing = ""
    found = [line.split("=>")[-1].strip() for line in listing.splitlines()
             if "libstdc++.so.6" in line and "x86-64" in line]
    return found + ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib64/libstdc++.so.6"]


def weaken(path, version=MISSING_VERSION):
    """Set VER_FLG_WEAK on every need of `version` in the ELF file at `path`.

    Returns the number of entries changed (0 when already weak or not needed).
    Raises ValueError with the file name when the file is not a 64-bit little-endian ELF.
    """
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    changed = _weaken_in(data, version, path)
    if changed:
        # Write a new file and rename it over the old name: a hard link into a package cache stays untouched,
        # and a reader never sees a half-written library.
        temp = f"{path}.glibcxx-fix.tmp"
        with open(temp, "wb") as handle:
            handle.write(data)
        shutil.copymode(path, temp)
        os.replace(temp, path)
    return changed


def _weaken_in(data, version, path):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{path}: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    changed = 0
    for sh in sections:
        if sh[1] != SHT_GNU_VERNEED:
            continue
        offset, link, count = sh[4], sh[6], sh[7]
        strtab = sections[link][4]
        need = offset
        for _ in range(count):
            _, cnt, _, aux, nxt = struct.unpack_from("<HHIII", data, need)
            entry = need + aux
            for _ in range(cnt):
                _, flags, _, name, aux_next = struct.unpack_from("<IHHII", data, entry)
                end = data.index(b"\0", strtab + name)
                if bytes(data[strtab + name:end]) == version and not flags & VER_FLG_WEAK:
                    struct.pack_into("<H", data, entry + 4, flags | VER_FLG_WEAK)
                    changed += 1
                entry += aux_next
                if aux_next == 0:
                    break
            need += nxt
            if nxt == 0:
                break
    return changed


def main(argv):
    always = "--always" in argv
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        print("usage: glibcxx_fix.py [--always] FILE...", file=sys.stderr)
        return 2
    if not always and system_libstdcxx_has():
        print("glibcxx-fix: this machine's libstdc++ has GLIBCXX_3.4.32; nothing to do")
        return 0
    for path in files:
        try:
            changed = weaken(path)
        except (OSError, ValueError, struct.error) as error:
            print(f"glibcxx-fix: {path}: {error}", file=sys.stderr)
            return 2
        print(f"glibcxx-fix: {path}: {'weakened GLIBCXX_3.4.32' if changed else 'already loadable'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
