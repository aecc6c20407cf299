# SteelCI kernel launcher (generated; do not edit). Kaggle runs Python, so this script starts the C# trainer.
# It holds no secret: the stage configuration below names inputs, never credentials.
import json
import os
import re
import shutil
import subprocess
import sys
import time

# The kernel's spec (steelci-kernel.json, written once by SteelCI.Kernels.KernelPackager; a backend with accounts
# filled in the owner and the names the inputs are attached as). It is the only part that differs between kernels.
KERNEL = json.loads(r"""__KERNEL_JSON__""")
STAGE = KERNEL["stage"]
BUNDLE_MOUNT = KERNEL["bundleMount"]
DEVICE_RULES = KERNEL["device"]
# The stage's accelerator from the pipeline file: "gpu" needs CUDA on Kaggle, "cpu" may run anywhere.
ACCELERATOR = DEVICE_RULES["accelerator"]
SESSION_SECONDS = float(os.environ.get("STEELCI_SESSION_SECONDS", KERNEL["sessionSeconds"]))
# The margin kept back for saving outputs: min(share of the session, cap) (SteelCI.Contracts.PlatformRules).
MARGIN_SHARE = float(KERNEL["marginShare"])
MARGIN_CAP_SECONDS = float(KERNEL["marginCapSeconds"])
INPUT_ROOT = os.environ.get("STEELCI_INPUT_ROOT", "/kaggle/input")
WORKING_DIR = os.environ.get("STEELCI_WORKING_DIR", "/kaggle/working")
SCRATCH_DIR = os.environ.get("STEELCI_SCRATCH_DIR", "/kaggle/temp" if os.path.isdir("/kaggle/temp") else "/tmp")
STARTED = time.time()
# Mount name -> the name it is attached as (Kaggle mounts a dataset under its slug; elsewhere the mount name itself).
MOUNT_ALIASES = {mount["name"]: mount["attachedAs"] for mount in KERNEL["mounts"]}

# ---- glibcxx_fix.py (inlined) ----
__GLIBCXX_FIX__
# ---- end of glibcxx_fix.py ----


def log(message):
    print(f"[steelci-launcher] {message}", flush=True)


def log_build_stamp():
    for path in ("/etc/git_commit", "/etc/build_date"):
        if os.path.exists(path):
            with open(path) as handle:
                log(f"{path}: {handle.read().strip()}")
    log(f"python {sys.version.split()[0]} at {sys.executable}")


def find_mount(name):
    """An input folder in any layout: /kaggle/input/<name>, /kaggle/input/<kind>/<name> or /kaggle/input/<kind>/<owner>/<name>."""
    if name in MOUNT_ALIASES:
        name = MOUNT_ALIASES[name]
    direct = os.path.join(INPUT_ROOT, name)
    if os.path.isdir(direct):
        return direct
    for kind in sorted(os.listdir(INPUT_ROOT)) if os.path.isdir(INPUT_ROOT) else []:
        kind_dir = os.path.join(INPUT_ROOT, kind)
        if os.path.isdir(os.path.join(kind_dir, name)):  # /kaggle/input/competitions/<slug>
            return os.path.join(kind_dir, name)
        for owner in sorted(os.listdir(kind_dir)) if os.path.isdir(kind_dir) else []:
            candidate = os.path.join(kind_dir, owner, name)
            if os.path.isdir(candidate):
                return candidate
    raise SystemExit(f"steelci: input '{name}' not found under {INPUT_ROOT}")


def read_bundle_info():
    bundle = find_mount(BUNDLE_MOUNT)
    with open(os.path.join(bundle, "steelci-bundle.json")) as handle:
        return bundle, json.load(handle)


