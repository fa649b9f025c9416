"""Save and load named arrays (network weights) as ``.npz`` files, without pickle.

Introduced in chapter 2, Neural networks, where a trained network is loaded to
classify digits. A ``.npz`` is a zip of plain ``.npy`` arrays: it is portable,
cannot run code when opened (we always load with ``allow_pickle=False``), and is
written atomically so that an interrupted save never leaves half a file behind.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["load_params", "save_params", "write_atomically"]


def _npz_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p if p.suffix == ".npz" else p.with_name(p.name + ".npz")


def save_params(params: Mapping[str, np.ndarray], path: str | os.PathLike[str]) -> Path:
    """Write a dict of named arrays to ``path`` (``.npz`` is appended if missing).

    Introduced in chapter 2, Neural networks. The file is written to a temporary
    name in the same folder and then renamed, so readers never see a partial file.
    Returns the path actually written.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of name -> array, got {type(params).__name__}")
    if not params:
        raise ValueError("params is empty: there is nothing to save")
    arrays: dict[str, np.ndarray] = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"parameter names must be non-empty strings, got {name!r}")
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise ValueError(
                f"parameter {name!r} has dtype object, which .npz can only store with "
                "pickle; convert it to a numeric array first"
            )
        arrays[name] = array

    target = _npz_path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot save to {target}: folder {target.parent} does not exist")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomically(target, buffer.getvalue())
    return target


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half of one.

    The bytes go to a temporary file in the same folder, are flushed to disk,
    and the file is then renamed over ``path`` (a rename within one folder is
    atomic). If anything fails, the temporary file is removed and ``path`` is
    left as it was. The folder must exist. The file is readable by everyone
    (mode 0644), as weights and datasets are public. Used for weights and the
    MNIST cache. Introduced in chapter 2, Neural networks.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_params(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read a ``.npz`` written by :func:`save_params` into a dict of arrays.

    Introduced in chapter 2, Neural networks. Loads with ``allow_pickle=False``;
    a missing file raises ``FileNotFoundError`` and a damaged or non-``.npz`` file
    raises ``ValueError``, each naming the file and what to do.
    """
    p = Path(path)
    if not p.exists() and p.suffix != ".npz" and _npz_path(p).exists():
        p = _npz_path(p)
    if not p.is_file():
        raise FileNotFoundError(
            f"no parameter file at {p}: check the path, or train the network and "
            "save it with save_params first"
        )
    try:
        data = np.load(p, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"{p} is not a readable .npz parameter file ({err}); it may be truncated, "
            "corrupt or pickled: re-create it with save_params"
        ) from err
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(
            f"{p} holds a single array, not named parameters: save a dict with save_params"
        )
    try:
        with data:
            return {name: data[name] for name in data.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ValueError(
            f"{p} is not a readable .npz parameter file ({err}); it may be truncated, "
            "corrupt or pickled: re-create it with save_params"
        ) from err
