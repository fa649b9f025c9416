"""MNIST, verified and cached (introduced in chapter 2, Neural networks).

``load_mnist`` finds the four official MNIST files in this order:

1. the cache folder: ``cache_dir=``, else ``$MNIST_CACHE_DIR``, else ``datasets/mnist/``
   in the repository checkout, else ``~/.cache/dl-course/mnist``;
2. a mirror: ``mirror=``, else ``$MNIST_MIRROR`` -- a folder or an http(s) base URL
   holding ``train-images-idx3-ubyte.gz`` and the three other official files;
3. the public download mirrors in ``PUBLIC_MIRRORS``.

Every file is checked against the published SHA-256 of its *decompressed* bytes
before it is cached or used, so a truncated download or a wrong file is reported,
never silently learned from. ``load_mnist(sample=True)`` uses the small sample
committed in ``datasets/mnist_sample.npz`` instead and needs no download at all.

Rebuild that sample with ``python -m common.datasets make-sample``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import io
import os
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from common import config
from common.config import REPO_ROOT
from common.params import write_atomically

Split = tuple[np.ndarray, np.ndarray]


class MNISTError(RuntimeError):
    """MNIST could not be loaded; the message names the file and what to do.

    Introduced in chapter 2, Neural networks.
    """


class _OfficialFile(NamedTuple):
    name: str  # the official name, without ".gz"
    size: int  # decompressed size in bytes
    sha256: str  # published SHA-256 of the decompressed file


# In the order load_mnist returns them.
FILES: tuple[_OfficialFile, ...] = (
    _OfficialFile("train-images-idx3-ubyte", 47040016,
                  "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    _OfficialFile("train-labels-idx1-ubyte", 60008,
                  "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    _OfficialFile("t10k-images-idx3-ubyte", 7840016,
                  "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    _OfficialFile("t10k-labels-idx1-ubyte", 10008,
                  "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
)

PUBLIC_MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
"""Tried last, in order. Tests replace this list so they never leave the machine."""

TIMEOUT_SECONDS: float = 5.0
"""Give up on a server that does not connect or send anything for this long."""

SAMPLE_PATH: Path = REPO_ROOT / "datasets" / "mnist_sample.npz"
SAMPLE_SHA256: str = "4ad40e9ae820d32d8ae2071e2ee0762548965e6ec7bb973f5fb822d2ef6f5375"
"""Also recorded in datasets/README.md; checked on every load of the sample."""
_SAMPLE_PER_CLASS = {"train": 500, "test": 100}
_ADVICE = (
    "Set MNIST_MIRROR (or pass mirror=) to a folder or an http(s) URL holding the four "
    "official .gz files, e.g. MNIST_MIRROR=../shared/datasets/mnist, or work offline "
    "with load_mnist(sample=True)."
)


# --------------------------------------------------------------------------- public API
def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    sample: bool = False,
    cache_dir: str | os.PathLike | None = None,
    mirror: str | os.PathLike | None = None,
    dtype: npt.DTypeLike = np.float32,
) -> tuple[Split, Split]:
    """Return ``((x_train, t_train), (x_test, t_test))`` as NumPy arrays.

    Introduced in chapter 2, Neural networks.

    - ``normalize``: images as ``dtype`` in [0, 1] (default float32, half the memory of
      float64 and plenty of precision for pixels); otherwise the raw uint8 0..255.
    - ``flatten``: images of shape (N, 784); otherwise (N, 1, 28, 28), channels first.
    - ``one_hot_label``: labels of shape (N, 10) in ``dtype``; otherwise int64 digits.
    - ``sample``: the committed class-balanced sample (5,000 train, 1,000 test) instead
      of the full 60,000 + 10,000; no download, ``cache_dir`` and ``mirror`` unused.

    Raises ``MNISTError`` if the data cannot be found or fails its checksum.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"load_mnist expected a floating dtype such as np.float32, got {dtype}")
    if sample:
        x_train, t_train, x_test, t_test = _load_sample()
    else:
        cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        sources = _sources(mirror)
        x_train, t_train, x_test, t_test = (_load_file(f, cache, sources) for f in FILES)

    def images(x: np.ndarray) -> np.ndarray:
        if normalize:
            x = x.astype(dtype)
            x /= 255
        return x.reshape(len(x), 784) if flatten else x.reshape(len(x), 1, 28, 28)

    def labels(t: np.ndarray) -> np.ndarray:
        return np.eye(10, dtype=dtype)[t] if one_hot_label else t.astype(np.int64)

    return (images(x_train), labels(t_train)), (images(x_test), labels(t_test))


