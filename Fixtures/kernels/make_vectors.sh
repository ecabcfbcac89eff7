#!/bin/sh
# Regenerates the GGUFKernels test vectors from the llama.cpp oracle (see /work/shared/oracle/README.md).
# Usage: ORACLE_HOME=~/.cache/ggufkit-oracle sh Fixtures/kernels/make_vectors.sh
set -eu
ORACLE_HOME=${ORACLE_HOME:-$HOME/.cache/ggufkit-oracle}
export ORACLE_HOME
here=$(cd "$(dirname "$0")" && pwd)
"$ORACLE_HOME/venv/bin/python" "$here/make_vectors.py" "$here"
# the IQ4/TQ/MXFP4 quantizer vectors, with and without importance weights (reads make_vectors.py's inputs)
exec "$ORACLE_HOME/venv/bin/python" "$here/make_quant_vectors.py" "$here"
