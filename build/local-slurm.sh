#!/usr/bin/env bash
# A throwaway single-node Slurm on this machine for rehearsing `--backend slurm` (the tests start their own,
# tests/SteelCI.Slurm.Tests/LocalSlurm.cs, with the same settings). Needs root and Debian 12's packages:
#   apt-get install -y --no-install-recommends slurmctld slurmd slurmrestd slurm-client slurm-wlm-jwt-plugin munge
# Usage: build/local-slurm.sh start   (prints the export of the token to paste)
#        build/local-slurm.sh stop    (stops every daemon by its pid file and removes the folder)
# Folder /tmp/steelci-slurm, slurmrestd at http://127.0.0.1:6820 (what kernels/severstal/steelci.yml's compute.slurm names).
set -euo pipefail
ROOT=${STEELCI_LOCAL_SLURM:-/tmp/steelci-slurm}
export SLURM_CONF=$ROOT/slurm.conf

stop() {
  [ -d "$ROOT" ] || return 0
  scancel --user=root --full >/dev/null 2>&1 || true
  for name in slurmrestd slurmd slurmctld munged; do
    if [ -f "$ROOT/run/$name.pid" ]; then
      kill "$(cat "$ROOT/run/$name.pid")" 2>/dev/null || true
    fi
  done
  rm -rf "$ROOT"
}

start() {
  for program in munged mungekey slurmctld slurmd slurmrestd scontrol; do
    command -v "$program" >/dev/null || { echo "$program is missing: apt-get install -y --no-install-recommends slurmctld slurmd slurmrestd slurm-client slurm-wlm-jwt-plugin munge" >&2; exit 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "slurmd must run as root" >&2; exit 1; }
  stop
  mkdir -p "$ROOT"/{state,spool,log,run,shared}
  chmod 755 "$ROOT" "$ROOT/shared"
  head -c 32 /dev/urandom >"$ROOT/jwt.key"; chmod 600 "$ROOT/jwt.key"
  mungekey --create --keyfile="$ROOT/munge.key"
  mknod "$ROOT/gpu0" c 1 3   # a fake GPU: gres needs a File= (with Count= alone the node drains)
  cat >"$SLURM_CONF" <<CONF
ClusterName=steelci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$ROOT/run/munge.socket
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$ROOT/jwt.key
CredType=cred/munge
StateSaveLocation=$ROOT/state
SlurmdSpoolDir=$ROOT/spool
SlurmctldPidFile=$ROOT/run/slurmctld.pid
SlurmdPidFile=$ROOT/run/slurmd.pid
SlurmctldLogFile=$ROOT/log/slurmctld.log
SlurmdLogFile=$ROOT/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
MinJobAge=3600
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName=steelci NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$(nproc) RealMemory=1000 Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=steelci Default=YES MaxTime=120 State=UP
CONF
  echo "NodeName=steelci Name=gpu File=$ROOT/gpu0" >"$ROOT/gres.conf"
  munged --socket="$ROOT/run/munge.socket" --key-file="$ROOT/munge.key" --pid-file="$ROOT/run/munged.pid" \
    --log-file="$ROOT/log/munged.log" --seed-file="$ROOT/run/munge.seed" --force
  slurmctld -i          # under its own name: as slurmctld-wlm it skips the JWT plugin
  slurmd -N steelci
  # slurmrestd refuses root; only the v0.0.3x plugins (the slurmdbd ones need accounting)
  SLURM_JWT=daemon setsid slurmrestd -u nobody -g nogroup -a rest_auth/jwt \
    -s openapi/v0.0.36,openapi/v0.0.37,openapi/v0.0.38 127.0.0.1:6820 >"$ROOT/log/slurmrestd.log" 2>&1 &
  echo $! >"$ROOT/run/slurmrestd.pid"
  for _ in $(seq 1 120); do
    scontrol show node steelci 2>/dev/null | grep -q 'State=IDLE' && break
    sleep 0.5
  done
  scontrol show node steelci | grep -q 'State=IDLE' || { echo "the node did not become idle; see $ROOT/log" >&2; exit 1; }
  echo "export SLURM_JWT=$(scontrol token username=root lifespan=86400 | cut -d= -f2)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
