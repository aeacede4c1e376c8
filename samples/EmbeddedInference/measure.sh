#!/usr/bin/env bash
# Publishes EmbeddedInference (CnnGen) and EmbeddedInference.Onnx (ONNX Runtime) with NativeAOT for
# linux-x64, runs each RUNS times on the 2,000-image test subset and prints the medians as the
# Markdown table of README.md. Usage: samples/EmbeddedInference/measure.sh [RUNS] [extra publish args]
# e.g. `measure.sh 15 -p:IlcInstructionSet=native` for the build machine's instruction set.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-15}
shift || true
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

publish() { # project, output directory, extra args
  dotnet publish "samples/$1" -c Release -r linux-x64 -o "$2" "${@:3}" >"$2.log" 2>&1 || { cat "$2.log"; exit 1; }
}
publish EmbeddedInference "$out/cnngen" "$@"
publish EmbeddedInference.Onnx "$out/ort" "$@"
# The JIT builds, for comparison: framework-dependent (they need an installed .NET runtime).
dotnet build samples/EmbeddedInference -c Release -o "$out/cnngen-jit" >"$out/cnngen-jit.log" 2>&1 || { cat "$out/cnngen-jit.log"; exit 1; }
dotnet build samples/EmbeddedInference.Onnx -c Release -o "$out/ort-jit" >"$out/ort-jit.log" 2>&1 || { cat "$out/ort-jit.log"; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() { # name, executable (a .dll runs with `dotnet`)
  local log="$out/${2//\//_}.runs" size folder
  : >"$log"
  for ((i = 0; i < runs; i++)); do
    if [[ $2 == *.dll ]]; then dotnet "$2" >>"$log"; else "$2" >>"$log"; fi
  done
  if [[ $2 == *.dll ]]; then
    size="—"
    folder="(needs the .NET runtime)"
  else
    size=$(stat -c %s "$2" | awk '{ printf "%.1f MiB", $1 / 1048576 }')
    folder=$(find "$(dirname "$2")" -maxdepth 1 -type f ! -name '*.dbg' -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f MiB", s / 1048576 }')
  fi
  printf '| %s, %s | %s | %s | %s ms | %s ms | %s µs | %s MiB |\n' "$1" "$(grep -m1 -oP '; \K(JIT|NativeAOT), \S+' "$log")" \
    "$size" "$folder" \
    "$(grep -oP 'First prediction: \K[0-9]+(?= ms after the process)' "$log" | median)" \
    "$(grep -oP ', \K[0-9.]+(?= ms after Main)' "$log" | median)" \
    "$(grep -oP 'Latency per image: median \K[0-9.]+' "$log" | median)" \
    "$(grep -oP 'Peak RSS: \K[0-9.]+' "$log" | median)"
}

echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs runs; publish args: ${*:-none}"
echo
echo '| Program | Executable | Publish folder (no data/, no .dbg) | Start → first prediction | Main → first prediction | Latency per image (median) | Peak RSS |'
echo '|---|---|---|---|---|---|---|'
measure "CnnGen" "$out/cnngen/EmbeddedInference"
ort="ONNX Runtime $(grep -oP 'Include="Microsoft.ML.OnnxRuntime" Version="\K[^"]+' Directory.Packages.props)"
measure "$ort" "$out/ort/EmbeddedInference.Onnx"
measure "CnnGen" "$out/cnngen-jit/EmbeddedInference.dll"
measure "$ort" "$out/ort-jit/EmbeddedInference.Onnx.dll"
