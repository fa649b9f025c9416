#!/bin/sh
# Started by JupyterHub as the student (see jupyterhub_config.py). First bring ~/chapters up
# to date from the chapters the lecturer published: nbgitpuller clones it the first time and
# later merges, never overwriting a file the student changed. Then start the server.
set -u
mkdir -p "$HOME/homework"
if ! gitpuller "file://$CLASSROOM_CHAPTERS_REPO" main "$HOME/chapters" >"$HOME/.chapters-pull.log" 2>&1; then
    echo "start-singleuser: could not update ~/chapters (see ~/.chapters-pull.log); starting anyway" >&2
fi
exec jupyterhub-singleuser "$@"