def prepare_bundle(bundle, info, torch_lib=None):
    """The bundle folder to run from. With torch_lib (CUDA through the image's torch), a private copy without the
    bundle's own copies of the libraries torch_lib holds, so only the image's libtorch is ever loaded."""
    natives = [os.path.join(root, f) for root, _, files in os.walk(bundle) for f in files if f == "libLibTorchSharp.so"]
    needs_fix = not system_libstdcxx_has() and any(_needs_weakening(path) for path in natives)
    apphost = os.path.join(bundle, info.get("apphost") or "")
    runnable = info.get("runtime") != "self-contained" or os.access(apphost, os.X_OK)
    if os.access(bundle, os.W_OK) and runnable and not needs_fix and torch_lib is None:
        return bundle
    # Read-only mounts lose execute bits (Kaggle's datasets keep none) and cannot be patched: work on a private copy.
    suffix = "-cuda" if torch_lib else ""
    target = os.path.join(SCRATCH_DIR, "steelci-bundle-" + info["hash"][:12] + suffix)
    if not os.path.isdir(target):
        log(f"copying the trainer bundle to {target}")
        shutil.copytree(bundle, target + ".partial", dirs_exist_ok=True)
        os.replace(target + ".partial", target)
    shadowed = set(os.listdir(torch_lib)) if torch_lib else set()
    # Kaggle unpacks the bundle's zip without modes: the files that were executable when published become so again.
    executables = set(info.get("executables") or []) | {info.get("apphost") or ""}
    restored = 0
    for root, _, files in os.walk(target):
        for name in files:
            path = os.path.join(root, name)
            if name in shadowed and (name.endswith(".so") or ".so." in name):
                os.remove(path)  # the image's copy (same soname) is loaded instead
                log(f"using {os.path.join(torch_lib, name)} instead of the bundle's {name}")
                continue
            relative = os.path.relpath(path, target).replace(os.sep, "/")
            if relative in executables:
                if not os.stat(path).st_mode & 0o111:
                    restored += 1
                os.chmod(path, os.stat(path).st_mode | 0o755)
            else:
                os.chmod(path, os.stat(path).st_mode | 0o644)
            if name == "libLibTorchSharp.so" and not system_libstdcxx_has():
                log(f"{path}: weakened {weaken(path)} GLIBCXX_3.4.32 need(s)")
    if restored:
        log(f"restored the execute bit of {restored} file(s) of the bundle")
    return target


# ---- device choice ----
# Run in a child interpreter, so the launcher itself never holds torch or a CUDA context.
TORCH_PROBE = r"""
import json, os, sys
try:
    import torch
except Exception as error:
    print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
    sys.exit(0)
info = {"version": str(getattr(torch, "__version__", "")), "lib": os.path.join(os.path.dirname(torch.__file__), "lib")}
try:
    info["cuda"] = torch.version.cuda
except Exception:
    info["cuda"] = None
try:
    info["gpus"] = torch.cuda.device_count() if torch.cuda.is_available() else 0
    info["names"] = [torch.cuda.get_device_name(i) for i in range(info["gpus"])]
except Exception as error:
    info["gpus"] = 0
    info["error"] = f"{type(error).__name__}: {error}"
print(json.dumps(info))
"""


def probe_torch(python=None):
    """What the image's torch (or that of the Python named) offers: version, CUDA version, GPU count, its lib folder; or an error."""
    try:
        result = subprocess.run([python or sys.executable, "-c", TORCH_PROBE], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"error": str(error)}
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"the torch probe failed (exit {result.returncode}): {tail}"}
    return json.loads(lines[-1])


def bundle_libtorch_version(bundle, info):
    """The libtorch version TorchSharp binds: the spec's device rules, else the bundle (steelci-bundle.json or deps.json)."""
    if DEVICE_RULES.get("libtorch"):
        return DEVICE_RULES["libtorch"]
    if info.get("libtorch"):
        return info["libtorch"]
    for name in sorted(os.listdir(bundle)):
        if name.endswith(".deps.json"):
            with open(os.path.join(bundle, name)) as handle:
                libraries = json.load(handle).get("libraries", {})
            for key in sorted(libraries):
                package, _, version = key.partition("/")
                if package.lower().startswith("libtorch-") and version:
                    return version
    return None


