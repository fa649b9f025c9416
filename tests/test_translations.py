"""The Japanese edition stays in step with the English source (i18n/translations.py).

- every English markdown cell of a translated notebook has a current, finished unit in
  its catalogue (i18n/ja/…po), and chapters/ja/ is exactly what the generator writes;
- a deliberate edit of one English cell makes the check name the unit to update;
- every `_()` message of src/common is translated, with the same placeholders, and
  common.mo is compiled from common.po;
- a Japanese kernel prints what the generator wrote into the Japanese outputs, and no
  English self-check line is left in them;
- translations keep maths and code as they are, and use the glossary's terms.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("translations", ROOT / "i18n" / "translations.py")
tr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tr)

ENGLISH = tr.translated_notebooks()
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def _units(english: Path) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(tr.catalogue_for(english)), wrapwidth=0) if not e.obsolete]


def test_the_edition_has_its_chapters_and_their_solutions() -> None:
    names = {p.name for p in ENGLISH}
    for stem in ["00_prelude", "01_perceptron", "02_neural_networks", "03_learning", "04_backpropagation", "05_training_techniques", "06_cnn", "07_deep_learning", "08_appendix"]:
        assert f"{stem}.ipynb" in names and f"{stem}_solutions.ipynb" in names, f"{stem} is not in the edition"


def test_messages_catalogue_in_step() -> None:
    problems = tr.check_messages()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("english", ENGLISH, ids=_ids(ENGLISH))
def test_japanese_notebook_in_step(english: Path) -> None:
    messages = tr.Messages(polib.pofile(str(tr.MESSAGES_PO), wrapwidth=0))
    problems = tr.check_notebook(english, messages)
    assert not problems, "\n".join(problems)


def test_japanese_glossary_page_matches_the_yaml() -> None:
    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("book_build", build)  # dataclasses look their module up
    spec.loader.exec_module(build)
    page = ROOT / "chapters" / "ja" / "GLOSSARY.md"
    expected = build.glossary_page_ja(build.find_chapters(page.parent))
    assert page.read_text(encoding="utf-8") == expected, "run `python book/build.py glossary`"


def test_no_stray_japanese_notebook() -> None:
    problems = tr.stray_notebooks()
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- the sync check bites


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A copy of chapter 0 (English, catalogue, Japanese) that the check and update work on."""
    for name, value in [("ROOT", tmp_path), ("CHAPTERS", tmp_path / "chapters"),
                        ("CATALOGUES", tmp_path / "i18n" / "ja"), ("EDITION", tmp_path / "chapters" / "ja")]:
        monkeypatch.setattr(tr, name, value)
    english = ROOT / "chapters" / "00_prelude.ipynb"
    for source, target in [(english, tr.CHAPTERS / english.name),
                           (ROOT / "chapters" / "ja" / english.name, tr.EDITION / english.name),
                           (ROOT / "i18n" / "ja" / "chapters" / "00_prelude.po",
                            tr.CATALOGUES / "chapters" / "00_prelude.po")]:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    messages = tr.Messages(polib.pofile(str(tr.MESSAGES_PO), wrapwidth=0))
    return tr.CHAPTERS / english.name, messages


