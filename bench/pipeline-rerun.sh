#!/usr/bin/env bash
# Times the Severstal pipeline on this machine twice in a fresh workspace: the first run trains every stage,
# the second should reuse every release. Prints both wall times and their ratio.
# Usage: bench/pipeline-rerun.sh [profile]   (default: demo)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-demo}"
workspace="$(mktemp -d)/ws"
dotnet build src/SteelCI.Cli -c Release -v:q -nologo >/dev/null
steelci=(dotnet src/SteelCI.Cli/bin/Release/net10.0/steelci.dll run kernels/severstal/steelci.yml --profile "$profile" --workspace "$workspace")

mkdir -p "$workspace"
start=$(date +%s%N); "${steelci[@]}" >"$workspace.first.log" 2>&1; first=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N); "${steelci[@]}" >"$workspace.second.log" 2>&1; second=$(( ($(date +%s%N) - start) / 1000000 ))
reused=$(grep -c "reused release" "$workspace.second.log" || true)

awk -v p="$profile" -v c="$(nproc)" -v f="$first" -v s="$second" -v r="$reused" 'BEGIN {
  printf "profile %s on %s cores\nfirst run:  %.1f s (trains every stage)\nsecond run: %.1f s (%d stages reused)\nratio:      %.3f\n", p, c, f / 1000, s / 1000, r, s / f }'
rm -rf "$(dirname "$workspace")"
