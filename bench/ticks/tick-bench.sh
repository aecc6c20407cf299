#!/usr/bin/env bash
# Tick bench (issue 14 item 4): what one scheduled tick costs from a fresh clone against the loopback fakes, for two
# commits in ONE run (default: 1f249b6, the tick before cheap ticks, and HEAD), and the ratio.
#
#   bench/ticks/tick-bench.sh [BEFORE] [AFTER]        (commit both first: the bench clones commits, not the work tree)
#
# Each measured tick runs in a fresh checkout (`git clean -xffd`: no bin/, obj/, tools/, workspace) with a warm NuGet
# cache, and does what the workflow's Advance step does: `dotnet tool restore && dotnet cake --target=Build` (the
# Advance target's dependency), then `steelci tick bench/ticks/steelci.yml --backend kaggle --store github` from that
# build, with `--kaggle-url` added (the one thing Cake cannot pass) — so Cake runs Build, not Advance, and the tick is
# started directly. For AFTER the checkout first gets back what the workflow's actions/cache steps restore: the
# steelci build (src/SteelCI.Cli/bin/Release, stamped with the sources it was built from) and Cake's compiled script
# (tools/cache), both saved from its first build; BEFORE has only the NuGet cache, as today's workflow.
# The ticks of both commits alternate. Scenarios, each on its own repository of the GitHub fake:
#   noop  — nothing running, nothing placeable (every account's 30 h reserved: STEELCI_KAGGLE_RESERVE_HOURS=30);
#           measured on the second tick (the first records the state, and for AFTER the trainer's build).
#   push  — the pipeline's first tick: publishes the trainer, uploads it, pushes both stages' kernels.
#   poll  — the next tick: polls the two kernels (the Kaggle fake keeps them queued: --queue-seconds 3600).
set -euo pipefail
BEFORE=${1:-1f249b6}
AFTER=${2:-HEAD}
REPO=$(git rev-parse --show-toplevel)
BEFORE=$(git -C "$REPO" rev-parse "$BEFORE")
AFTER=$(git -C "$REPO" rev-parse "$AFTER")
# TICKBENCH_WORK=<a finished run's folder> reuses its clones and AFTER's cold build (same commits only).
WORK=${TICKBENCH_WORK:-$(mktemp -d /tmp/steelci-tickbench.XXXXXX)}
KPORT=${TICKBENCH_KAGGLE_PORT:-18642}
GPORT=${TICKBENCH_GITHUB_PORT:-18643}
GTOKEN=ghp_tickbench_$RANDOM$RANDOM
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 STEELCI_GITHUB_WRITE_SPACING_MS=0 CI=true GITHUB_ACTIONS=true
RESULTS=$WORK/results.tsv
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

now() { date +%s.%N; }
say() { echo "[tick-bench] $*" >&2; }

# The fakes, from the AFTER commit's build (its cold build also fills AFTER's cache).
clone() { git clone -q --no-checkout "$REPO" "$WORK/$1" && git -C "$WORK/$1" checkout -q --detach "$2"; mkdir -p "$WORK/$1/bench/ticks" && cp "$REPO/bench/ticks/steelci.yml" "$WORK/$1/bench/ticks/steelci.yml"; }
FAKES="$WORK/fakes"
if [ -d "$FAKES" ] && [ "$(git -C "$WORK/after" rev-parse HEAD)" = "$AFTER" ] && [ "$(git -C "$WORK/before" rev-parse HEAD)" = "$BEFORE" ]; then
  say "reusing $WORK (clones and AFTER's cold build)"; rm -rf "$WORK/kaggle-fake" "$RESULTS"
else
  clone before "$BEFORE"
  clone after "$AFTER"
  say "cold build of AFTER ($AFTER) for the fakes and AFTER's cache"
  (cd "$WORK/after" && dotnet tool restore >/dev/null && dotnet cake --target=Build >"$WORK/after-cold-build.log" 2>&1)
  mkdir -p "$WORK/cache"
  cp -a "$WORK/after/src/SteelCI.Cli/bin/Release" "$WORK/cache/steelci-release"
  cp -a "$WORK/after/tools" "$WORK/cache/tools"
  cp -a "$WORK/after/src/SteelCI.Cli/bin/Release/net10.0" "$FAKES"
