#!/usr/bin/env bash
# Stress run: the whole suite RUNS times in a row on the machine as it is, RUNS times in a
# row while other processes saturate every CPU, then tests/gui RUNS times in a shuffled
# order under the same load. Stops at the first failure (a flaky test fails a run sooner
# or later: this is how races that hide on a fast, idle machine are found).
#
#   tests/stress_run.sh            # 3 + 3 whole-suite runs, 3 shuffled GUI runs
#   tests/stress_run.sh 1 tests/gui   # once each, only tests/gui (quicker)
#   PHASES=loaded tests/stress_run.sh # only the loaded runs (PHASES=idle: only the idle ones)
#
# The load is `stress-ng --cpu N` when stress-ng is installed (Debian: apt-get install
# stress-ng), else N shell busy loops; N = the number of CPUs. They run at normal priority,
# so they compete with the tests. Takes 6 x the suite's time plus the GUI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
shift || true
TESTS=("${@:-tests}")
PY=${PYTHON:-.venv/bin/python}
PHASES=${PHASES:-idle,loaded}
CPUS=$(nproc 2>/dev/null || echo 2)
load_pids=()

start_load() {
  if command -v stress-ng >/dev/null 2>&1; then
    stress-ng --cpu "$CPUS" --quiet &
    load_pids+=($!)
  else
    for _ in $(seq "$CPUS"); do
      bash -c 'while :; do :; done' &
      load_pids+=($!)
    done
  fi
  echo "stress run: load started: ${load_pids[*]} ($(command -v stress-ng >/dev/null && echo stress-ng || echo busy loops), $CPUS CPUs)"
}

stop_load() {
  for pid in "${load_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  load_pids=()
}
trap stop_load EXIT

run() {  # label, pytest arguments...
  local label=$1 start=$SECONDS
  shift
  echo "stress run: $label: pytest $*"
  "$PY" -m pytest -q "$@"
  echo "stress run: $label passed in $((SECONDS - start)) s"
}

passed=0
if [[ ,$PHASES, == *,idle,* ]]; then
  for i in $(seq "$RUNS"); do run "idle $i/$RUNS" "${TESTS[@]}"; passed=$((passed + 1)); done
fi
if [[ ,$PHASES, == *,loaded,* ]]; then
  start_load
  for i in $(seq "$RUNS"); do run "loaded $i/$RUNS" "${TESTS[@]}"; passed=$((passed + 1)); done
  for i in $(seq "$RUNS"); do  # the seed is printed: the same arguments replay that order
    run "loaded, shuffled tests/gui $i/$RUNS" --random-order-bucket=global --random-order-seed="$RANDOM" tests/gui
    passed=$((passed + 1))
  done
  stop_load
fi
echo "stress run: all $passed runs passed (phases: $PHASES)"
