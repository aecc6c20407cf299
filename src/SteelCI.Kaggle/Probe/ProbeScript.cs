namespace SteelCI.Kaggle.Probe;

/// <summary>
/// The probe kernel: a small generated Python script (no trainer) that reports, as JSON, what the launcher relies on:
/// OS release and image build stamp, libstdc++'s GLIBCXX versions, python, torch and CUDA (torch imported in a child
/// interpreter, guarded), <c>nvidia-smi -L</c>, the <c>/kaggle/input</c> mount layout, whether an input keeps its
/// execute bits, and free disk in the working and temporary folders. It writes <see cref="ResultFile"/> into the
/// working folder (a kernel output) and prints the same JSON after <see cref="LogMarker"/>, so the log alone suffices.
/// </summary>
public static class ProbeScript
{
    public const string CodeFile = "steelci_probe.py";
    public const string ResultFile = "steelci-probe.json";
    public const string LogMarker = "STEELCI-PROBE-JSON ";
    /// <summary>The probe's one input (a tiny dataset) and the executable file in it.</summary>
    public const string InputMount = "probe-input";
    public const string ExecutableFile = "steelci-probe-exec.sh";
    public const int Version = 1;

    public static string Generate() => Template;

    /// <summary>Writes the probe's input folder: an executable shell script (mode 755) and a file in a subfolder.</summary>
    public static void WriteInput(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "nested"));
        var script = Path.Combine(directory, ExecutableFile);
        File.WriteAllText(script, "#!/bin/sh\necho steelci-probe-exec-ok\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllText(Path.Combine(directory, "nested", "marker.txt"), "steelci probe input\n");
    }

    private const string Template = """"
        # SteelCI probe kernel (generated; do not edit): reports what the SteelCI launcher relies on, as JSON.
        # It holds no secret and runs no trainer.
        import json
        import os
        import platform
        import re
        import shutil
        import subprocess
        import sys
        import time

        PROBE_VERSION = 1
        INPUT_ROOT = os.environ.get("STEELCI_INPUT_ROOT", "/kaggle/input")
        WORKING_DIR = os.environ.get("STEELCI_WORKING_DIR", "/kaggle/working")
        TEMP_DIR = os.environ.get("STEELCI_SCRATCH_DIR", "/kaggle/temp")
        INPUT_MOUNT = "probe-input"
        EXECUTABLE = "steelci-probe-exec.sh"


        def guarded(function):
            try:
                return function()
            except Exception as error:
                return {"error": f"{type(error).__name__}: {error}"}


        def read(path):
            with open(path) as handle:
                return handle.read().strip()


        def os_info():
            release = {}
            if os.path.exists("/etc/os-release"):
                for line in read("/etc/os-release").splitlines():
                    key, _, value = line.partition("=")
                    release[key] = value.strip().strip('"')
            stamp = {}
            for path in ("/etc/git_commit", "/etc/build_date"):
                if os.path.exists(path):
                    stamp[os.path.basename(path)] = read(path)[:80]
            memory = None
            if os.path.exists("/proc/meminfo"):
                for line in read("/proc/meminfo").splitlines():
                    if line.startswith("MemTotal:"):
                        memory = int(line.split()[1]) * 1024
            return {
                "pretty_name": release.get("PRETTY_NAME") or platform.platform(),
                "kernel": platform.release(),
                "machine": platform.machine(),
                "glibc": "-".join(platform.libc_ver()),
                "cpus": os.cpu_count(),
                "memory_bytes": memory,
                "build_stamp": stamp,
                "on_kaggle": bool(os.environ.get("KAGGLE_KERNEL_RUN_TYPE")) or "STEELCI_INPUT_ROOT" not in os.environ,
            }


        def libstdcxx():
            candidates = []
            try:
                listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=60).stdout
                candidates = [line.split("=>")[-1].strip() for line in listing.splitlines()
                              if "libstdc++.so.6" in line and ("x86-64" in line or "64bit" in line)]
            except (OSError, subprocess.TimeoutExpired):
                pass
            candidates += ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib64/libstdc++.so.6"]
            for path in candidates:
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                versions = sorted({m.decode() for m in re.findall(rb"GLIBCXX_(\d+\.\d+(?:\.\d+)?)", data)},
                                  key=lambda v: tuple(int(p) for p in v.split(".")))
                return {
                    "path": os.path.realpath(path),
                    "max": versions[-1] if versions else None,
                    "has_3_4_30": "3.4.30" in versions,
                    "has_3_4_32": "3.4.32" in versions,
                }
            return {"error": "no libstdc++.so.6 found"}


        TORCH_PROBE = r'''
        import json, os, sys
        try:
            import torch
        except Exception as error:
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
            sys.exit(0)
        info = {"version": str(getattr(torch, "__version__", "")), "lib": os.path.join(os.path.dirname(torch.__file__), "lib")}
        try:
            info["cuda"] = torch.version.cuda
            info["cudnn"] = torch.backends.cudnn.version()
        except Exception:
            info["cuda"] = None
        try:
            info["cuda_available"] = bool(torch.cuda.is_available())
            info["gpus"] = torch.cuda.device_count() if info["cuda_available"] else 0
            info["names"] = [torch.cuda.get_device_name(i) for i in range(info["gpus"])]
        except Exception as error:
            info["gpus"] = 0
            info["error"] = f"{type(error).__name__}: {error}"
        print(json.dumps(info))
        '''


        def torch_info():
            """The image's torch, imported in a child interpreter so a broken CUDA setup cannot take the probe down."""
            try:
                result = subprocess.run([sys.executable, "-c", TORCH_PROBE], capture_output=True, text=True, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as error:
                return {"error": str(error)}
            lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
            if not lines:
                tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
                return {"error": f"exit {result.returncode}: {tail}"}
            return json.loads(lines[-1])


        def nvidia_smi():
            path = shutil.which("nvidia-smi")
            if not path:
                return {"present": False}
            try:
                result = subprocess.run([path, "-L"], capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as error:
                return {"present": True, "error": str(error)}
            return {"present": True, "exit": result.returncode,
                    "gpus": [line.strip() for line in result.stdout.splitlines() if line.strip()],
                    "error": result.stderr.strip()[-200:] or None}


        def find_input(name):
            """(path, layout) of an input in either layout: /kaggle/input/<slug> or /kaggle/input/<kind>/<owner>/<slug>. The
            probe is a plain script (no kernel spec), so it knows its input by the content-addressed slug's prefix."""
            prefix = "steelci-" + name + "-"
            roots = sorted(os.listdir(INPUT_ROOT)) if os.path.isdir(INPUT_ROOT) else []
            for slug in roots:
                if slug.startswith(prefix) and os.path.isdir(os.path.join(INPUT_ROOT, slug)):
                    return os.path.join(INPUT_ROOT, slug), "flat"
            for kind in roots:
                kind_dir = os.path.join(INPUT_ROOT, kind)
                for owner in sorted(os.listdir(kind_dir)) if os.path.isdir(kind_dir) else []:
                    owner_dir = os.path.join(kind_dir, owner)
                    for slug in sorted(os.listdir(owner_dir)) if os.path.isdir(owner_dir) else []:
                        if slug.startswith(prefix) and os.path.isdir(os.path.join(owner_dir, slug)):
                            return os.path.join(owner_dir, slug), "nested"
            return None, None


        def inputs():
            tree = []
            if os.path.isdir(INPUT_ROOT):
                for root, dirs, files in os.walk(INPUT_ROOT, followlinks=True):
                    rel = os.path.relpath(root, INPUT_ROOT)
                    depth = 0 if rel == "." else rel.count(os.sep) + 1
                    if depth >= 3:
                        dirs[:] = []
                    dirs.sort()
                    tree.append(("./" if rel == "." else rel + "/") + f" ({len(files)} files)")
                    if len(tree) >= 40:
                        break
            path, layout = find_input(INPUT_MOUNT)
            result = {"root": INPUT_ROOT, "root_exists": os.path.isdir(INPUT_ROOT), "tree": tree, "layout": layout,
                      "probe_input": os.path.relpath(path, INPUT_ROOT) if path else None}
            if path:
                result["writable"] = os.access(path, os.W_OK)
                script = os.path.join(path, EXECUTABLE)
                if os.path.exists(script):
                    mode = os.stat(script).st_mode & 0o777
                    result["exec_mode"] = oct(mode)
                    result["exec_bits_kept"] = bool(mode & 0o111)
                    try:
                        ran = subprocess.run([script], capture_output=True, text=True, timeout=60)
                        result["exec_runs"] = ran.returncode == 0 and "steelci-probe-exec-ok" in ran.stdout
                    except (OSError, subprocess.TimeoutExpired) as error:
                        result["exec_runs"] = False
                        result["exec_error"] = f"{type(error).__name__}: {error}"
                else:
                    result["exec_mode"] = None
                    result["exec_bits_kept"] = None
                    result["exec_error"] = f"{EXECUTABLE} missing from the input"
            return result


        def find_prefixed(prefix):
            """Input folders whose name starts with prefix, in either layout (flat, or <kind>/<owner>/<name>)."""
            found = []
            roots = sorted(os.listdir(INPUT_ROOT)) if os.path.isdir(INPUT_ROOT) else []
            for name in roots:
                path = os.path.join(INPUT_ROOT, name)
                if name.startswith(prefix) and os.path.isdir(path):
                    found.append(path)
                for owner in sorted(os.listdir(path)) if os.path.isdir(path) and not name.startswith("steelci-") else []:
                    owner_dir = os.path.join(path, owner)
                    for slug in sorted(os.listdir(owner_dir)) if os.path.isdir(owner_dir) else []:
                        if slug.startswith(prefix) and os.path.isdir(os.path.join(owner_dir, slug)):
                            found.append(os.path.join(owner_dir, slug))
            return found


        def pinned_runtime():
            """The pinned CUDA runtime kernel's output, when the account has one (attached as a kernel source)."""
            for path in find_prefixed("steelci-libtorch-"):
                info_path = os.path.join(path, "steelci-runtime.json")
                if not os.path.isfile(info_path):
                    return {"attached": True, "path": path, "error": "no steelci-runtime.json (the runtime kernel did not finish)"}
                with open(info_path) as handle:
                    info = json.load(handle)
                lib = os.path.join(path, info.get("lib") or "lib")
                return {"attached": True, "path": path, "libtorch": info.get("libtorch"), "cuda": info.get("cuda"), "lib": lib,
                        "libraries": len(os.listdir(lib)) if os.path.isdir(lib) else 0}
            return {"attached": False}


        SHIM_CHECK = r"""
        import ctypes, json, os, sys
        lib, shim = sys.argv[1], sys.argv[2]
        loaded = []
        try:
            for name in ("libc10.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"):
                if os.path.exists(os.path.join(lib, name)):
                    ctypes.CDLL(os.path.join(lib, name), mode=ctypes.RTLD_GLOBAL)
                    loaded.append(name)
            if shim:
                ctypes.CDLL(shim, mode=ctypes.RTLD_GLOBAL)
                loaded.append(os.path.basename(shim))
            print(json.dumps({"ok": True, "loaded": loaded}))
        except OSError as error:
            print(json.dumps({"ok": False, "loaded": loaded, "error": str(error)[-300:]}))
        """


        def shim_loads(runtime, torch):
            """Whether TorchSharp's native shim (libLibTorchSharp.so from an attached trainer bundle) loads against each
            CUDA libtorch the launcher could use: the pinned runtime's lib/ (rung b), the image's torch/lib (rung a)."""
            shims = [os.path.join(root, name) for bundle in find_prefixed("steelci-trainer-")
                     for root, _, files in os.walk(bundle) for name in files if name == "libLibTorchSharp.so"]
            checks = {}
            for rung, lib in (("b", (runtime or {}).get("lib")), ("a", (torch or {}).get("lib"))):
                if not lib or not os.path.isdir(lib):
                    continue
                env = dict(os.environ)
                env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in [lib, env.get("LD_LIBRARY_PATH", "")] if p)
                try:
                    ran = subprocess.run([sys.executable, "-c", SHIM_CHECK, lib, shims[0] if shims else ""], env=env,
                                         capture_output=True, text=True, timeout=300)
                    lines = [line for line in ran.stdout.splitlines() if line.startswith("{")]
                    checks[rung] = json.loads(lines[-1]) if lines else {"ok": False, "error": (ran.stderr.strip().splitlines() or ["no output"])[-1]}
                except (OSError, subprocess.TimeoutExpired) as error:
                    checks[rung] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
                checks[rung]["lib"] = lib
            return {"shim": shims[0] if shims else None, "checks": checks}


        def disk(path):
            if not os.path.isdir(path):
                return {"path": path, "exists": False}
            usage = shutil.disk_usage(path)
            return {"path": path, "exists": True, "free_bytes": usage.free, "total_bytes": usage.total,
                    "writable": os.access(path, os.W_OK)}


        def main():
            started = time.time()
            report = {
                "probe_version": PROBE_VERSION,
                "os": guarded(os_info),
                "libstdcxx": guarded(libstdcxx),
                "python": {"version": sys.version.split()[0], "executable": sys.executable},
                "torch": guarded(torch_info),
                "nvidia_smi": guarded(nvidia_smi),
                "input": guarded(inputs),
                "runtime": guarded(pinned_runtime),
                "disk": {"working": guarded(lambda: disk(WORKING_DIR)), "temp": guarded(lambda: disk(TEMP_DIR))},
            }
            report["shim"] = guarded(lambda: shim_loads(report["runtime"], report["torch"]))
            report["seconds"] = round(time.time() - started, 2)
            text = json.dumps(report, sort_keys=True)
            os.makedirs(WORKING_DIR, exist_ok=True)
            with open(os.path.join(WORKING_DIR, "steelci-probe.json"), "w") as handle:
                handle.write(text)
            print(json.dumps(report, indent=2, sort_keys=True), flush=True)
            print("STEELCI-PROBE-JSON " + text, flush=True)


        if __name__ == "__main__":
            main()
        """";
}
