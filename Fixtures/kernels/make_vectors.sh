#!/bin/sh
# Regenerates the GGUFKernels test vectors from the llama.cpp oracle (see /work/shared/oracle/README.md).
# Usage: ORACLE_HOME=~/.cache/ggufkit-oracle sh Fixtures/kernels/make_vectors.sh
set -eu
ORACLE_HOME=${ORACLE_HOME:-$HOME/.cache/ggufkit-oracle}
export ORACLE_HOME
here=$(cd "$(dirname "$0")" && pwd)
"$ORACLE_HOME/venv/bin/python" "$here/make_vectors.py" "$here"
# the IQ4/TQ/MXFP4 quantizer vectors, with and without importance weights (reads make_vectors.py's inputs)
"$ORACLE_HOME/venv/bin/python" "$here/make_quant_vectors.py" "$here"
# the IQ grid types' vec_dot vectors from the AVX2-only build (reads make_vectors.py's outputs)
ORACLE_ISA=avx2 PYTHONPATH="$ORACLE_HOME/avx2-py" exec "$ORACLE_HOME/venv/bin/python" "$here/make_dot_vectors.py" "$here"