fi
USERS=()
for v in before after; do for i in 1 2 3; do USERS+=(--user "${v}${i}:KGAT_tickbench_${v}${i}"); done; done
dotnet "$FAKES/steelci.dll" fake kaggle --port "$KPORT" --queue-seconds 3600 --data-dir "$WORK/kaggle-fake" "${USERS[@]}" >"$WORK/fake-kaggle.log" 2>&1 &
PIDS+=($!)
dotnet "$FAKES/steelci.dll" fake github --port "$GPORT" --token "$GTOKEN" >"$WORK/fake-github.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 120); do grep -q "fake Kaggle API at" "$WORK/fake-kaggle.log" && grep -q "GITHUB_API_URL=" "$WORK/fake-github.log" && break; sleep 1; done
GITHUB_API=$(grep -o "GITHUB_API_URL=[^ ]*" "$WORK/fake-github.log" | head -1 | cut -d= -f2)

# One tick of variant $1 (before|after) for scenario repo $2, reserve $3; measured as label $4 (or "-" for a warm-up).
tick() {
  local variant=$1 repo=$2 reserve=$3 label=$4 dir="$WORK/$1"
  (cd "$dir" && git clean -xffdq -e /bench/ticks/steelci.yml)
  if [ "$variant" = after ]; then
    mkdir -p "$dir/src/SteelCI.Cli/bin" && cp -a "$WORK/cache/steelci-release" "$dir/src/SteelCI.Cli/bin/Release"
    cp -a "$WORK/cache/tools" "$dir/tools"
  fi
  local t0 t1 t2 rc
  t0=$(now)
  (cd "$dir" && dotnet tool restore >/dev/null && dotnet cake --target=Build >"$WORK/$variant-$label-build.log" 2>&1)
  t1=$(now)
  set +e
  (cd "$dir" && env STEELCI_KAGGLE_ACCOUNTS="${variant}1,${variant}2,${variant}3" \
      KAGGLE_API_TOKEN_${variant^^}1="KGAT_tickbench_${variant}1" KAGGLE_API_TOKEN_${variant^^}2="KGAT_tickbench_${variant}2" \
      KAGGLE_API_TOKEN_${variant^^}3="KGAT_tickbench_${variant}3" STEELCI_KAGGLE_RESERVE_HOURS="$reserve" \
      GITHUB_REPOSITORY="team/$repo-$variant" GITHUB_API_URL="$GITHUB_API" GITHUB_TOKEN="$GTOKEN" \
      dotnet src/SteelCI.Cli/bin/Release/net10.0/steelci.dll tick bench/ticks/steelci.yml --backend kaggle --store github \
      --kaggle-url "http://127.0.0.1:$KPORT/" --poll-seconds 1 >"$WORK/$variant-$label-tick.log" 2>&1)
  rc=$?
  set -e
  t2=$(now)
  [ "$rc" = 0 ] || { say "$variant $label: tick exit $rc"; tail -20 "$WORK/$variant-$label-tick.log" >&2; exit 1; }
  local summary; summary=$(grep -o "tick: [0-9]*/[0-9]* done, [0-9]* running.*" "$WORK/$variant-$label-tick.log" | tail -1)
  say "$variant $label: build $(echo "$t1 - $t0" | bc) s, tick $(echo "$t2 - $t1" | bc) s — $summary"
  [ "$label" = - ] || printf '%s\t%s\t%.1f\t%.1f\t%.1f\t%s\n' "$variant" "$label" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t2 - $t0" | bc)" "$summary" >>"$RESULTS"
}

# Interleaved, so that a machine whose load changes during the run weighs on both alike.
for v in before after; do tick "$v" noop 30 -; done
for v in before after; do tick "$v" noop 30 noop; done
for v in before after; do tick "$v" queue 0 push; done
for v in before after; do tick "$v" queue 0 poll; done

echo
echo "tick bench: before $BEFORE, after $AFTER (fresh clone each tick, warm NuGet cache; seconds)"
printf '%-8s %-6s %8s %8s %8s  %s\n' variant tick build tick total "summary"
while IFS=$'\t' read -r v l b t s sum; do printf '%-8s %-6s %8s %8s %8s  %s\n' "$v" "$l" "$b" "$t" "$s" "$sum"; done <"$RESULTS"
for l in noop poll push; do
  b=$(awk -F'\t' -v l="$l" '$1=="before"&&$2==l{print $5}' "$RESULTS"); a=$(awk -F'\t' -v l="$l" '$1=="after"&&$2==l{print $5}' "$RESULTS")
  printf '%s: before %s s, after %s s, after/before = %.2f\n' "$l" "$b" "$a" "$(echo "$a / $b" | bc -l)"
done
echo "logs: $WORK"
