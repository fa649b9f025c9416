"""Plumbing shared by the chapter self-check modules (``ch00`` … ``ch08``).

Every ``check_…`` must call the learner's code without ever raising, turn what
it returns into numbers or arrays, and end with one verdict line. Those pieces
used to be copied into each chapter module; they live here once instead. The
wording of every message is part of the course (notebooks and tests compare the
printed output), so change a string here only on purpose. Private: the
notebooks import the chapter modules, never this one.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from common.translation import _

OK, BAD = "✓", "✗"


def report(mark: str, message: str) -> None:
    """Print one verdict line, ``✓ message`` or ``✗ message``, in one write (so a kernel never
    splits the mark from its message between two outputs)."""
    print(f"{mark} {message}")


def name(fn: object) -> str:
    """The learner's function name for a message, or ``"your function"``."""
    return getattr(fn, "__name__", None) or _("your function")


def not_done(fn: object) -> str:
    """The message for a stub that still raises ``NotImplementedError``."""
    return _("Not done yet: {name} still raises NotImplementedError. "
             "Replace the `raise` line with your code, then run this check again.").format(name=name(fn))


def names_used(fn: object) -> set[str]:
    """Global, enclosing and attribute names that ``fn``'s code looks up, nested code included.

    Lets a check notice that an answer calls the library function it is meant to
    replace (``perceptron``, ``softmax``, ``numerical_gradient``). Local variables are
    not included; a callable without Python code (a builtin, a NumPy ufunc) gives an
    empty set.
    """
    code = getattr(fn, "__code__", None) or getattr(getattr(fn, "__call__", None), "__code__", None)
    names: set[str] = set()
    stack = [code] if isinstance(code, types.CodeType) else []
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        names.update(c.co_freevars)       # names from an enclosing function, e.g. an import inside it
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return names


def call(fn: Callable[..., Any], *args: Any,
         show: Callable[[Any], str] | None = None) -> tuple[bool, Any]:
    """Call the learner's ``fn``; return ``(True, value)`` or ``(False, message)``.

    An unfinished stub gets the :func:`not_done` message; any other exception
    becomes ``"fn raised Type: text"``, or ``"fn(arg, …) raised …"`` when ``show``
    is given to format the arguments.
    """
    try:
        return True, fn(*args)
    except NotImplementedError:
        return False, not_done(fn)
    except Exception as exc:  # noqa: BLE001 - a learner's bug must become a message, not a traceback
        where = name(fn) if show is None else f"{name(fn)}({', '.join(show(a) for a in args)})"
        return False, _("{where} raised {error}").format(where=where, error=f"{type(exc).__name__}: {exc}")


