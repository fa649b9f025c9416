"""``make timings``: how long a learner waits for each chapter's Run All, and for which cell.

Each notebook runs in full mode (or quick mode with ``--quick``) from top to bottom in a
fresh Jupyter kernel, one notebook after the other, executed by ``nbclient`` (the engine
under ``jupyter nbconvert --execute`` and nbval) on an in-memory copy: the files on disk are
never written. nbclient stamps each cell with the time its input reached the kernel and the
time the kernel replied; the difference is the cell's time, as JupyterLab shows it. The
kernel follows the course's BLAS policy (``common.config``, one thread by default).

Prints, and writes to ``test-artifacts/timings.md``, the table "chapter | Run All | slowest
cell (index, first line, seconds)" and the course total. Run All is the wall time from
starting the kernel to the last cell's reply, kernel start-up included, as a learner's
"Restart Kernel and Run All" would take. Introduced for issue 24 (where a learner waits);
chapter authors use it before and after making a chapter faster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from common.config import BLAS_THREADS_VARIABLE, REPO_ROOT, notebook_blas_threads

__all__ = ["CellTime", "ChapterTime", "time_notebook", "format_table", "chapter_notebooks", "main"]

ARTIFACT: Path = REPO_ROOT / "test-artifacts" / "timings.md"
"""Where ``make timings`` writes its table."""


@dataclass
class CellTime:
    """One code cell: its execution count (``In [n]``), first source line and seconds."""

    index: int
    first_line: str
    seconds: float


@dataclass
class ChapterTime:
    """One notebook's Run All: wall seconds, and every code cell's time."""

    name: str
    seconds: float
    cells: list[CellTime]
    error: str = ""

    @property
    def slowest(self) -> CellTime | None:
        return max(self.cells, key=lambda c: c.seconds, default=None)


def _seconds(start: str, end: str) -> float:
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def time_notebook(path: str | os.PathLike[str], quick: bool = False, timeout: int = 1800) -> ChapterTime:
    """Run a notebook top to bottom in a fresh kernel and time it and each code cell.

    The notebook on disk is read, never written. ``quick`` sets ``COURSE_QUICK=1``;
    otherwise the variable is removed, so the kernel runs in full mode. A cell that
    raises stops the run; ``error`` then names it, and the times are those so far.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "COURSE_QUICK"}
    if quick:
        env["COURSE_QUICK"] = "1"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = ""
    try:
        client.execute(env=env)
    except CellExecutionError as err:
        error = str(err).strip().splitlines()[-1]
    seconds = time.perf_counter() - start
    cells = []
    for cell in nb.cells:
        stamps = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type != "code" or "iopub.execute_input" not in stamps:
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        cells.append(CellTime(int(cell.get("execution_count") or 0), lines[0].strip() if lines else "",
                              _seconds(stamps["iopub.execute_input"], stamps["shell.execute_reply"])))
    if error:
        error = f"stopped at [{cells[-1].index if cells else '?'}]: {error}"
    return ChapterTime(path.stem, seconds, cells, error)


def _short(text: str, width: int = 60) -> str:
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= width else text[:width - 1] + "…"


def format_table(rows: Sequence[ChapterTime], header: str = "") -> str:
    """The Markdown table of ``make timings``, with the course total in its last row."""
    lines = [header, ""] if header else []
    lines += ["| chapter | Run All | slowest cell |", "|---|---|---|"]
    for row in rows:
        slow = row.slowest
        cell = f"[{slow.index}] `{_short(slow.first_line)}`, {slow.seconds:.1f} s" if slow else "no code cells"
        if row.error:
            cell += f" (**{_short(row.error, 120)}**)"
        lines.append(f"| {row.name} | {row.seconds:.0f} s | {cell} |")
    total = sum(row.seconds for row in rows)
    lines.append(f"| **course total** | **{total:.0f} s ({total / 60:.1f} min)** | |")
    return "\n".join(lines) + "\n"


def chapter_notebooks(only: Sequence[str] = (), solutions: bool = False) -> list[Path]:
    """The chapters in order (``chapters/NN_*.ipynb``), or those whose name starts with one of ``only``."""
    folder = REPO_ROOT / "chapters"
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if solutions:
        paths += sorted((folder / "solutions").glob("[0-9][0-9]_*.ipynb"))
    if only:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in only)]
    return paths


def _machine() -> str:
    load = "/".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    threads = notebook_blas_threads()
    return (f"{platform.node()}, {os.cpu_count()} CPUs, load average {load} (1/5/15 min); "
            f"kernels' BLAS threads: {threads or 'BLAS default'} ({BLAS_THREADS_VARIABLE})")


def main(argv: list[str] | None = None) -> int:
    """``python -m common.tools.timings`` (``make timings``): time every chapter's Run All."""
    parser = argparse.ArgumentParser(
        prog="python -m common.tools.timings",
        description="Run each chapter top to bottom in a fresh kernel (nbclient, full mode) and print "
        "its Run All time and slowest cell; the notebooks are not changed.")
    parser.add_argument("only", nargs="*", help="chapter prefixes, e.g. 03 06 (default: every chapter)")
    parser.add_argument("--quick", action="store_true", help="quick mode (COURSE_QUICK=1), as the tests run")
    parser.add_argument("--solutions", action="store_true", help="also the solutions notebooks")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds a single cell may take")
    parser.add_argument("--out", default=str(ARTIFACT), help="where to write the table (Markdown)")
    args = parser.parse_args(argv)
    paths = chapter_notebooks(args.only, args.solutions)
    if not paths:
        parser.error(f"no chapter notebook starts with {' or '.join(args.only)}")

    mode = "quick mode (COURSE_QUICK=1)" if args.quick else "full mode"
    before = _machine()
    print(f"timing {len(paths)} notebook(s) in {mode}, one fresh kernel each, with nbclient\n{before}")
    rows = []
    for path in paths:
        row = time_notebook(path, quick=args.quick, timeout=args.timeout)
        slow = row.slowest
        print(f"  {row.name}: {row.seconds:.1f} s" + (f" (slowest [{slow.index}] {slow.seconds:.1f} s)" if slow else "")
              + (f"; {row.error}" if row.error else ""), flush=True)
        rows.append(row)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"Run All per notebook, {mode}, one fresh kernel each, executed with nbclient "
              f"({stamp}; Python {sys.version.split()[0]}).\n\nBefore: {before}.  \nAfter: {_machine()}.")
    table = format_table(rows, header)
    print("\n" + table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    print(f"written to {out}")
    return 1 if any(row.error for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
