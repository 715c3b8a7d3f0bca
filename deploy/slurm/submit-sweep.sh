#!/usr/bin/env bash
# submit-sweep.sh — submit a sweep: an array with one task per point (or per
# PER_TASK points), then a collect job that starts only if every task succeeded.
#
#   deploy/slurm/submit-sweep.sh SWEEP.toml [OUT]
#   e.g. deploy/slurm/submit-sweep.sh sweeps/step.toml runs/step
#
# OUT defaults to the sweep file's out (as ebmrun sweep prints it). Env: EBMRUN,
# METRIC (for collect), PER_TASK (points per array task, default 1), THROTTLE
# (at most this many tasks at once), SBATCH_ARGS (extra sbatch flags for both jobs).
# Slurm's MaxArraySize (default 1001) caps the array: use PER_TASK for larger sweeps.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWEEP=${1:?usage: submit-sweep.sh SWEEP.toml [OUT]}
EBMRUN=${EBMRUN:-ebmrun}
PER_TASK=${PER_TASK:-1}
THROTTLE=${THROTTLE:-}
SBATCH_ARGS=${SBATCH_ARGS:-}
out=()
if [[ -n ${2:-} ]]; then out=(--out "$2"); fi

# `ebmrun sweep --list` prints one header line ("FILE: N points of BASE (kind),
# into OUT") and then one line per point, "index<TAB>slug<TAB>overrides": count
# the lines that start with an index. It also checks every key before we submit.
listing=$("$EBMRUN" sweep "$SWEEP" --list "${out[@]}")
POINTS=$(grep -Ec $'^[0-9]+\t' <<<"$listing" || true)
if ((POINTS == 0)); then
  echo "submit-sweep.sh: $SWEEP has no points" >&2
  exit 2
fi
# The output directory: OUT, or the one the header names after "into ".
DIR=${2:-$(head -n 1 <<<"$listing" | sed -n 's/.*, into //p')}
: "${DIR:?cannot tell the sweep output directory; pass OUT}"
if [[ $DIR != /* ]]; then
  # ebmrun prints out relative to the current directory, where the jobs also run.
  DIR=$PWD/$DIR
fi

tasks=$(((POINTS + PER_TASK - 1) / PER_TASK))
array="0-$((tasks - 1))${THROTTLE:+%$THROTTLE}"
export SWEEP EBMRUN PER_TASK POINTS DIR METRIC="${METRIC:-}"
if [[ -n ${2:-} ]]; then export OUT=$2; fi

# shellcheck disable=SC2086  # SBATCH_ARGS is a list of flags
array_id=$(sbatch --parsable --export=ALL $SBATCH_ARGS --array="$array" "$here/sweep.sbatch")
array_id=${array_id%%;*}
# shellcheck disable=SC2086
collect_id=$(sbatch --parsable --export=ALL $SBATCH_ARGS \
  --dependency=afterok:"$array_id" "$here/collect.sbatch")
collect_id=${collect_id%%;*}

echo "sweep:   job $array_id ($POINTS points, array $array, $PER_TASK per task) -> $DIR"
echo "collect: job $collect_id (after all tasks succeed) -> $DIR/collect.csv"
