#!/usr/bin/env bash
# bench/gpu-check.sh [OUT.json]: the GPU path, proven in one go (issue 19).
#
# On a machine with a CUDA GPU it
#   1. builds flemu, flemu_tests and flemu_bench against the CUDA LibTorch that Python's torch
#      ships (python3 -c 'import torch;print(torch.utils.cmake_prefix_path)');
#   2. runs the tests that need CUDA, `flemu_tests "[cuda]"` (tests/test_cuda.cpp): stacked vs
#      per-client training equal within 1e-5 per weight on the GPU, and two runs of a scenario
#      byte-identical on the GPU (the trainer sets deterministic algorithms there);
#   3. runs flemu_bench's (a) training job, (b) reference round and (f) 1,000 clients per round
#      on the GPU;
# and writes every figure, each step's status and duration to one JSON file (default
# gpu-check.json). The whole check has a budget of 8 minutes (FLEMU_GPU_CHECK_BUDGET_S): each
# step gets what is left, and the JSON says what ran, how long it took and how it ended.
#
# Without a usable CUDA GPU (no nvidia-smi GPU, or Python's torch sees none), or with
# FLEMU_GPU_CHECK_DEVICE=cpu, it runs the same steps on the CPU against the system LibTorch: the
# fallback, which is how the script is tested where no GPU is lent. CI never runs it.
#
# Environment: FLEMU_TORCH_PREFIX  a LibTorch (its CMake prefix) to use instead of Python's;
#              BUILD_DIR           build folder (default build-gpu; build-cpu-check on the fallback);
#              FLEMU_GPU_CHECK_BUDGET_S (480), FLEMU_GPU_CHECK_DEVICE (auto | cpu),
#              JOBS                build parallelism (default: all cores).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
out="$(realpath -m "${1:-gpu-check.json}")"
budget="${FLEMU_GPU_CHECK_BUDGET_S:-480}"
jobs="${JOBS:-$(nproc)}"
work="$(mktemp -d -t flemu-gpu-check-XXXXXX)"
start_ns=$(date +%s%N)
steps_file="$work/steps.jsonl"
: >"$steps_file"

elapsed() { awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
# Whole seconds left of the budget, at least 1.
remaining() { awk -v a="$start_ns" -v b="$(date +%s%N)" -v t="$budget" 'BEGIN { r = int(t - (b - a) / 1e9); print (r < 1 ? 1 : r) }'; }

# One step: name, then the command. Its output goes to $work/<name>.log; its status, duration
# and log tail to steps.jsonl. A step past the budget is killed (timeout) and says so.
step() {
  local name="$1"
  shift
  local t0 rc log="$work/$name.log"
  t0=$(date +%s%N)
  echo "== $name: $*" >&2
  timeout "$(remaining)" "$@" >"$log" 2>&1
  rc=$?
  local secs
  secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  python3 - "$name" "$rc" "$secs" "$log" >>"$steps_file" <<'PY'
import json, sys
name, rc, secs, log = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
tail = open(log, errors="replace").read()[-3000:]
print(json.dumps({"name": name, "ok": rc == 0, "exit_code": rc, "timed_out": rc == 124,
                  "seconds": round(secs, 2), "log_tail": tail}))
PY
  tail -n 5 "$log" >&2
  return $rc
}

# --- which device, which LibTorch ---------------------------------------------------------
mode=cpu
fallback_reason=""
gpu_name=""
if [ "${FLEMU_GPU_CHECK_DEVICE:-auto}" = cpu ]; then
  fallback_reason="FLEMU_GPU_CHECK_DEVICE=cpu"
elif ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q GPU; then
  fallback_reason="no CUDA GPU here (nvidia-smi lists none)"
elif ! python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  fallback_reason="Python's torch sees no CUDA device (or is not installed)"
else
  mode=cuda
  gpu_name="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)"
fi

prefix=""
abi_problem=""
if [ "$mode" = cuda ]; then
  prefix="${FLEMU_TORCH_PREFIX:-$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')}"
  if [ -z "${FLEMU_TORCH_PREFIX:-}" ] &&
    [ "$(python3 -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null)" = 0 ]; then
    abi_problem="Python's LibTorch uses the pre-C++11 string ABI; flemu links Debian's SimGrid and spdlog, built with the C++11 ABI. Set FLEMU_TORCH_PREFIX to a cxx11-ABI LibTorch with CUDA (libtorch-cxx11-abi-shared-with-deps)."
  fi
  build="${BUILD_DIR:-build-gpu}"
else
  build="${BUILD_DIR:-build-cpu-check}"
fi
echo "gpu-check: device $mode${fallback_reason:+ ($fallback_reason)}, build folder $build, budget ${budget}s" >&2

# --- the steps ------------------------------------------------------------------------------
tests_ok=false
bench_ok=false
if [ -n "$abi_problem" ]; then
  echo "gpu-check: $abi_problem" >&2
else
  cmake_args=(-S . -B "$build" -DCMAKE_BUILD_TYPE=Release)
  [ -n "$prefix" ] && cmake_args+=("-DCMAKE_PREFIX_PATH=$prefix")
  if step configure cmake "${cmake_args[@]}" &&
    step build cmake --build "$build" -j "$jobs" --target flemu flemu_tests flemu_bench; then
    step tests env FLEMU_TEST_DEVICE="$mode" "$build/flemu_tests" "[cuda]" -s && tests_ok=true
    step bench "$build/flemu_bench" --only abf --reps 3 --scale-reps 1 --rounds 3 --device "$mode" \
      --json "$work/bench.json" && bench_ok=true
  fi
fi

# --- one JSON with everything ----------------------------------------------------------------
python3 - "$out" "$work" "$mode" "$fallback_reason" "$gpu_name" "$prefix" "$abi_problem" "$budget" "$(elapsed)" \
  "$tests_ok" "$bench_ok" <<'PY'
import json, os, re, sys, datetime, platform
out, work, mode, fallback, gpu, prefix, abi, budget, total, tests_ok, bench_ok = sys.argv[1:12]
steps = [json.loads(l) for l in open(os.path.join(work, "steps.jsonl")) if l.strip()]
tests = {"passed": tests_ok == "true"}
log = os.path.join(work, "tests.log")
if os.path.exists(log):
    text = open(log, errors="replace").read()
    m = re.search(r"largest weight difference ([0-9.eE+-]+)", text)
    if m: tests["stacked_vs_per_client_max_weight_diff"] = float(m.group(1))
    tests["stated_tolerance"] = 1e-5
    lines = [l.strip() for l in text.splitlines() if l.startswith("All tests passed") or l.startswith("test cases:")]
    if lines: tests["summary"] = lines[-1]
bench_path = os.path.join(work, "bench.json")
bench = json.load(open(bench_path)) if os.path.exists(bench_path) else None
result = {
    "check": "bench/gpu-check.sh (issue 19)",
    "date": datetime.datetime.now().isoformat(timespec="seconds"),
    "host": platform.node(), "cores": os.cpu_count(),
    "device": mode, "gpu": gpu or None,
    "fallback_reason": fallback or None,
    "torch_prefix": prefix or "system LibTorch",
    "problem": abi or None,
    "budget_s": float(budget), "total_s": round(float(total), 1),
    "within_budget": float(total) <= float(budget),
    "ok": tests_ok == "true" and bench_ok == "true" and not abi,
    "steps": steps, "tests": tests, "bench": bench,
}
json.dump(result, open(out, "w"), indent=2)
print(f"gpu-check: device {mode}, ok {result['ok']}, {result['total_s']} s; wrote {out}", file=sys.stderr)
PY
rm -rf "$work"