def load_mnist_for_course(**kwargs) -> tuple[Split, Split]:
    """``load_mnist`` on the sample in quick mode (``config.QUICK``), on full MNIST otherwise.

    Introduced in chapter 2, Neural networks. Full mode never falls back to the sample:
    without a cache, mirror or network it raises ``MNISTError``.
    """
    return load_mnist(sample=config.QUICK, **kwargs)


def default_cache_dir() -> Path:
    """Where verified MNIST files are kept: ``$MNIST_CACHE_DIR``, the repo, or ~/.cache.

    Introduced in chapter 2, Neural networks.
    """
    if os.environ.get("MNIST_CACHE_DIR"):
        return Path(os.environ["MNIST_CACHE_DIR"]).expanduser()
    repo_datasets = REPO_ROOT / "datasets"
    if repo_datasets.is_dir() and os.access(repo_datasets, os.W_OK):
        return repo_datasets / "mnist"
    user_cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(user_cache) / "dl-course" / "mnist"


def parse_idx(data: bytes | bytearray | memoryview | np.ndarray, name: str = "data") -> np.ndarray:
    """Decode an IDX file, the format MNIST ships in, into a uint8 array.

    Introduced in chapter 2, Neural networks. Layout: two zero bytes, a type code
    (0x08 = unsigned byte), the number of dimensions, one big-endian uint32 per
    dimension, then the values in C order.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    if len(buf) < 4 or buf[0] != 0 or buf[1] != 0:
        raise MNISTError(f"{name} is not an IDX file: it starts with bytes "
                         f"{bytes(buf[:4]).hex(' ')}, expected 00 00 08 <ndim>")
    if buf[2] != 0x08:
        raise MNISTError(f"{name}: IDX type code 0x{buf[2]:02x} is not supported; "
                         "only unsigned bytes (0x08), which MNIST uses")
    ndim = int(buf[3])
    header = 4 + 4 * ndim
    if ndim == 0 or len(buf) < header:
        raise MNISTError(f"{name}: IDX header for {ndim} dimensions is missing or cut short")
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    if len(buf) - header != int(np.prod(shape)):
        raise MNISTError(f"{name}: the IDX header promises shape {shape} = {int(np.prod(shape))} "
                         f"values but {len(buf) - header} bytes follow; the file is cut or wrong")
    return buf[header:].reshape(shape)


# ------------------------------------------------------------------- finding the files
def _sources(mirror: str | os.PathLike | None) -> list[str]:
    chosen = os.fspath(mirror) if mirror is not None else os.environ.get("MNIST_MIRROR", "")
    return ([chosen] if chosen else []) + list(PUBLIC_MIRRORS)


def _sha256(data) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_file(official: _OfficialFile, cache: Path, sources: list[str]) -> np.ndarray:
    """Return one verified file as an array: from the cache, else fetched and cached."""
    path = cache / official.name
    note = ""
    if path.exists():
        if path.stat().st_size == official.size:
            data = np.fromfile(path, dtype=np.uint8)  # writable, unlike bytes
            if _sha256(data) == official.sha256:
                return parse_idx(data, str(path))
        note = f"The cached copy {path} was corrupt and has been removed.\n"
        warnings.warn(f"{path} is corrupt (wrong size or SHA-256); fetching it again")
        path.unlink()

    tried = []
    for source in sources:
        try:
            data = _verified(_fetch(source, official.name + ".gz"), official, source)
        except MNISTError as err:
            tried.append(str(err))
            continue
        _write_atomically(path, data)
        return parse_idx(data, str(path))
    raise MNISTError(f"Could not get the MNIST file {official.name}.gz. Tried, in order:\n"
                     + "".join(f"  - {line}\n" for line in tried) + note + _ADVICE)


def _fetch(source: str, filename: str) -> bytes:
    """The raw bytes of ``filename`` from a mirror folder or http(s) base URL."""
    if source.startswith(("http://", "https://")):
        url = source.rstrip("/") + "/" + filename
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            raise MNISTError(f"{url}: HTTP {err.code} {err.reason} (missing from the mirror?)")
        except urllib.error.URLError as err:
            raise MNISTError(f"{url}: cannot connect ({err.reason})")
        except (OSError, http.client.HTTPException) as err:  # timeouts, dropped connections
            raise MNISTError(f"{url}: download failed ({type(err).__name__}: {err})")
    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise MNISTError(f"{source}: is neither a folder nor an http(s) URL")
    if not (folder / filename).is_file():
        raise MNISTError(f"{folder / filename}: missing from the mirror folder")
    return (folder / filename).read_bytes()


def _verified(gz: bytes, official: _OfficialFile, source: str) -> bytes:
    """Decompress and check against the published size and SHA-256, or explain why not."""
    where = f"{source.rstrip('/')}/{official.name}.gz"
    if not gz:
        raise MNISTError(f"{where}: the file is empty; replace it with the official file")
    try:
        data = gzip.decompress(gz)
    except EOFError:
        raise MNISTError(f"{where}: truncated, the gzip stream ends early; "
                         "replace it with a complete copy") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise MNISTError(f"{where}: corrupt gzip data ({err}); "
                         "replace it with a fresh copy") from None
    digest = _sha256(data)
    if len(data) != official.size or digest != official.sha256:
        raise MNISTError(f"{where}: not the official file, it decompresses to {len(data)} bytes "
                         f"with SHA-256 {digest[:16]}..., expected {official.size} bytes and "
                         f"{official.sha256[:16]}...; replace it with the official file")
    return data


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a cache file with :func:`~common.params.write_atomically`, creating its folder first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    except OSError as err:
        raise MNISTError(f"cannot write {path.name} in {path.parent} ({err}); set MNIST_CACHE_DIR "
                         "(or pass cache_dir=) to a writable folder") from None


# ----------------------------------------------------------------------- the sample
def _load_sample() -> tuple[np.ndarray, ...]:
    if not SAMPLE_PATH.is_file():
        raise MNISTError(f"The MNIST sample {SAMPLE_PATH} is missing: restore it with "
                         "`git checkout -- datasets/mnist_sample.npz` or rebuild it with "
                         "`python -m common.datasets make-sample`.")
    raw = SAMPLE_PATH.read_bytes()
    if _sha256(raw) != SAMPLE_SHA256:
        raise MNISTError(f"The MNIST sample {SAMPLE_PATH} has SHA-256 {_sha256(raw)}, expected "
                         f"{SAMPLE_SHA256} (see datasets/README.md): restore it with `git checkout "
                         "-- datasets/mnist_sample.npz` or rebuild it with "
                         "`python -m common.datasets make-sample`.")
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return tuple(npz[key] for key in ("x_train", "t_train", "x_test", "t_test"))


def make_sample(x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray,
                t_test: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """Pick 500 images per digit from train and 100 from test, shuffled, seeded.

    Introduced in chapter 2, Neural networks (the data behind quick mode).
    """
    rng = np.random.default_rng(seed)

    def balanced(t: np.ndarray, per_class: int) -> np.ndarray:
        picks = []
        for digit in range(10):
            where = np.flatnonzero(t == digit)
            if len(where) < per_class:
                raise ValueError(f"make_sample needs {per_class} images of digit {digit}, "
                                 f"found {len(where)}: pass the full MNIST arrays")
            picks.append(rng.choice(where, per_class, replace=False))
        return rng.permutation(np.concatenate(picks))

    train = balanced(t_train, _SAMPLE_PER_CLASS["train"])
    test = balanced(t_test, _SAMPLE_PER_CLASS["test"])
    as_u8 = lambda a: np.ascontiguousarray(a, dtype=np.uint8)  # noqa: E731
    return {"x_train": as_u8(x_train[train]).reshape(-1, 28, 28), "t_train": as_u8(t_train[train]),
            "x_test": as_u8(x_test[test]).reshape(-1, 28, 28), "t_test": as_u8(t_test[test])}


def save_npz_reproducibly(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed``, but byte-for-byte reproducible (fixed zip timestamps).

    Introduced in chapter 2, Neural networks: the sample's SHA-256 must not depend on
    the day it was rebuilt.
    """
    path = Path(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for key, array in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            zf.writestr(info, npy.getvalue(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    _write_atomically(path, buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    """``python -m common.datasets make-sample``: rebuild ``datasets/mnist_sample.npz``."""
    parser = argparse.ArgumentParser(prog="python -m common.datasets",
                                     description="Build the committed MNIST sample.")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make-sample", help="pick 500 train and 100 test images per digit")
    make.add_argument("--out", default=str(SAMPLE_PATH), help="where to write the .npz")
    make.add_argument("--mirror", help="folder or URL with the official files (else MNIST_MIRROR)")
    make.add_argument("--cache-dir", help="cache folder (else MNIST_CACHE_DIR or the default)")
    args = parser.parse_args(argv)

    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=False, flatten=False, cache_dir=args.cache_dir, mirror=args.mirror)
    save_npz_reproducibly(args.out, make_sample(x_train, t_train, x_test, t_test, seed=0))
    out = Path(args.out)
    digest = _sha256(out.read_bytes())
    print(f"wrote {out} ({out.stat().st_size:,} bytes)\nSHA-256 {digest}")
    if digest != SAMPLE_SHA256:
        print("This differs from SAMPLE_SHA256 in common/datasets.py: "
              "update it and datasets/README.md.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
