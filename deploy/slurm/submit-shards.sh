#!/usr/bin/env bash
# submit-shards.sh — submit a sharded sampling run: an array of N shards, then a
# merge job that starts only if every shard succeeded (--dependency=afterok).
#
#   deploy/slurm/submit-shards.sh CONFIG [N] [RUN]
#   e.g. deploy/slurm/submit-shards.sh configs/langevin_gmm.toml 8 runs/gmm
#
# N defaults to 8, RUN to runs/<config name>. Env: EBMRUN, EXTRA (passed to the
# shards), THROTTLE (at most this many shards at once, e.g. 100: --array=0-N-1%100),
# SBATCH_ARGS (extra sbatch flags for both jobs, e.g. "--partition=cpu --account=x").
# Prints the two job ids; the result lands in RUN/merged.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONFIG=${1:?usage: submit-shards.sh CONFIG [N] [RUN]}
N=${2:-8}
RUN=${3:-runs/$(basename "${CONFIG%.toml}")}
THROTTLE=${THROTTLE:-}
SBATCH_ARGS=${SBATCH_ARGS:-}
export CONFIG RUN EBMRUN="${EBMRUN:-ebmrun}" EXTRA="${EXTRA:-}" SHARDS="$N"

if ! [[ $N =~ ^[1-9][0-9]*$ ]]; then
  echo "submit-shards.sh: N must be a positive integer, got '$N'" >&2
  exit 2
fi
array="0-$((N - 1))${THROTTLE:+%$THROTTLE}"
mkdir -p "$RUN"

# --parsable prints "jobid" or "jobid;cluster"; keep the id.
# shellcheck disable=SC2086  # SBATCH_ARGS is a list of flags
array_id=$(sbatch --parsable --export=ALL $SBATCH_ARGS --array="$array" "$here/shards.sbatch")
array_id=${array_id%%;*}
# shellcheck disable=SC2086
merge_id=$(sbatch --parsable --export=ALL $SBATCH_ARGS \
  --dependency=afterok:"$array_id" "$here/merge.sbatch")
merge_id=${merge_id%%;*}

echo "shards: job $array_id (array $array) -> $RUN/shard-*"
echo "merge:  job $merge_id (after all shards succeed) -> $RUN/merged"
