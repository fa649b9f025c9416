"""The glossary is complete for the bold terms of every chapter, and reachable from the notebooks.

`book/glossary.yml` is the one source. `python book/build.py glossary` turns it into
`chapters/GLOSSARY.md`, a plain Markdown page that JupyterLab opens from a chapter's link
and that the book shows as its glossary page; it is committed, so it must match the YAML.

A chapter sets a term in **bold** where it introduces it; every such term must be in the
glossary (its English name, the name without a parenthesis, the abbreviation in the
parenthesis, one side of an "a / b" pair, an entry's `aliases`, or a plural of these).
Bold that is emphasis rather than a term belongs in *italics*; the few bold phrases that
are not terms and stay bold (run-in headings end with ".", ":" or "?" and are skipped
automatically) are listed in EMPHASIS below.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
GLOSSARY_YML = ROOT / "book" / "glossary.yml"
CHAPTER_NOTEBOOKS = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))

BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'"})

# Bold phrases of the chapters that are emphasis, not terms, by notebook prefix. Prefer
# italics for emphasis; list a phrase here only when it must stay bold. An entry that is no
# longer bold in its chapter fails the test, so the list cannot go stale.
EMPHASIS: dict[str, set[str]] = {
    "00": {"By the end of this chapter you will be able to", "one"},
    "01": {"no single perceptron computes XOR", "hidden", "universal"},
    "02": {"shift"},
    "03": {"never seen", "zero almost everywhere", "negative", "bowl", "elongated", "saddle",
           "of the same shape", "update", "repeat", "end to end", "Mini-batches", "Numerical derivatives"},
    "04": {"four matrix equations", "local", "several", "add up", "Add", "unchanged", "Multiply", "other",
           "add", "multiply", "four equations"},
    "05": {"elongated", "rosenbrock", "saddle", "η × tuned", "symmetry", "expressiveness is limited",
           "overfits", "narrow the range"},
    "06": {"no parameters to learn", "each channel separately", "change", "hierarchy of features"},
    "08": {"training a classifier minimises the KL divergence from the labels to the network's predictions"},
}


def _build_module():
    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _normal(text: str) -> str:
    text = text.translate(DASHES).lower().replace("-", " ")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"'s\b", "", text)
    return text.strip(" .,:;")


def _names(entry: dict) -> set[str]:
    """Every form under which a glossary entry counts as present."""
    names = set()
    for full in [entry["en"], *entry.get("aliases", [])]:
        for part in re.split(r"\s+/\s+", full):
            names.add(part)
            bare = re.sub(r"\s*\([^)]*\)", "", part).strip()
            names.add(bare)
            for inside in re.findall(r"\(([^)]*)\)", part):
                names.update(p.strip() for p in inside.split(","))
    return {_normal(n) for n in names if n.strip()}


def _known_terms() -> set[str]:
    data = yaml.safe_load(GLOSSARY_YML.read_text(encoding="utf-8"))
    return {n for section in data["chapters"] for entry in section["terms"] for n in _names(entry)}


def _is_known(term: str, known: set[str]) -> bool:
    """``term`` as written, or without its parenthesis ("deep learning (DL)"), or singular."""
    forms = set()
    for t in (_normal(term), _normal(re.sub(r"\s*\([^)]*\)", "", term))):
        forms |= {t, t[:-1] if t.endswith("s") else t, t[:-2] if t.endswith("es") else t}
    return bool(forms & known)


def _markdown_cells(path: Path) -> list[tuple[int, str]]:
    """(index, source) of each learner-facing markdown cell (speaker notes are for the lecturer)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out = []
    for i, cell in enumerate(cells):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if cell["cell_type"] == "markdown" and kind != "notes":
            src = cell["source"]
            out.append((i, "".join(src) if isinstance(src, list) else src))
    return out