def probe_configured(path):
    """A CUDA libtorch configured on the cluster (DEVICE_RULES.libtorchPath, compute.slurm.libtorch): a Python executable
    whose torch is probed like the image's, or a libtorch folder as PyTorch ships it (build-version, lib/)."""
    if os.path.isfile(path):
        if not os.access(path, os.X_OK):
            return {"error": f"{path} is a file but not an executable Python"}
        return probe_torch(path)
    if not os.path.isdir(path):
        return {"error": f"{path} does not exist on this node"}
    version_file = os.path.join(path, "build-version")
    if not os.path.isfile(version_file):
        return {"error": f"{path} has no build-version file (not a libtorch folder; or name a Python whose torch to use)"}
    with open(version_file) as handle:
        version = handle.read().strip()
    lib = os.path.join(path, "lib")
    tag = version.partition("+")[2]
    cuda = None
    if os.path.isfile(os.path.join(lib, "libtorch_cuda.so")):
        cuda = f"{tag[2:-1]}.{tag[-1]}" if re.fullmatch(r"cu\d{3,}", tag) else (tag or "yes")
    gpus = visible_gpus(None)
    return {"version": version, "lib": lib, "cuda": cuda, "gpus": len(gpus), "names": gpus}


def torch_matches(torch_version, libtorch_version):
    """torch 2.10.0+cu128 matches libtorch 2.10.0 (or 2.10.0.1): the same major.minor.patch."""
    if not torch_version or not libtorch_version:
        return False
    wanted = libtorch_version.split(".")[:3]
    have = torch_version.split("+")[0].split(".")[:3]
    return len(wanted) == 3 and have == wanted


def on_kaggle():
    """True inside a real Kaggle session; the local backend and the fake set STEELCI_INPUT_ROOT instead."""
    return "STEELCI_INPUT_ROOT" not in os.environ or bool(os.environ.get("KAGGLE_KERNEL_RUN_TYPE"))


def find_runtime():
    """The pinned CUDA runtime (a kernel's output mounted as DEVICE_RULES.runtimeMount): its steelci-runtime.json with
    "path" and "lib" added; None when the kernel has none attached; {"error": ...} when it is attached but unreadable."""
    mount = DEVICE_RULES.get("runtimeMount")
    if not mount:
        return None
    try:
        path = find_mount(mount)
    except SystemExit as missing:
        return {"error": str(missing)}
    info_path = os.path.join(path, "steelci-runtime.json")
    if not os.path.isfile(info_path):
        return {"error": f"{path} has no steelci-runtime.json (the runtime kernel did not finish)"}
    with open(info_path) as handle:
        info = json.load(handle)
    info["path"] = path
    info["lib"] = os.path.join(path, info.get("lib") or "lib")
    return info


def visible_gpus(probe):
    """GPU names: from the image's torch when it imports with CUDA, else from nvidia-smi -L (torch may be absent)."""
    if probe and probe.get("gpus"):
        return probe.get("names") or ["GPU"] * probe["gpus"]
    smi = shutil.which("nvidia-smi")
    if not smi:
        return []
    try:
        result = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split(":", 1)[1].split("(")[0].strip() for line in result.stdout.splitlines() if line.startswith("GPU ")]


class DeviceError(Exception):
    pass


def image_torch_problem(probe, libtorch_version, source="the image's torch"):
    """Why rung (a), the image's own torch (or the source named), cannot serve; None when it can."""
    version = probe.get("version")
    if "error" in probe and not version:
        return f"{source} cannot be used ({probe['error']})" if source != "the image's torch" else f"the image's torch cannot be imported ({probe['error']})"
    if not torch_matches(version, libtorch_version):
        return f"{source} is {version}, but TorchSharp binds libtorch {libtorch_version or 'unknown'}"
    if not probe.get("cuda"):
        return f"{source} {version} is a CPU build (no CUDA libraries)"
    if not probe.get("gpus"):
        return f"torch {version} (CUDA {probe['cuda']}) sees no GPU" + (f": {probe['error']}" if probe.get("error") else "")
    return None


