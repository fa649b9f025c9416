"""``python -m common.tools.bench`` (``make bench``): how fast is the from-scratch code?

Introduced in chapter 6, Convolutional neural networks, where training a CNN in
NumPy has to be quick enough to try things. The bench prints:

1. the ``np.dot`` peak of this machine (GFLOP/s of a large matrix product), the
   ceiling for any code whose work is matrix products;
2. the forward and backward pass of two convolutions, in ms and in GFLOP/s as a
   share of that peak;
3. one SimpleConvNet training step (batch 100, Adam) with our layers and with
   the same network in PyTorch on the CPU, at the same number of threads, and
   the ratio ours/PyTorch; then the time of an epoch of 60,000 images. This
   runs at BLAS's own thread count and again at one thread (what ``make
   results`` uses), both contenders alike; ``--threads N`` picks one count.

Timings on a shared machine are noisy, so the two contenders are measured
*alternately* in one process: a block of steps of ours, a block of PyTorch's,
and so on (the order flips every block). Each block gives a median; the table
shows the median over blocks, and the ratio is the median of the per-block
ratios. Never trust one absolute time. Without PyTorch (``pip install -e
".[bench]"``) its columns are skipped with a note.

Sharing a process has a cost of its own: both contenders draw on the same
``malloc``. By default glibc returns large freed blocks to the system, and
whoever allocates next pays page faults for fresh memory; which side that hits
depends on the other's allocation pattern, and swung the ratio between 0.7
and 1.1 on the test machine. ``make bench`` therefore runs with glibc told to
keep freed memory (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, set
in the Makefile), the same for both; the header says which setting was in
effect.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from common import layers, reference
from common.im2col import conv_output_size
from common.layers import Convolution
from common.networks import DeepConvNet, SimpleConvNet
from common.optimizers import Adam
from common.trainer import Trainer

__all__ = [
    "alternate",
    "blas_threads",
    "conv_gflop",
    "deep_convnet_step",
    "layer_contenders",
    "matmul_peak",
    "set_blas_threads",
    "simple_convnet_step",
    "torch_deep_convnet_step",
    "torch_simple_convnet_step",
    "main",
]

STEPS_PER_EPOCH = 600
"""60,000 MNIST training images in batches of 100."""


# ----------------------------------------------------------------- BLAS threads
def _openblas() -> ctypes.CDLL | None:
    """The OpenBLAS library NumPy loaded, found in this process's memory map (Linux)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        if "numpy" in path or "openblas" in os.path.basename(path):
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    return None


def _openblas_function(suffix: str) -> Callable | None:
    lib = _openblas()
    if lib is None:
        return None
    for prefix in ("scipy_openblas_", "openblas_"):
        for tail in ("64_", ""):
            try:
                return getattr(lib, f"{prefix}{suffix}{tail}")
            except AttributeError:
                continue
    return None


