"""Committed notebooks are executed, in order, without errors, in full mode, and follow the conventions.

nbval re-runs them (quick mode) in `make test`; these checks look at what is committed,
which is what the book and the slides show.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(p for p in CHAPTERS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CHAPTER_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent == CHAPTERS]
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
MIN_WORDS = {"05": 2500, "06": 2500, "07": 2500}  # the long chapters; 1,500 elsewhere


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and _source(c).strip()]


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(CHAPTERS)) for p in paths]


def test_there_are_chapters() -> None:
    assert CHAPTER_NOTEBOOKS, "no chapter notebooks found in chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_executed_top_to_bottom_without_errors(path: Path) -> None:
    nb = _load(path)
    cells = _code_cells(nb)
    counts = [c.get("execution_count") for c in cells]
    unexecuted = [i for i, n in enumerate(counts) if n is None]
    assert not unexecuted, f"{len(unexecuted)} code cells not executed: run `make notebook NB={path.relative_to(ROOT)}`"
    assert counts == list(range(1, len(counts) + 1)), f"execution counts out of order: {counts}"
    for i, cell in enumerate(cells):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"code cell {i} has an error output: {out.get('ename')}"
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = "".join(out.get("text", ""))
                assert "Traceback" not in text and "Error" not in text, f"code cell {i} wrote an error to stderr"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_in_full_mode(path: Path) -> None:
    first = _code_cells(_load(path))[0]
    text = "".join("".join(o.get("text", "")) for o in first.get("outputs", []))
    assert "Full mode" in text, "the first code cell must print common.config.describe(), executed in full mode"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_first_cell_conventions(path: Path) -> None:
    nb = _load(path)
    first = _source(_code_cells(nb)[0])
    assert "%autoreload 2" in first and "default_rng(SEED)" in first and "describe()" in first
    for cell in _code_cells(nb):
        src = _source(cell)
        assert "sys.path" not in src, "notebooks import the installed package; never edit sys.path"
        assert not re.search(r"np\.random\.(seed|rand|randn|randint|choice)\(", src), "use a seeded default_rng"
        assert "pickle" not in src, "no pickle: use .npz with allow_pickle=False"


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=_ids(CHAPTER_NOTEBOOKS))
def test_chapter_structure(path: Path) -> None:
    nb = _load(path)
    types = [c.get("metadata", {}).get("slideshow", {}).get("slide_type") for c in nb["cells"]]
    missing = [i for i, t in enumerate(types) if t not in SLIDE_TYPES]
    assert not missing, f"cells without slide metadata: {missing[:10]}"
    assert types.count("slide") >= 5 and "notes" in types, "a lecture deck needs slides and speaker notes"
    tags = [t for c in nb["cells"] for t in c.get("metadata", {}).get("tags", [])]
    assert "nbval-check-output" in tags, "tag the deterministic cells nbval-check-output"
    words = sum(len(_source(c).split()) for c in nb["cells"] if c["cell_type"] == "markdown")
    need = MIN_WORDS.get(path.name[:2], 1500)
    assert words >= need, f"{words} words of prose; this chapter needs at least {need}"
    solutions = CHAPTERS / "solutions" / f"{path.stem}_solutions.ipynb"
    assert solutions.exists(), f"missing worked solutions: {solutions.relative_to(ROOT)}"


NOTES_BOX = re.compile(
    r'\A<details class="lecturer-notes"><summary><b>Notes for the lecturer</b></summary>\n\n'
    r".*\S.*\n\n</details>\s*\Z", re.DOTALL)
LECTURER_WORDS = re.compile(r"lecturer-notes|\Aspeaker notes|\Anotes for the lecturer", re.IGNORECASE)


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=_ids(CHAPTER_NOTEBOOKS))
def test_lecturer_notes_are_labelled_and_apart(path: Path) -> None:
    """Every speaker note is a collapsed, labelled box; no learner cell carries one.

    JupyterLab renders notes cells as ordinary text, so an unlabelled note reads like
    course text addressed to the learner. book/build.py unboxes them for the book's
    dropdown and the decks' speaker view.
    """
    for i, cell in enumerate(_load(path)["cells"]):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        text = _source(cell)
        if kind == "notes":
            assert cell["cell_type"] == "markdown", f"cell {i}: speaker notes must be markdown"
            assert NOTES_BOX.match(text), (
                f"cell {i}: speaker notes must be wrapped as "
                '<details class="lecturer-notes"><summary><b>Notes for the lecturer</b></summary>'
                f", a blank line, the text, a blank line and </details>; it starts {text[:60]!r}")
        elif cell["cell_type"] == "markdown":
            assert not LECTURER_WORDS.search(text.strip()), (
                f"cell {i} is lecturer material in a learner cell: give it slide type 'notes'")