def choose_device(accelerator, libtorch_version, probe, kaggle, runtime=None, gpus=None, source="the image's torch",
                  cpu_fallback=None, hints=None):
    """(device, CUDA lib folder or None, rung, reason) by the ladder: (a) the image's torch (on a cluster: the configured
    libtorch, else the node's torch) when its version is the libtorch TorchSharp binds; (b) the pinned CUDA runtime when
    it holds that version and a GPU is visible; (c) the CPU when the stage allows it (accelerator cpu; cpu_fallback;
    unset, a rehearsal off Kaggle); (d) DeviceError naming the versions and the fixes in hints (platform-specific)."""
    hints = hints or {}
    if accelerator != "gpu":
        return "cpu", None, "c", "the stage's accelerator is cpu"
    if probe is None:
        why = "torch was not probed"
    else:
        why = image_torch_problem(probe, libtorch_version, source)
        if why is None:
            names = ", ".join(probe.get("names") or [])
            return "cuda", probe["lib"], "a", f"torch {probe['version']} (CUDA {probe['cuda']}) matches libtorch {libtorch_version}; {probe['gpus']} GPU(s) {names}".rstrip()
    gpus = visible_gpus(probe) if gpus is None else gpus
    if runtime is None:
        pinned = "no pinned CUDA runtime is attached (" + hints.get("runtime", "run `steelci kaggle runtime` for this account") + ")"
    elif "error" in runtime:
        pinned = f"the pinned CUDA runtime cannot be used: {runtime['error']}"
    elif not torch_matches(runtime.get("torch") or runtime.get("libtorch"), libtorch_version):
        pinned = f"the pinned CUDA runtime holds libtorch {runtime.get('libtorch')}, not {libtorch_version or 'unknown'}"
    elif not gpus:
        pinned = f"the pinned CUDA runtime (libtorch {runtime.get('libtorch')}, CUDA {runtime.get('cuda')}) is attached, but no GPU is visible"
    else:
        return "cuda", runtime["lib"], "b", (f"the pinned CUDA runtime: libtorch {runtime.get('libtorch')} (CUDA {runtime.get('cuda')}) "
                                              f"matches libtorch {libtorch_version} ({why}); {len(gpus)} GPU(s) {', '.join(gpus)}")
    if cpu_fallback:
        return "cpu", None, "c", f"{hints.get('fallback', 'cpu_fallback is on')}, so this gpu stage runs on the CPU ({why}; {pinned})"
    if cpu_fallback is None and not kaggle:
        return "cpu", None, "c", f"not on Kaggle, so this gpu stage runs on the CPU here ({why}; {pinned})"
    raise DeviceError(f"stage {STAGE['stage']} needs a GPU (accelerator: gpu) but cannot use one: {why}; {pinned}. "
                      f"TorchSharp binds libtorch {libtorch_version or 'unknown'} (CUDA {DEVICE_RULES.get('cuda')}); {source} is "
                      f"{(probe or {}).get('version') or 'missing'}. " + hints.get("fixes",
                      "Prepare the pinned runtime (`steelci kaggle runtime`), update TorchSharp to match the image, or set "
                      "accelerator: cpu for this stage to allow the CPU; check the kernel's machine (T4 x2)."))
# ---- end of device choice ----


def _needs_weakening(path):
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    return _weaken_in(data, MISSING_VERSION, path) > 0


def trainer_command(bundle, info):
    if info["runtime"] == "self-contained":
        return [os.path.join(bundle, info["apphost"])]
    dotnet = shutil.which("dotnet") or os.path.join(os.environ.get("DOTNET_ROOT", "/usr/share/dotnet"), "dotnet")
    return [dotnet, os.path.join(bundle, info["entry"])]


