#!/bin/sh
# Install the course into the environment of $PYTHON and check it, as `make install` and
# `make test` do. Run from the repository's top folder. The single-user image runs this
# (Dockerfile); tests/classroom/test_kubernetes.py runs it in a plain virtual environment.
set -eu
PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip install --no-cache-dir --quiet --upgrade pip
"$PYTHON" -m pip install --no-cache-dir --quiet -c classroom/k8s/constraints.txt -e ".[dev,classroom]"
settings="$("$PYTHON" -c 'import sys; print(sys.prefix)')/share/jupyter/lab/settings"
mkdir -p "$settings"
cp etc/jupyterlab-overrides.json "$settings/overrides.json"

# The checks: the library's tests, then every chapter and its solutions in quick mode.
export COURSE_QUICK=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
"$PYTHON" -m pytest -q -p no:cacheprovider tests \
    --ignore=tests/browser --ignore=tests/classroom --ignore=tests/test_book.py
"$PYTHON" -m pytest -q -p no:cacheprovider --nbval-lax chapters
"$PYTHON" -c "import jupyterhub, nbgrader, nbgitpuller; print('jupyterhub', jupyterhub.__version__)"