def blas_threads() -> int | None:
    """Threads NumPy's BLAS uses for a matrix product, or ``None`` if it cannot tell.

    Introduced in chapter 6, Convolutional neural networks (``make bench``).
    Uses ``threadpoolctl`` if it is installed, else asks OpenBLAS directly.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        get = _openblas_function("get_num_threads")
        return int(get()) if get is not None else None
    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return int(counts[0]) if counts else None


def set_blas_threads(n: int) -> bool:
    """Make NumPy's BLAS use ``n`` threads from now on; ``False`` if it cannot be changed.

    Introduced in chapter 6, Convolutional neural networks (``make bench --threads``).
    """
    if n < 1:
        raise ValueError(f"the number of threads must be at least 1, got {n}")
    set_threads = _openblas_function("set_num_threads")
    if set_threads is None:
        return False
    set_threads(int(n))
    return blas_threads() == n


# ------------------------------------------------------------------ measuring
def _median_ms(seconds: Sequence[float]) -> float:
    return 1000 * float(np.median(seconds))


def alternate(
    contenders: dict[str, Callable[[], object]],
    blocks: int = 7,
    steps: int = 20,
    warmup: int = 3,
    max_seconds: float | None = None,
) -> dict[str, list[float]]:
    """Time each callable in alternating blocks; return each one's per-block median, in seconds.

    Block ``b`` runs ``steps`` calls of every contender in turn, the order
    reversed on odd blocks, so a slow spell of a shared machine hits them all
    alike. ``warmup`` untimed calls of each come first. With ``max_seconds``,
    no new block starts once that much time has passed (at least 3 blocks run,
    or ``blocks`` if fewer). Introduced in chapter 6, Convolutional neural
    networks (``make bench``).
    """
    if blocks < 1 or steps < 1:
        raise ValueError(f"need at least one block of one step, got blocks={blocks}, steps={steps}")
    names = list(contenders)
    for name in names:
        for _ in range(warmup):
            contenders[name]()
    medians: dict[str, list[float]] = {name: [] for name in names}
    begin = time.perf_counter()
    for b in range(blocks):
        if max_seconds is not None and b >= 3 and time.perf_counter() - begin > max_seconds:
            break
        for name in names if b % 2 == 0 else names[::-1]:
            f = contenders[name]
            times = []
            for _ in range(steps):
                start = time.perf_counter()
                f()
                times.append(time.perf_counter() - start)
            medians[name].append(float(np.median(times)))
    return medians


def matmul_peak(dtype: DTypeLike = np.float32, size: int = 1024, repeats: int = 10) -> float:
    """GFLOP/s of ``a @ b`` for two ``size x size`` matrices: the best BLAS can do here.

    The fastest of ``repeats`` products (2·size³ flops each): a peak is what
    the machine *can* do, so a product slowed by other work does not count.
    Introduced in chapter 6, Convolutional neural networks (``make bench``).
    """
    rng = np.random.default_rng(0)
    a = rng.random((size, size)).astype(dtype)
    b = rng.random((size, size)).astype(dtype)
    a @ b  # warm up: threads started, caches filled
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * size**3 / min(times) / 1e9


def conv_gflop(x_shape: Sequence[int], w_shape: Sequence[int], stride: int = 1, pad: int = 0) -> float:
    """Work of one convolution forward pass in GFLOP: one multiply and one add per weight use.

    Its backward costs the same again for ``dW`` and once more for ``dx``.
    Introduced in chapter 6, Convolutional neural networks (``make bench``).
    """
    n, _, h, w = x_shape
    fn, c, fh, fw = w_shape
    oh, ow = conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad)
    return 2 * n * oh * ow * fn * c * fh * fw / 1e9


# -------------------------------------------------------------- the contenders
def _batch(batch: int, dtype: DTypeLike, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((batch, 1, 28, 28)).astype(dtype), rng.integers(0, 10, batch)


def simple_convnet_step(dtype: DTypeLike = np.float32, batch: int = 100, seed: int = 0) -> Callable[[], float]:
    """One SimpleConvNet training step of ours (backprop + Adam), as a function to time.

    Each call runs :meth:`Trainer.train_step <common.trainer.Trainer.train_step>`,
    the step every training run of the course takes, on the same random batch
    and returns the loss. Introduced in chapter 6, Convolutional neural networks.
    """
    return _our_adam_step(SimpleConvNet(weight_init_std="he", dtype=dtype, seed=seed), dtype, batch, seed)


def _our_adam_step(net: object, dtype: DTypeLike, batch: int, seed: int) -> Callable[[], float]:
    """Our Trainer's step for `net` (Adam lr 1e-3) on the bench's random batch."""
    x, t = _batch(batch, dtype, seed)
    trainer = Trainer(net, x, t, optimizer=Adam(lr=1e-3), evaluate_every=None, progress=False)
    return lambda: trainer.train_step(x, t)


def torch_simple_convnet_step(
    dtype: DTypeLike = np.float32, batch: int = 100, seed: int = 0
) -> Callable[[], float] | None:
    """The same training step in PyTorch on the CPU, or ``None`` if PyTorch is not installed.

    Same architecture (conv 30×5×5, ReLU, max-pool 2×2, affine 100, ReLU,
    affine 10), loss and optimiser (Adam, lr 1e-3). Set its threads with
    ``torch.set_num_threads`` first. Introduced in chapter 6, Convolutional
    neural networks (``make bench``).
    """
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(seed)
    nn, tdtype = torch.nn, getattr(torch, np.dtype(dtype).name)
    net = nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10),
    ).to(tdtype)
    return _torch_adam_step(net, dtype, batch, seed)


def deep_convnet_step(dtype: DTypeLike = np.float32, batch: int = 100, seed: int = 0) -> Callable[[], float]:
    """One DeepConvNet training step of ours (backprop + Adam, dropout on, no batch norm), to time.

    Introduced in chapter 6, Convolutional neural networks (``make bench``).
    """
    return _our_adam_step(DeepConvNet(dtype=dtype, seed=seed), dtype, batch, seed)


def torch_deep_convnet_step(
    dtype: DTypeLike = np.float32, batch: int = 100, seed: int = 0
) -> Callable[[], float] | None:
    """DeepConvNet's training step in PyTorch on the CPU, or ``None`` without PyTorch.

    Same layers as :class:`common.networks.DeepConvNet` with its defaults: six 3×3
    convolutions (16, 16, 32, 32, 64, 64 filters, padding 1) with ReLU, a max pooling
    after every second (2×2, 2×2, then 3×3 with padding 1: 28 → 14 → 7 → 4), affine
    1024 → 50, ReLU, dropout 0.5, affine 50 → 10; Adam, lr 1e-3. Introduced in
    chapter 6, Convolutional neural networks (``make bench``).
    """
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(seed)
    body, c, nn = [], 1, torch.nn
    for i, f in enumerate((16, 16, 32, 32, 64, 64)):
        body += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU()]
        c = f
        if i % 2:
            body.append(nn.MaxPool2d(3, 2, padding=1) if i == 5 else nn.MaxPool2d(2, 2))
    net = nn.Sequential(*body, nn.Flatten(), nn.Linear(64 * 4 * 4, 50), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(50, 10)).to(getattr(torch, np.dtype(dtype).name))
    return _torch_adam_step(net, dtype, batch, seed)


def _torch_adam_step(net: object, dtype: DTypeLike, batch: int, seed: int) -> Callable[[], float]:
    """A PyTorch training step of `net` (cross-entropy, Adam lr 1e-3) on the bench's random batch."""
    import torch

    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, t = _batch(batch, dtype, seed)
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(net(tx), tt)
        loss.backward()
        opt.step()
        return loss.item()

    step.net = net  # type: ignore[attr-defined]  # for tests: compare the network with ours
    return step


