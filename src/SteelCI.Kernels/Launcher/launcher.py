# SteelCI kernel launcher (generated; do not edit). Kaggle runs Python, so this script starts the C# trainer.
# It holds no secret: the stage configuration below names inputs, never credentials.
import json
import os
import shutil
import subprocess
import sys
import time

STAGE = json.loads(r"""__STAGE_JSON__""")
BUNDLE_MOUNT = "__BUNDLE_MOUNT__"
SESSION_SECONDS = float(os.environ.get("STEELCI_SESSION_SECONDS", "__SESSION_SECONDS__"))
INPUT_ROOT = os.environ.get("STEELCI_INPUT_ROOT", "/kaggle/input")
WORKING_DIR = os.environ.get("STEELCI_WORKING_DIR", "/kaggle/working")
SCRATCH_DIR = os.environ.get("STEELCI_SCRATCH_DIR", "/kaggle/temp" if os.path.isdir("/kaggle/temp") else "/tmp")
STARTED = time.time()
# Mount name -> the dataset slug it is attached as (Kaggle mounts a dataset under its slug); the kaggle backend
# fills this line in, other backends leave it empty.
MOUNT_ALIASES = {}

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
    """An input folder in either layout: /kaggle/input/<name> or /kaggle/input/<kind>/<owner>/<name>."""
    if name in MOUNT_ALIASES:
        name = MOUNT_ALIASES[name]
    direct = os.path.join(INPUT_ROOT, name)
    if os.path.isdir(direct):
        return direct
    for kind in sorted(os.listdir(INPUT_ROOT)) if os.path.isdir(INPUT_ROOT) else []:
        kind_dir = os.path.join(INPUT_ROOT, kind)
        for owner in sorted(os.listdir(kind_dir)) if os.path.isdir(kind_dir) else []:
            candidate = os.path.join(kind_dir, owner, name)
            if os.path.isdir(candidate):
                return candidate
    raise SystemExit(f"steelci: input '{name}' not found under {INPUT_ROOT}")


def prepare_bundle():
    bundle = find_mount(BUNDLE_MOUNT)
    with open(os.path.join(bundle, "steelci-bundle.json")) as handle:
        info = json.load(handle)
    natives = [os.path.join(root, f) for root, _, files in os.walk(bundle) for f in files if f == "libLibTorchSharp.so"]
    needs_fix = not system_libstdcxx_has() and any(_needs_weakening(path) for path in natives)
    if os.access(bundle, os.W_OK) and not needs_fix:
        return bundle, info
    # Read-only mounts lose execute bits and cannot be patched: work on a private copy.
    target = os.path.join(SCRATCH_DIR, "steelci-bundle-" + info["hash"][:12])
    if not os.path.isdir(target):
        log(f"copying the trainer bundle to {target}")
        shutil.copytree(bundle, target + ".partial", dirs_exist_ok=True)
        os.replace(target + ".partial", target)
    for root, _, files in os.walk(target):
        for name in files:
            path = os.path.join(root, name)
            os.chmod(path, os.stat(path).st_mode | 0o755 if name == info.get("apphost") else os.stat(path).st_mode | 0o644)
            if name == "libLibTorchSharp.so" and not system_libstdcxx_has():
                log(f"{path}: weakened {weaken(path)} GLIBCXX_3.4.32 need(s)")
    return target, info


def _needs_weakening(path):
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    return _weaken_in(data, MISSING_VERSION, path) > 0


def trainer_command(bundle, info):
    if info["runtime"] == "self-contained":
        return [os.path.join(bundle, info["apphost"])]
    dotnet = shutil.which("dotnet") or os.path.join(os.environ.get("DOTNET_ROOT", "/usr/share/dotnet"), "dotnet")
    return [dotnet, os.path.join(bundle, info["entry"])]


def main():
    log(f"stage {STAGE['stage']} ({STAGE['entry']}), content key {STAGE['contentKey'][:12]}")
    log_build_stamp()
    bundle, info = prepare_bundle()
    os.makedirs(WORKING_DIR, exist_ok=True)
    config_path = os.path.join(SCRATCH_DIR, f"steelci-stage-{STAGE['contentKey'][:12]}-{os.getpid()}.json")
    with open(config_path, "w") as handle:
        json.dump(STAGE, handle)
    elapsed = time.time() - STARTED
    margin = min(0.1 * SESSION_SECONDS, 900.0)
    time_limit = max(1, int(SESSION_SECONDS - elapsed - margin))
    threads = os.environ.get("STEELCI_THREADS") or str(os.cpu_count() or 1)
    command = trainer_command(bundle, info) + ["--config", config_path, "--output", WORKING_DIR,
                                               "--threads", threads, "--time-limit-seconds", str(time_limit)]
    for item in STAGE["inputs"]:
        command += ["--input", f"{item['name']}={find_mount(item['mount'])}"]
    log(f"running the trainer: {' '.join(command)}")
    code = subprocess.call(command)
    log(f"trainer exited with code {code}")
    # 0 = complete, 3 = partial (checkpoint written): both are successful sessions for Kaggle.
    sys.exit(0 if code in (0, 3) else code)


if __name__ == "__main__":
    main()