def decide(libtorch):
    """The ladder for this kernel: what to probe for rung (a) (DEVICE_RULES.libtorchPath, else this Python's torch) and
    the platform's wording (DEVICE_RULES.hints), then choose_device."""
    gpu = ACCELERATOR == "gpu"
    configured = DEVICE_RULES.get("libtorchPath")
    hints = DEVICE_RULES.get("hints") or {}
    if configured:
        source = f"{hints.get('libtorchField', 'the configured libtorch')} {configured}"
        probe = probe_configured(configured) if gpu else None
    else:
        source = hints.get("torchSource", "the image's torch")
        probe = probe_torch() if gpu else None
    gpus = None
    if os.environ.get("STEELCI_ASSUME_GPU") == "1":
        # `steelci doctor` on a login node without GPUs: the rung a job would take once its gres gives it one.
        gpus = ["a GPU of the job's gres (assumed)"]
        if probe and probe.get("cuda") and not probe.get("gpus"):
            probe = dict(probe, gpus=1, names=gpus)
            probe.pop("error", None)
    return choose_device(ACCELERATOR, libtorch, probe, on_kaggle(), find_runtime() if gpu else None, gpus=gpus, source=source,
                         cpu_fallback=DEVICE_RULES.get("cpuFallback"), hints=hints)


def report_device():
    """`launcher --device`: the rung this kernel would take here, as one JSON line; the trainer is not started."""
    libtorch = DEVICE_RULES.get("libtorch")
    if not libtorch:
        bundle, info = read_bundle_info()
        libtorch = bundle_libtorch_version(bundle, info)
    try:
        device, lib, rung, reason = decide(libtorch)
        print(json.dumps({"device": device, "lib": lib, "rung": rung, "reason": reason}), flush=True)
    except DeviceError as error:
        print(json.dumps({"device": None, "rung": "d", "reason": str(error)}), flush=True)


def main():
    if sys.argv[1:] == ["--device"]:
        report_device()
        return
    log(f"stage {STAGE['stage']} ({STAGE['entry']}), content key {STAGE['contentKey'][:12]}")
    log_build_stamp()
    bundle, info = read_bundle_info()
    libtorch = bundle_libtorch_version(bundle, info)
    try:
        device, torch_lib, rung, reason = decide(libtorch)
    except DeviceError as error:
        log(str(error))
        print("STEELCI-END status=failed manifest-sha256=none", flush=True)
        sys.exit(2)  # deterministic for this image: retrying the same kernel would fail the same way
    log(f"device {device} (rung {rung}): {reason}")
    bundle = prepare_bundle(bundle, info, torch_lib)
    env = dict(os.environ)
    env["STEELCI_DEVICE"] = device
    if torch_lib:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in [torch_lib, env.get("LD_LIBRARY_PATH", "")] if p)
    os.makedirs(WORKING_DIR, exist_ok=True)
    config_path = os.path.join(SCRATCH_DIR, f"steelci-stage-{STAGE['contentKey'][:12]}-{os.getpid()}.json")
    with open(config_path, "w") as handle:
        json.dump(STAGE, handle)
    elapsed = time.time() - STARTED
    margin = min(MARGIN_SHARE * SESSION_SECONDS, MARGIN_CAP_SECONDS)
    time_limit = max(1, int(SESSION_SECONDS - elapsed - margin))
    threads = os.environ.get("STEELCI_THREADS") or str(os.cpu_count() or 1)
    command = trainer_command(bundle, info) + ["--config", config_path, "--output", WORKING_DIR,
                                               "--threads", threads, "--time-limit-seconds", str(time_limit)]
    for item in STAGE["inputs"]:
        command += ["--input", f"{item['name']}={find_mount(item['mount'])}"]
    log(f"running the trainer: {' '.join(command)}")
    code = subprocess.call(command, env=env)
    log(f"trainer exited with code {code}")
    # 0 = complete, 3 = partial (checkpoint written): both are successful sessions for Kaggle.
    sys.exit(0 if code in (0, 3) else code)


if __name__ == "__main__":
    main()