def _bold_phrases(path: Path) -> list[tuple[int, str]]:
    found = []
    for i, source in _markdown_cells(path):
        for m in BOLD.finditer(source):
            phrase = re.sub(r"\s+", " ", m.group(1)).strip()
            if phrase.endswith((".", ":", "?")) or "$" in phrase:
                continue  # a run-in heading ("**Exercise 1 · …**", "**Locality.**") or a formula
            found.append((i, phrase))
    return found


def test_glossary_page_matches_the_yaml() -> None:
    pytest.importorskip("docutils", reason="the book's tools are not installed (make test-min leaves them out)")
    build = _build_module()
    page = CHAPTERS / build.GLOSSARY_NAME
    expected = build.glossary_page(build.find_chapters(CHAPTERS))
    assert page.exists() and page.read_text(encoding="utf-8") == expected, (
        "chapters/GLOSSARY.md is out of date with book/glossary.yml: "
        "run `.venv/bin/python book/build.py glossary` and commit the result")


def test_glossary_entries_are_complete_and_unique() -> None:
    data = yaml.safe_load(GLOSSARY_YML.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for section in data["chapters"]:
        for entry in section["terms"]:
            assert set(entry) <= {"en", "ja", "reading", "also", "aliases", "means"}, f"unknown key in {entry}"
            assert entry["en"].strip() and entry["ja"].strip() and entry["means"].strip(), entry
            key = _normal(entry["en"])
            assert key not in seen, f"{entry['en']!r} is listed twice (chapters {seen[key]} and {section['number']})"
            seen[key] = section["number"]


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=[p.stem for p in CHAPTER_NOTEBOOKS])
def test_every_bold_term_is_in_the_glossary(path: Path) -> None:
    known = _known_terms()
    emphasis = {_normal(e) for e in EMPHASIS.get(path.name[:2], set())}
    missing = sorted({f"{phrase!r} (cell {i})" for i, phrase in _bold_phrases(path)
                      if _normal(phrase) not in emphasis and not _is_known(phrase, known)})
    assert not missing, (
        f"{path.name} sets these in bold but book/glossary.yml lacks them: {', '.join(missing)}. "
        "Add each term (en, ja, reading, means; `aliases` for other spellings) under the chapter that "
        "introduces it and run `.venv/bin/python book/build.py glossary`; if a phrase is emphasis, "
        "not a term, write it in *italics* (or, if it must stay bold, list it in EMPHASIS in "
        "tests/test_glossary.py).")


@pytest.mark.parametrize("prefix", sorted(EMPHASIS))
def test_emphasis_list_is_current(prefix: str) -> None:
    paths = [p for p in CHAPTER_NOTEBOOKS if p.name.startswith(prefix)]
    if not paths:
        pytest.skip(f"no chapter {prefix} notebook")
    bold = {_normal(phrase) for p in paths for _, phrase in _bold_phrases(p)}
    stale = sorted(e for e in EMPHASIS[prefix] if _normal(e) not in bold)
    assert not stale, f"EMPHASIS lists phrases no longer bold in chapter {prefix}: {stale}; remove them"


@pytest.mark.parametrize("path", sorted(p for p in CHAPTERS.rglob("[0-9][0-9]_*.ipynb")
                                         if ".ipynb_checkpoints" not in p.parts), ids=lambda p: p.stem)
def test_a_mention_of_the_glossary_links_to_it(path: Path) -> None:
    # chapters/ and chapters/ja/ each hold a GLOSSARY.md; solutions/ link one folder up
    link = "GLOSSARY.md" if path.parent in (CHAPTERS, CHAPTERS / "ja") else "../GLOSSARY.md"
    for i, source in _markdown_cells(path):
        if re.search(r"\bglossary\b", source, re.IGNORECASE):
            assert f"]({link}" in source, (
                f"cell {i} of {path.name} mentions the glossary without linking to it: "
                f"write [glossary]({link}), which opens in JupyterLab and in the book")