def layer_contenders(dtype: DTypeLike, seed: int = 0) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """Per layer, (plain, ours): one forward + backward pass each, at SimpleConvNet/DeepConvNet sizes, batch 100.

    "Plain" is :mod:`common.reference`: the layers written from the book's formulas,
    without the speed-ups. Introduced in chapter 6 (``make bench``).
    """
    rng = np.random.default_rng(seed)

    def arr(*shape: int, scale: float = 1.0) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(dtype)

    def fwd_bwd(layer: object, x: np.ndarray, dout: np.ndarray) -> Callable[[], object]:
        return lambda: layer.backward(dout) if layer.forward(x) is not None else None

    out: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {}
    x = arr(100, 30, 24, 24)
    out["Relu (100,30,24,24)"] = (fwd_bwd(reference.Relu(), x, x), fwd_bwd(layers.Relu(), x, x))
    h = arr(100, 100)
    out["Sigmoid (100,100)"] = (fwd_bwd(reference.Sigmoid(), h, h), fwd_bwd(layers.Sigmoid(), h, h))
    xa, W, b, da = arr(100, 30, 12, 12), arr(4320, 100, scale=0.01), arr(100), arr(100, 100)
    out["Affine 4320->100"] = (fwd_bwd(reference.Affine(W, b), xa, da), fwd_bwd(layers.Affine(W, b), xa, da))
    s, t = arr(100, 10), rng.integers(0, 10, 100)

    def loss(layer: object) -> Callable[[], object]:
        return lambda: (layer.forward(s, t), layer.backward())

    out["SoftmaxWithLoss (100,10)"] = (loss(reference.SoftmaxWithLoss()), loss(layers.SoftmaxWithLoss()))
    d = arr(100, 50)
    out["Dropout 0.5 (100,50)"] = (fwd_bwd(reference.Dropout(0.5, 0), d, d), fwd_bwd(layers.Dropout(0.5, 0), d, d))
    for name, (xs, ws, pad) in {"Convolution 1->30 5x5 on 28x28": ((100, 1, 28, 28), (30, 1, 5, 5), 0),
                                "Convolution 32->32 3x3 pad 1 on 14x14": ((100, 32, 14, 14), (32, 32, 3, 3), 1)}.items():
        xc, Wc, bc = arr(*xs), arr(*ws, scale=0.1), arr(ws[0])
        plain, fast = reference.Convolution(Wc, bc, 1, pad), Convolution(Wc, bc, 1, pad)
        dc = arr(*fast.forward(xc).shape)
        out[name] = (fwd_bwd(plain, xc, dc), fwd_bwd(fast, xc, dc))
    xp, dp = arr(100, 30, 24, 24), arr(100, 30, 12, 12)
    out["Pooling max 2x2 (100,30,24,24)"] = (fwd_bwd(reference.Pooling(2, 2, 2), xp, dp),
                                             fwd_bwd(layers.Pooling(2, 2, 2), xp, dp))
    xb = arr(100, 32, 14, 14)
    g, be = np.ones(32, dtype), np.zeros(32, dtype)
    out["BatchNorm (100,32,14,14)"] = (fwd_bwd(reference.BatchNormalization(g, be), xb, xb),
                                       fwd_bwd(layers.BatchNormalization(g.copy(), be.copy()), xb, xb))
    return out