def call_reporting(func: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """Call ``func``; return ``(value, None)`` or ``(None, "Type: text")`` for any exception.

    Unlike :func:`call`, a stub's ``NotImplementedError`` is reported like any other error.
    """
    try:
        return func(*args), None
    except Exception as exc:  # the learner's code may fail in any way; report it, do not raise
        return None, f"{type(exc).__name__}: {exc}"


def as_float(value: Any) -> float | None:
    """One float from a number or a one-element 0-d array; ``None`` if that is impossible."""
    try:
        return float(np.asarray(value, dtype=float).reshape(()))
    except (TypeError, ValueError):
        return None


def as_array(value: Any) -> np.ndarray | None:
    """A float array from ``value``; ``None`` if it cannot be converted (``None`` itself gives NaN)."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def number(v: Any) -> float | None:
    """One float from a single-element value; ``None`` for ``None``, non-numbers and arrays of several."""
    if v is None:
        return None
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(arr) if arr.size == 1 else None


def summary(n_wrong: int, n_total: int, *, one_right: str | None = None,
            one_wrong: str | None = None) -> bool:
    """Print the closing line for ``n_total`` tests of which ``n_wrong`` failed; True if none did.

    ``one_right``/``one_wrong`` replace the text (after the mark) when there is a single test.
    """
    single = n_total <= 1
    if n_wrong == 0:
        report(OK, one_right if single and one_right is not None else _("All {n} tests passed.").format(n=n_total))
        return True
    if single and one_wrong is not None:
        report(BAD, one_wrong)
    else:
        report(BAD, _("{wrong} of {total} tests failed: read the lines above, fix, run again."
                     ).format(wrong=n_wrong, total=n_total))
    return False


def verdict(wrong: list[str], total: int, right: str, shown: int = 4) -> bool:
    """Print up to ``shown`` wrong cases and a count, or ``✓ right``; True when nothing is wrong."""
    if wrong:
        for line in wrong[:shown]:
            report(BAD, line)
        if len(wrong) > shown:
            print(_("… and {n} more wrong.").format(n=len(wrong) - shown))
        print(_("{right} of {total} cases right.").format(right=total - len(wrong), total=total))
        return False
    report(OK, right)
    return True


# ------------------------------------------------------------------ shortcuts
# A check that compares the learner's function with a library function should not accept
# that library function itself. These helpers record whether the learner's code called one.

_PAUSED = [0]  # > 0 while a check computes its own hints with the library


@contextmanager
def own_calls() -> Iterator[None]:
    """The check's own use of the library (hints), which :func:`watching` must not count."""
    _PAUSED[0] += 1
    try:
        yield
    finally:
        _PAUSED[0] -= 1


@contextmanager
def watching(fn: Callable, library: Mapping[str, Callable]) -> Iterator[set[str]]:
    """Record which of the ``library`` functions ``fn`` calls, however it reached them.

    Every name bound to one of them, in ``fn``'s module (the notebook) and in the
    modules that define them, and in the variables ``fn`` closes over, is swapped
    for a recording wrapper for the duration, then put back. A method
    (``ResidualBlock.backward``) is swapped on its class. A library function passed in
    as ``fn`` itself counts as used.
    """
    used = {label for label, f in library.items() if fn is f}   # the library function handed in as it is

    def spy(label: str, original: Callable) -> Callable:
        @functools.wraps(original)
        def recording(*args: Any, **kwargs: Any) -> Any:
            if not _PAUSED[0]:
                used.add(label)
            return original(*args, **kwargs)
        return recording

    spies: dict[int, Callable] = {}
    for label, f in library.items():             # one name per function, however many aliases it has
        spies.setdefault(id(f), spy(label, f))
    owners: list[Any] = [_Globals(getattr(fn, "__globals__", None))]
    for f in library.values():
        module = sys.modules.get(getattr(f, "__module__", ""))
        if module is None:
            continue
        owners.append(module)
        cls, _, _ = getattr(f, "__qualname__", "").rpartition(".")
        if cls and isinstance(getattr(module, cls, None), type):
            owners.append(getattr(module, cls))  # a method: swap it on its class
    patched: list[tuple[Any, str, Any]] = []
    for cell in getattr(fn, "__closure__", None) or ():  # names the function closes over
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if id(value) in spies:
            patched.append((_Cell(cell), "cell_contents", value))
    seen: set[int] = set()
    for owner in owners:
        space = vars(owner) if not isinstance(owner, _Globals) else owner.space
        if space is None or id(space) in seen:
            continue
        seen.add(id(space))
        for key, value in list(space.items()):
            if id(value) in spies and not key.startswith("__"):
                patched.append((owner, key, value))
    for owner, key, value in patched:
        setattr(owner, key, spies[id(value)])
    try:
        yield used
    finally:
        for owner, key, value in reversed(patched):
            setattr(owner, key, value)


class _Cell:
    """A closure cell of the learner's function, for :func:`watching`."""

    def __init__(self, cell: Any) -> None:
        object.__setattr__(self, "cell", cell)

    def __setattr__(self, key: str, value: Any) -> None:
        self.cell.cell_contents = value


class _Globals:
    """A namespace dict (a notebook's globals) that :func:`watching` can set attributes on."""

    def __init__(self, space: dict | None) -> None:
        object.__setattr__(self, "space", space)

    def __setattr__(self, key: str, value: Any) -> None:
        self.space[key] = value


def shortcut(fn: Callable, used: set[str], instead: str) -> bool:
    """Print why calling the library is not an answer, and return True, if ``fn`` called one.

    ``instead`` (what to do instead) is a message the caller translated with ``_()``.
    """
    if not used:
        return False
    report(BAD, _("{name} calls {names}, which computes the answer for you: {hint}"
                  ).format(name=name(fn), names=", ".join(sorted(used)), hint=instead))
    return True