def _edit_first_section(english: Path) -> str:
    nb = json.loads(english.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown" and tr.source(c).startswith("## 1."))
    cell["source"] = tr.source(cell).replace("They are nested", "They are nested boxes").splitlines(True)
    english.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return cell["id"]


def test_sandbox_starts_in_step(sandbox) -> None:
    english, messages = sandbox
    assert tr.check_notebook(english, messages) == []


def test_an_edited_english_cell_names_its_unit(sandbox) -> None:
    english, messages = sandbox
    cell_id = _edit_first_section(english)
    problems = tr.check_notebook(english, messages)
    line = next(e.linenum for e in polib.pofile(str(tr.catalogue_for(english))) if e.msgctxt == cell_id)
    expected = (f"chapters/ja/00_prelude: update the unit for cell {cell_id} (English changed), "
                f"in i18n/ja/chapters/00_prelude.po line {line}")
    assert any(p.startswith(expected) for p in problems), problems


def test_update_marks_the_changed_unit_fuzzy_and_keeps_the_old_translation(sandbox) -> None:
    english, messages = sandbox
    cell_id = _edit_first_section(english)
    old = next(e for e in _units(english) if e.msgctxt == cell_id)
    po, counts = tr.update_catalogue(english)
    assert counts == {"new": 0, "changed": 1, "removed": 0}
    entry = next(e for e in po if e.msgctxt == cell_id)
    assert "fuzzy" in entry.flags and entry.msgstr == old.msgstr and entry.previous_msgid == old.msgid
    tr.save_catalogue(po, tr.catalogue_for(english))
    japanese = tr.generate(english, po, messages)
    cell = next(c for c in japanese["cells"] if c["id"] == cell_id)
    assert "nested boxes" in tr.source(cell), "a fuzzy unit shows the new English, not the stale Japanese"
    problems = tr.check_notebook(english, messages)
    assert any(f"the unit for cell {cell_id} is fuzzy" in p for p in problems), problems
    assert any("stale" in p for p in problems), problems  # chapters/ja was not regenerated


def test_a_new_cell_and_a_hand_edited_code_cell_are_caught(sandbox) -> None:
    english, messages = sandbox
    nb = json.loads(english.read_text(encoding="utf-8"))
    nb["cells"].insert(3, {"cell_type": "markdown", "id": "newcell1", "metadata": {"slideshow": {"slide_type": "-"}},
                           "source": ["A new paragraph."]})
    english.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    japanese_path = tr.japanese_for(english)
    ja = json.loads(japanese_path.read_text(encoding="utf-8"))
    code = next(c for c in ja["cells"] if c["cell_type"] == "code")
    code["source"] = tr.source(code) + "\nx = 1"
    japanese_path.write_text(json.dumps(ja, ensure_ascii=False, indent=1), encoding="utf-8")
    problems = tr.check_notebook(english, messages)
    assert any("no unit for cell newcell1" in p for p in problems), problems
    assert any(f"code cells differ from the English ones (['{code['id']}'" in p for p in problems), problems


# --------------------------------------------------------------------------- learner messages


def _run(code: str, cwd: Path = ROOT, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "COURSE_LANG"} | env
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environment,
                         capture_output=True, text=True, check=True)
    return out.stdout


def test_language_follows_the_notebook_folder_and_course_lang(tmp_path) -> None:
    show = "from common.config import LANG; print(LANG)"
    assert _run(show).strip() == "en"
    assert _run(show, cwd=ROOT / "chapters" / "ja" / "solutions").strip() == "ja"
    assert _run(show, cwd=ROOT / "chapters" / "ja", COURSE_LANG="en").strip() == "en"
    assert _run(show, cwd=tmp_path, COURSE_LANG="ja").strip() == "ja"
    with pytest.raises(subprocess.CalledProcessError) as bad:
        _run(show, COURSE_LANG="fr")
    assert "COURSE_LANG='fr'" in bad.value.stderr


WRONG_ANSWERS = """
import numpy as np
from common.exercises import ch00
ch00.check_partial_by_hand(lambda a, b, c: 2 * a * b)
ch00.check_central_difference(lambda f, x, i: 0.0)
ch00.check_broadcast_shapes([(100, 50), (4, 3), (2, 3), "nope"])
ch00.check_chain_rule(lambda c: c ** 2)
ch00.check_matrix_gradient(lambda X, W, G: G.T @ X)
from common.exercises import ch03, ch04
def stub(*args):
    raise NotImplementedError  # an empty message: the line ends "NotImplementedError: "
class Stub:
    forward = backward = stub
ch03.check_cross_entropy(stub)
ch04.check_tanh_layer(Stub)
"""


def test_a_japanese_kernel_prints_what_the_generator_writes() -> None:
    """The run-time path (gettext, common.mo) and the generation path (common.po patterns) agree."""
    english = _run(WRONG_ANSWERS, COURSE_LANG="en")
    japanese = _run(WRONG_ANSWERS, COURSE_LANG="ja")
    messages = tr.Messages(polib.pofile(str(tr.MESSAGES_PO), wrapwidth=0))
    assert english != japanese and CJK.search(japanese)
    assert messages.output(english) == japanese


def test_a_line_of_data_is_not_read_as_a_message() -> None:
    """A printed line that only looks like a message ("training: 8 epochs ...", a recipe) stays
    whole; the same shape after a self-check mark, and a progress bar's description, translate."""
    messages = tr.Messages(polib.pofile(str(tr.MESSAGES_PO), wrapwidth=0))
    for data in ["training:     8 epochs of mini-batches of 100",
                 "relu    He      : output spread × 1.027 per layer"]:
        assert messages.line(data + "\n") == data + "\n"
    bar = messages.line("training:  40%|####      | 1200/3000 [00:10<00:15, 118.2batch/s]")
    assert bar.startswith(messages.text("training") + ":  40%|####")
    marked = messages.line("✗ training: " + "it returned None: did you forget `return`?")
    assert CJK.search(marked) and "training" not in marked


def _cell_text(cell) -> str:
    """Everything a code cell printed or returned as text, its stream outputs joined."""
    parts = []
    for out in cell.get("outputs", []):
        text = out.get("text") if out.get("output_type") == "stream" else out.get("data", {}).get("text/plain")
        if text:
            parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts)