def _conv_contenders(case: "_ConvCase", dtype: DTypeLike, with_torch: bool) -> dict[str, Callable[[], object]]:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(case.x_shape).astype(dtype)
    W = (rng.standard_normal(case.w_shape) * 0.1).astype(dtype)
    b = np.zeros(case.w_shape[0], dtype=dtype)
    layer = Convolution(W, b, case.stride, case.pad, input_grad=case.input_grad)
    dout = rng.standard_normal(layer.forward(x).shape).astype(dtype)
    out: dict[str, Callable[[], object]] = {
        "ours forward": lambda: layer.forward(x),
        "ours backward": lambda: layer.backward(dout),
    }
    if with_torch:
        import torch

        tx = torch.from_numpy(x).requires_grad_(case.input_grad)
        tW, tb = torch.from_numpy(W).requires_grad_(), torch.from_numpy(b).requires_grad_()
        tdout = torch.from_numpy(dout)
        conv = torch.nn.functional.conv2d
        held = {}

        def t_forward() -> None:
            with torch.no_grad():
                conv(tx, tW, tb, stride=case.stride, padding=case.pad)

        def t_backward() -> None:  # a forward is needed to have a graph; only backward is timed
            inputs = [tW, tb] + ([tx] if case.input_grad else [])
            torch.autograd.grad(held["out"], inputs, tdout, retain_graph=True)

        held["out"] = conv(tx, tW, tb, stride=case.stride, padding=case.pad)
        out["torch forward"], out["torch backward"] = t_forward, t_backward
    return out


@dataclass(frozen=True)
class _ConvCase:
    name: str
    x_shape: tuple[int, int, int, int]
    w_shape: tuple[int, int, int, int]
    stride: int = 1
    pad: int = 0
    input_grad: bool = True


CONV_CASES = (
    _ConvCase("SimpleConvNet conv1 1->30 5x5 on 28x28 (no dx)", (100, 1, 28, 28), (30, 1, 5, 5), input_grad=False),
    _ConvCase("DeepConvNet conv4 32->32 3x3 pad 1 on 14x14", (100, 32, 14, 14), (32, 32, 3, 3), pad=1),
)


