#!/usr/bin/env bash
# The loader and RLE benches against PIL + numpy, on the same generated images (docs/training.md, "Input pipeline").
# Usage: bench/Severstal.Bench/run-loader-bench.sh [IMAGES=400] [REPEATS=5]
# Needs Debian's python3-pil and python3-numpy; installs them when missing and run as root, otherwise says so.
set -euo pipefail
images=${1:-400}
repeats=${2:-5}
cd "$(dirname "$0")/../.."
missing=()
python3 -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
python3 -c 'import PIL' 2>/dev/null || missing+=(python3-pil)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then
    echo "installing ${missing[*]} (apt-get)"
    apt-get install -y "${missing[@]}" >/dev/null
  else
    echo "missing ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' and try again" >&2
    exit 2
  fi
fi
echo "reference: python3 $(python3 -c 'import sys, numpy, PIL; print(sys.version.split()[0], "numpy", numpy.__version__, "PIL", PIL.__version__)')"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
dotnet build -c Release bench/Severstal.Bench -v q -nologo >/dev/null
bench=bench/Severstal.Bench/bin/Release/net10.0/Severstal.Bench
"$bench" --generate "$data" --images "$images"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" --loader "$data" --images "$images" --batch 8 --prefetch 4 --check 16
"$bench" --rle "$data" --repeats "$repeats"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