def _output_lines(path: Path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        yield from _cell_text(cell).splitlines()


@pytest.mark.parametrize("english", ENGLISH, ids=_ids(ENGLISH))
def test_no_english_learner_message_in_japanese_outputs(english: Path) -> None:
    exact = {e.msgid for e in polib.pofile(str(tr.MESSAGES_PO)) if not tr.field_names(e.msgid)}
    left = [line for line in _output_lines(tr.japanese_for(english))
            if (line.startswith(("✓", "✗")) and not CJK.search(line)) or line.strip() in exact]
    assert not left, f"English learner messages in {tr.japanese_for(english).name}:\n" + "\n".join(left[:10])


# --------------------------------------------------------------------------- writing


# Inline maths and code may be wrapped over two lines in the English (never over a blank line);
# spans are compared with their white space normalised, so the translation may unwrap them.
MATHS_AND_CODE = re.compile(r"\$\$.+?\$\$|\$(?:[^$\n]|\n(?!\n))+\$|`(?:[^`\n]|\n(?!\n))+`", re.DOTALL)


def _spans(text: str) -> set[str]:
    return {" ".join(span.split()) for span in MATHS_AND_CODE.findall(text)}


@pytest.mark.parametrize("english", ENGLISH, ids=_ids(ENGLISH))
def test_maths_and_code_are_not_translated(english: Path) -> None:
    wrong = []
    for e in _units(english):
        if e.msgstr:
            missing = _spans(e.msgid) - _spans(e.msgstr)
            if missing:
                wrong.append(f"cell {e.msgctxt} (line {e.linenum}): {sorted(missing)[:3]}")
    assert not wrong, "maths or code changed in the translation:\n" + "\n".join(wrong)


CORE_TERMS = [
    "backpropagation", "activation function", "loss function", "gradient descent", "convolution",
    "partial derivative", "chain rule", "gradient", "perceptron", "neural network", "deep learning",
    "machine learning", "broadcasting", "transpose", "matrix product", "dot product", "weight", "bias",
    "step function", "sigmoid function", "softmax function", "decision boundary", "mini-batch",
    "learning rate", "identity function", "forward propagation", "half adder / full adder",
]


def _glossary() -> dict[str, list[str]]:
    data = yaml.safe_load((ROOT / "book" / "glossary.yml").read_text(encoding="utf-8"))
    out = {}
    for section in data["chapters"]:
        for term in section["terms"]:
            names = [re.sub(r"\s*\(.*?\)", "", term["en"])]  # aliases ("loss", "step") are too broad
            japanese = [term["ja"], *[re.sub(r"（.*?）", "", a) for a in term.get("also", [])]]
            out[term["en"]] = (names, [j for part in japanese for j in re.split(r"\s*[/／]\s*", part)])
    return out


@pytest.mark.parametrize("english", ENGLISH, ids=_ids(ENGLISH))
def test_core_terms_use_the_glossary(english: Path) -> None:
    glossary = _glossary()
    wrong = []
    for e in _units(english):
        if not e.msgstr:
            continue
        for key in CORE_TERMS:
            names, japanese = glossary[key]
            words = [w for n in names for w in re.split(r"\s*/\s*", n)]
            prose = MATHS_AND_CODE.sub(" ", e.msgid)
            if any(re.search(rf"\b{re.escape(w)}s?\b", prose, re.I) for w in words) and \
                    not any(j in e.msgstr for j in japanese):
                wrong.append(f"cell {e.msgctxt} (line {e.linenum}): '{key}' without {' / '.join(japanese)}")
    assert not wrong, f"{tr.catalogue_for(english).name}:\n" + "\n".join(wrong)


# --------------------------------------------------------------------------- a real kernel


def test_a_japanese_notebook_runs_in_japanese() -> None:
    """Smoke run (quick mode) of the chapter-0 solutions in chapters/ja/solutions, as JupyterLab
    starts it: the self-check lines must be the committed (generated) ones."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "chapters" / "ja" / "solutions" / "00_prelude_solutions.ipynb"
    nb = nbformat.read(path, as_version=4)
    committed = [line for line in _output_lines(path) if line.startswith(("✓", "✗"))]
    env_lang = os.environ.pop("COURSE_LANG", None)
    start = time.time()
    try:
        nbclient.NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_lang is not None:
            os.environ["COURSE_LANG"] = env_lang
    ran = [line for cell in nb.cells for line in _cell_text(cell).splitlines() if line.startswith(("✓", "✗"))]
    assert ran and ran == committed
    assert CJK.search("\n".join(ran))
    print(f"ran {path.name} in {time.time() - start:.1f} s")
