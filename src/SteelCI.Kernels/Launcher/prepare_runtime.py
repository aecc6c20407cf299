# SteelCI pinned CUDA runtime (generated; do not edit). A one-off kernel with internet on: it fetches PyTorch's CUDA
# wheel of the libtorch version TorchSharp binds and the CUDA library wheels that wheel requires, keeps only their
# native libraries in /kaggle/working/lib, and writes steelci-runtime.json last (no file: the runtime is unfinished).
# Training kernels mount this kernel's output and load these libraries when the image's torch has drifted (rung b).
import hashlib
import html.parser
import json
import os
import re
import shutil
import sys
import urllib.parse
import urllib.request
import zipfile

SPEC = json.loads(r"""__RUNTIME_JSON__""")
WORKING_DIR = os.environ.get("STEELCI_WORKING_DIR", "/kaggle/working")
SCRATCH_DIR = os.environ.get("STEELCI_SCRATCH_DIR", "/kaggle/temp" if os.path.isdir("/kaggle/temp") else "/tmp")
LIB_DIR = os.path.join(WORKING_DIR, SPEC["lib"])


def log(message):
    print(f"[steelci-runtime] {message}", flush=True)


class Links(html.parser.HTMLParser):
    """The anchors of a PEP 503 simple index page: (file name, absolute URL with its #sha256= fragment)."""

    def __init__(self, base):
        super().__init__()
        self.base = base
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            url = urllib.parse.urljoin(self.base, href)
            name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
            self.links.append((name, url))


def index_links(index, project):
    url = index.rstrip("/") + "/" + re.sub(r"[-_.]+", "-", project).lower() + "/"
    with urllib.request.urlopen(url, timeout=120) as response:
        parser = Links(url)
        parser.feed(response.read().decode("utf-8", "replace"))
    return parser.links


def pick(links, pattern, what):
    python = f"cp{sys.version_info.major}{sys.version_info.minor}"
    matching = [(name, url) for name, url in links if re.fullmatch(pattern, name)]
    if not matching:
        raise SystemExit(f"steelci: no wheel for {what} in the index (wanted {pattern})")
    # The same native libraries ship in every Python's wheel: this interpreter's if there is one, else the first.
    own = [link for link in matching if f"-{python}-" in link[0]]
    return sorted(own or matching)[0]


def download(name, url):
    target = os.path.join(SCRATCH_DIR, "steelci-wheels", name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    expected = urllib.parse.urlsplit(url).fragment.partition("sha256=")[2] or None
    digest = hashlib.sha256()
    with urllib.request.urlopen(url.split("#")[0], timeout=600) as response, open(target + ".part", "wb") as handle:
        while True:
            chunk = response.read(1 << 20)
            if not chunk:
                break
            digest.update(chunk)
            handle.write(chunk)
    if expected and digest.hexdigest() != expected:
        raise SystemExit(f"steelci: {name} does not match the index's sha256 ({digest.hexdigest()} != {expected})")
    os.replace(target + ".part", target)
    log(f"fetched {name} ({os.path.getsize(target):,} bytes, sha256 {digest.hexdigest()[:16]})")
    return target, digest.hexdigest()


def keep_native(wheel, folder_pattern):
    """Copies the wheel's shared libraries in folders matching folder_pattern into lib/ (regular files: outputs keep no links)."""
    kept = 0
    with zipfile.ZipFile(wheel) as archive:
        for entry in archive.infolist():
            folder, _, name = entry.filename.rpartition("/")
            if entry.is_dir() or not re.fullmatch(folder_pattern, folder) or not (name.endswith(".so") or ".so." in name):
                continue
            with archive.open(entry) as source, open(os.path.join(LIB_DIR, name), "wb") as target:
                shutil.copyfileobj(source, target)
            kept += 1
    return kept


def cuda_requirements(wheel):
    """The nvidia-* wheels (name, version) the torch wheel requires on Linux x86_64, from its METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode("utf-8").splitlines()
    wanted = []
    for line in lines:
        match = re.match(r"Requires-Dist:\s*(nvidia-[A-Za-z0-9_.-]+)\s*\(?==\s*([^;\s)]+)\)?\s*(;.*)?$", line)
        if not match:
            continue
        marker = (match.group(3) or "").lower()
        if marker and ("linux" not in marker and "x86_64" not in marker):
            continue
        wanted.append((match.group(1), match.group(2)))
    return wanted


def main():
    libtorch, tag = SPEC["libtorch"], SPEC["cudaTag"]
    log(f"preparing libtorch {libtorch} ({tag}) from {SPEC['torchIndex']} and {SPEC['pypiIndex']}")
    if os.path.exists(os.path.join(WORKING_DIR, "steelci-runtime.json")):
        os.remove(os.path.join(WORKING_DIR, "steelci-runtime.json"))
    os.makedirs(LIB_DIR, exist_ok=True)
    version = re.escape(libtorch)
    name, url = pick(index_links(SPEC["torchIndex"], "torch"),
                     rf"torch-{version}\+{tag}-cp\d+-cp\d+t?-(manylinux[^-]*_x86_64|linux_x86_64)\.whl", f"torch {libtorch}+{tag}")
    torch_wheel, torch_sha = download(name, url)
    wheels = [{"name": name, "sha256": torch_sha}]
    kept = keep_native(torch_wheel, r"torch/lib")
    for project, pinned in cuda_requirements(torch_wheel):
        underscored = re.escape(project.replace("-", "_"))
        name, url = pick(index_links(SPEC["pypiIndex"], project),
                         rf"{underscored}-{re.escape(pinned)}-py3-none-(manylinux[^-]*x86_64[^-]*|linux_x86_64)\.whl", f"{project}=={pinned}")
        wheel, sha = download(name, url)
        wheels.append({"name": name, "sha256": sha})
        kept += keep_native(wheel, r"nvidia/[^/]+/lib")
        os.remove(wheel)
    os.remove(torch_wheel)
    info = {"format": "steelci.runtime/1", "libtorch": libtorch, "torch": f"{libtorch}+{tag}", "cuda": SPEC["cuda"],
            "lib": SPEC["lib"], "libraries": kept, "wheels": wheels}
    with open(os.path.join(WORKING_DIR, "steelci-runtime.json.part"), "w") as handle:
        json.dump(info, handle, indent=2)
    os.replace(os.path.join(WORKING_DIR, "steelci-runtime.json.part"), os.path.join(WORKING_DIR, "steelci-runtime.json"))
    log(f"kept {kept} native libraries from {len(wheels)} wheels in {LIB_DIR}")
    print("STEELCI-END status=complete manifest-sha256=none", flush=True)


if __name__ == "__main__":
    main()
