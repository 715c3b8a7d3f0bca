#!/bin/bash
# conv_pcd_rounds.sh [ROUNDS]: the PCD recipes' convnet steps (MNIST's net,
# Fashion-MNIST's and the stride-1 variant) against their exact PyTorch twins, interleaved round by
# round so that both sides see the same machine: ebm's step at 2 workers
# (go test -bench ConvPCDStep, 3 runs of 3 steps, ns/op each) and then the
# twin (conv_pcd_peer.py, 4 steps) at 2 threads with OpenBLAS's default
# core and with SkylakeX. Run from the repository root; the peers need
# OpenBLAS as libblas.so.3 (see peers.sh).
set -euo pipefail
rounds=${1:-4}
py=${PYTHON:-/usr/bin/python3}
go test -c -o /tmp/ebm_bench.test ./bench
for r in $(seq "$rounds"); do
	for net in recipe fashion stride1; do
		case $net in # the twin's net, as BenchmarkConvPCDStep's cases
		recipe) args=() ;;
		fashion) args=(--chans 32,64,64,64 --strides 2,2,2,2) ;;
		stride1) args=(--chans 16,32,64,64 --strides 1,2,2,2) ;;
		esac
		ebm=$(/tmp/ebm_bench.test -test.run '^$' -test.bench "ConvPCDStep/net=$net\$" -test.benchtime 3x -test.count 3 -test.cpu 2 |
			awk '/ns\/op/ {printf "%.1f ", $3/1e6}')
		twin=""
		for core in default SkylakeX; do
			if [ "$core" = default ]; then env=(env -u OPENBLAS_CORETYPE); else env=(env OPENBLAS_CORETYPE=SkylakeX); fi
			ms=$("${env[@]}" "$py" bench/compare/conv_pcd_peer.py "${args[@]}" --batch 64 --bench 4 --threads 2 2>/dev/null |
				grep -o '"ms_per_step": [0-9.]*' | awk '{printf "%.1f", $2}')
			twin="$twin $core=$ms"
		done
		echo "round $r $net: ebm ms $ebm| twin ms$twin"
	done
done
