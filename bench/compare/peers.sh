#!/bin/bash
# Runs every peer the performance issue compares against, at 1 and 2 threads, with OpenBLAS's
# default core and with OPENBLAS_CORETYPE=SkylakeX (the AVX-512 kernels), one JSON line each, into $1.
# The peers are measured at their best: OpenBLAS behind numpy's and torch's products. Where only
# python3-torch was installed, libblas.so.3 can be Debian's reference BLAS (libblas3), 7-14x slower
# at products, and every ratio would flatter ebm: refuse to measure then.
blas=$(readlink -f /usr/lib/$(uname -m)-linux-gnu/libblas.so.3 2>/dev/null)
case "$blas" in
  *openblas*) ;;
  *) echo "peers.sh: libblas.so.3 is ${blas:-missing}, not OpenBLAS; install it first: apt-get install libopenblas0-pthread" >&2; exit 2 ;;
esac
OUT=${1:-peers.jsonl}; : > "$OUT"
P=${PEERS:-../shared/peers}; PY=${PY:-/usr/bin/python3}
for core in default SkylakeX; do
  for th in 1 2; do
    if [ $core = default ]; then E="env -u OPENBLAS_CORETYPE"; else E="env OPENBLAS_CORETYPE=SkylakeX"; fi
    T="--threads $th --tag $core"
    $E $PY $P/ula_gmm.py --impl torch_manual --chains 4096 --steps 1000 --eta 0.01 $T --out $OUT >/dev/null 2>&1
    $E $PY $P/ula_gmm.py --impl numpy --chains 4096 --steps 1000 --eta 0.01 $T --out $OUT >/dev/null 2>&1
    $E $PY $P/hmc_rosenbrock.py --impl numpy -N 1024 -T 1000 -L 10 --eps 0.025 $T --dtype float64 --out $OUT >/dev/null 2>&1
    $E $PY $P/hmc_rosenbrock.py --impl numpy -N 1024 -T 1000 -L 10 --eps 0.025 $T --dtype float32 --out $OUT >/dev/null 2>&1
    $E $PY $P/hmc_rosenbrock.py --impl torch_manual -N 1024 -T 1000 -L 10 --eps 0.025 $T --out $OUT >/dev/null 2>&1
    $E $PY $P/mlp_energy_grad.py --dims 2,128,128,1 --act silu -B 1024 --train-batch 256 --grad-impls autograd $T --out $OUT >/dev/null 2>&1
    $E $PY $P/pcd_train.py --dataset 8gaussians --act silu -K 20 --steps 300 --test-n 1000 --grid-n 50 $T --out $OUT >/dev/null 2>&1
    for model in mlp conv; do
      $E $PY $P/mnist_ebm.py --model $model --objective dsm --bench 10 --threads $th > /tmp/mnist_${core}_$th.json 2>/dev/null && sed "s/}$/, \"tag\": \"$core\"}/" /tmp/mnist_${core}_$th.json | tail -1 >> $OUT
    done
  done
done
echo peers done