# ------------------------------------------------------------------------ main
def _torch_version_and_threads(threads: int | None) -> tuple[str | None, int | None]:
    try:
        import torch
    except ImportError:
        return None, None
    if threads is not None:
        torch.set_num_threads(threads)
    return torch.__version__, torch.get_num_threads()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m common.tools.bench",
        description="Time our NumPy layers and a SimpleConvNet training step against the "
        "np.dot peak and against PyTorch on the CPU (measured alternately).",
    )
    parser.add_argument("--blocks", type=int, default=5, help="alternating blocks per measurement (default 5)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per block (default 20)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for NumPy's BLAS and for PyTorch (default: BLAS's current setting); "
                        "on a machine busy with other work, --threads 1 gives steadier numbers")
    parser.add_argument("--max-seconds", type=float, default=20.0,
                        help="start no new block after this many seconds per measurement (default 20; "
                        "at least 3 blocks run)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is installed")
    parser.add_argument("--no-float64", action="store_true", help="skip the float64 training step")
    parser.add_argument("--only", choices=("conv", "simple", "deep", "layers"), action="append",
                        help="run only these parts (repeatable; default: all)")
    args = parser.parse_args(argv)
    if args.blocks < 1 or args.steps < 1:
        parser.error("--blocks and --steps must be at least 1")

    if args.threads is not None and not set_blas_threads(args.threads):
        print(f"note: could not set NumPy's BLAS threads; set OPENBLAS_NUM_THREADS={args.threads} instead")
    threads = blas_threads()
    torch_version, torch_threads = (None, None) if args.no_torch else _torch_version_and_threads(
        args.threads or threads)
    with_torch = torch_version is not None

    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    print("Speed check: python -m common.tools.bench")
    print(f"  {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
          f"Python {platform.python_version()}")
    print(f"  NumPy {np.__version__}, BLAS {blas.get('name', '?')} {blas.get('version', '')}, "
          f"{threads if threads is not None else 'unknown number of'} BLAS thread(s) "
          "(element-wise NumPy code runs on one thread)")
    if with_torch:
        print(f"  PyTorch {torch_version}, torch.set_num_threads({torch_threads})")
    elif args.no_torch:
        print("  PyTorch skipped (--no-torch)")
    else:
        print('  PyTorch is not installed: its columns are skipped. Install it with pip install -e ".[bench]" '
              "(make bench does)")
    kept = [f"{k}={os.environ[k]}" for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_") if k in os.environ]
    print("  glibc malloc: " + (" ".join(kept) + " (freed memory is kept, for both contenders alike)" if kept
                                else "default (make bench keeps freed memory, see the Makefile)"))
    print(f"  every time is a median over up to {args.blocks} alternating blocks of {args.steps} runs "
          f"(no new block after {args.max_seconds:g} s)")
    print()

    parts = set(args.only or ("conv", "simple", "deep", "layers"))
    peak32, peak64 = matmul_peak(np.float32), matmul_peak(np.float64)
    print(f"np.dot peak (1024x1024 @ 1024x1024, fastest of 10): float32 {peak32:.0f} GFLOP/s, "
          f"float64 {peak64:.0f} GFLOP/s")
    print()

    if "conv" in parts:
        _conv_table(args, peak32, with_torch)
    dtypes = [np.float32] + ([] if args.no_float64 else [np.float64])
    if "simple" in parts:
        _simple_table(args, dtypes, threads, with_torch)
    if "deep" in parts:
        _deep_row(args, threads, with_torch)
    if "layers" in parts:
        _layer_table(args, dtypes)
    return 0


def _conv_table(args: argparse.Namespace, peak32: float, with_torch: bool) -> None:
    print(f"{'Convolution, batch 100, float32':<47s}{'pass':<9s}{'ours ms':>8s}  {'GFLOP/s':>7s}  "
          f"{'of peak':>10s}" + (f"  {'PyTorch ms':>10s}" if with_torch else ""))
    for case in CONV_CASES:
        gflop = conv_gflop(case.x_shape, case.w_shape, case.stride, case.pad)
        med = alternate(_conv_contenders(case, np.float32, with_torch), args.blocks, args.steps,
                        max_seconds=args.max_seconds)
        # backward: one GEMM for dW, and one more for dx unless the layer skips it
        passes = (("forward", gflop), ("backward", gflop * (2 if case.input_grad else 1)))
        for i, (pass_, work) in enumerate(passes):
            ms = 1000 * float(np.median(med[f"ours {pass_}"]))
            rate = work / ms * 1000
            row = f"{case.name if i == 0 else '':<47s}{pass_:<9s}{ms:8.2f}  {rate:7.1f}  {100 * rate / peak32:8.0f} %"
            if with_torch:
                row += f"  {1000 * float(np.median(med[f'torch {pass_}'])):10.2f}"
            print(row)
    print()


def _simple_table(args: argparse.Namespace, dtypes: list, threads: int | None, with_torch: bool) -> None:
    header = f"{'SimpleConvNet train step, batch 100, Adam':<45s}{'ours ms':>8s}  {'epoch':>12s}"
    if with_torch:
        header += f"   {'PyTorch ms':>10s}  {'epoch':>7s}  {'ours/PyTorch':>12s}  {'per block':>11s}"
    print(header)
    # at BLAS's thread count, and at 1 thread too (what make results uses), each contender alike
    thread_counts = [threads] if args.threads or not threads or threads == 1 else [threads, 1]
    for n_threads in thread_counts:
        if n_threads:
            set_blas_threads(n_threads)
            if with_torch:
                import torch

                torch.set_num_threads(n_threads)
        for dtype in dtypes:
            _train_step_row(dtype, n_threads, with_torch, args)
    if threads and thread_counts != [threads]:
        set_blas_threads(threads)
    if with_torch:
        print("ratio < 1: our NumPy step is faster than PyTorch's (median of the per-block ratios; "
              "'per block' is their range)")
    print("epoch = 600 x the median step: training steps only, without evaluation or data shuffling")
    print("target (issue 24): float32 ours/PyTorch <= 0.8")
    print()


def _deep_row(args: argparse.Namespace, threads: int | None, with_torch: bool) -> None:
    print(f"DeepConvNet train step (no batch norm, dropout on), batch 100, Adam, float32, "
          f"{threads or '?'} thread(s), both alike")
    if not with_torch:
        print("  skipped: PyTorch is not installed")
        return
    med = alternate({"ours": deep_convnet_step(np.float32), "torch": torch_deep_convnet_step(np.float32)},
                    max(3, args.blocks // 2), max(3, args.steps // 4), max_seconds=args.max_seconds)
    ratios = np.array(med["ours"]) / np.array(med["torch"])
    print(f"  ours {_median_ms(med['ours']):.1f} ms, PyTorch {_median_ms(med['torch']):.1f} ms, "
          f"ours/PyTorch {np.median(ratios):.2f} (per block {ratios.min():.2f}-{ratios.max():.2f}; target <= 1.5)")
    print()


def _layer_table(args: argparse.Namespace, dtypes: list) -> None:
    print("Per layer, forward + backward, batch 100: the plain version (common.reference, the book's "
          "formulas) against ours (common.layers)")
    print(f"{'layer':<40s}{'dtype':<9s}{'plain ms':>9s}{'ours ms':>9s}{'speed-up':>9s}  {'per block':>11s}")
    for dtype in dtypes:
        for name, (plain, ours) in layer_contenders(dtype).items():
            med = alternate({"plain": plain, "ours": ours}, args.blocks, args.steps, max_seconds=args.max_seconds / 4)
            ratios = np.array(med["plain"]) / np.array(med["ours"])
            print(f"{name:<40s}{np.dtype(dtype).name:<9s}{_median_ms(med['plain']):9.3f}{_median_ms(med['ours']):9.3f}"
                  f"{np.median(ratios):8.2f}x  {ratios.min():.2f}-{ratios.max():.2f}")
    print("speed-up = plain / ours, median of the per-block ratios; target (issue 24) >= 1.5x for every layer")


def _train_step_row(dtype: DTypeLike, n_threads: int | None, with_torch: bool, args: argparse.Namespace) -> None:
    contenders = {"ours": simple_convnet_step(dtype)}
    if with_torch:
        contenders["torch"] = torch_simple_convnet_step(dtype)
    med = alternate(contenders, args.blocks, args.steps, max_seconds=args.max_seconds)
    ours = float(np.median(med["ours"]))
    label = np.dtype(dtype).name + (f", {n_threads} thread{'s' if n_threads > 1 else ''}" if n_threads else "")
    row = f"{label:<45s}{1000 * ours:8.1f}  {STEPS_PER_EPOCH * ours:10.1f} s"
    if with_torch:
        theirs = float(np.median(med["torch"]))
        ratios = np.array(med["ours"]) / np.array(med["torch"])
        spread = f"{ratios.min():.2f}-{ratios.max():.2f}"
        row += f"   {1000 * theirs:10.1f}  {STEPS_PER_EPOCH * theirs:5.1f} s  {np.median(ratios):12.2f}  {spread:>11s}"
    print(row)


if __name__ == "__main__":
    sys.exit(main())
