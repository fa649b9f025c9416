"""`make assignments`: nbgrader homework made from the chapters' exercises, never by hand.

Every chapter's exercises must pair with a worked answer; the student version nbgrader
makes must be exactly the chapter's stub; the hidden test must catch what the visible
check cannot (an answer that changes its inputs in place); the homework's plot test must
tell a right figure from wrong ones; and nbgrader itself must find every master passing
all its tests and every student version failing them (``nbgrader validate``).
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from hubclient import HOMEWORK, ROOT
from classroom.assignments import (BEGIN, END, build, hidden_test, merge_stub_and_answer,
                                   read_exercises, student_version)
from classroom.homework import PLOT_STUB, PLOT_TEST

CHAPTERS = ROOT / "chapters"
WITH_EXERCISES = [nb for nb in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))
                  if (CHAPTERS / "solutions" / f"{nb.stem}_solutions.ipynb").exists()]


def _code_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("chapter", WITH_EXERCISES, ids=lambda p: p.stem)
def test_each_exercise_pairs_its_stub_with_a_worked_answer(chapter: Path) -> None:
    solutions = CHAPTERS / "solutions" / f"{chapter.stem}_solutions.ipynb"
    exercises = read_exercises(chapter, solutions)
    module = f"ch{chapter.name[:2]}"
    cells = json.loads(chapter.read_text())["cells"]
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                 and re.search(r"^#{1,3}\s.*exercise", "".join(c["source"]), re.I | re.M))
    checks = [re.search(rf"{module}\.(check_\w+)", "".join(c["source"])) for c in cells]
    in_section = [m[1] for m in checks[start:] if m]
    # Every check of the Exercises section is an exercise, and so is every check in the text
    # that the worked solutions answer (with `assert chNN.check_…(`).
    answered = [m[1] for m in checks[:start] if m and f"assert {module}.{m[1]}(" in solutions.read_text()]
    assert [ex.check_name for ex in exercises] == answered + in_section and in_section
    assert [re.match(r"[a-z]+", ex.grade_id)[0] for ex in exercises] == \
        ["try"] * len(answered) + ["ex"] * len(in_section)
    for ex in exercises:
        master = merge_stub_and_answer(ex.stub, ex.answer)
        compile(master, f"{ex.chapter} exercise {ex.number}", "exec")
        assert BEGIN in master and END in master
        # What students get is the chapter's stub, line for line.
        assert _code_lines(student_version(master)) == _code_lines(ex.stub), ex.grade_id
        # and what the master holds is the worked answer (every line of it).
        for line in _code_lines(ex.answer):
            assert line in master.splitlines(), f"{ex.grade_id}: {line!r} missing"
        assert (hidden_test(ex) is None) == (ex.answer_kind == "value")


def test_a_changed_signature_becomes_one_region_after_the_stub() -> None:
    stub = "def f(x):\n    raise NotImplementedError  # your code here\n"
    answer = "def f(x, h=1e-4):\n    return x + h\n"
    master = merge_stub_and_answer(stub, answer)
    assert master == f"{stub}{BEGIN}\n{answer}{END}\n"
    namespace: dict = {}
    exec(master, namespace)
    assert namespace["f"](1.0) == 1.0001  # the answer's definition wins in the master


def _hidden(chapter: str, check: str):
    exercises = read_exercises(CHAPTERS / f"{chapter}.ipynb",
                               CHAPTERS / "solutions" / f"{chapter}_solutions.ipynb")
    return next(ex for ex in exercises if ex.check_name == check)


def _run_hidden(ex, answer_source: str) -> None:
    from common.exercises import ch01, ch04  # noqa: F401 - the checks the hidden test calls
    from common.lessons.perceptron import perceptron

    namespace = {"np": np, "ch01": ch01, "ch04": ch04, "perceptron": perceptron}
    exec(answer_source, namespace)
    code = re.sub(r"### (BEGIN|END) HIDDEN TESTS\n", "", hidden_test(ex))
    with redirect_stdout(io.StringIO()):
        exec(code, namespace)


def test_the_hidden_test_catches_an_answer_that_changes_its_inputs() -> None:
    from common.exercises import ch01
    from common.lessons.perceptron import perceptron

    ex = _hidden("01_perceptron", "check_perceptron_update")
    _run_hidden(ex, ex.answer)  # the worked answer passes
    in_place = ("def my_update(w, b, x, t, lr):\n    step = lr * (t - perceptron(x, w, b))\n"
                "    w += step * x\n    return w, b + step\n")
    namespace = {"np": np, "perceptron": perceptron}
    exec(in_place, namespace)
    with redirect_stdout(io.StringIO()):
        assert ch01.check_perceptron_update(namespace["my_update"]), "the visible check passes copies"
    with pytest.raises(AssertionError, match="changed an argument in place"):
        _run_hidden(ex, in_place)


def test_the_hidden_test_watches_a_layers_methods() -> None:
    ex = _hidden("04_backpropagation", "check_tanh_layer")
    _run_hidden(ex, ex.answer)
    overwrites_x = ("class MyTanh:\n    def forward(self, x):\n"
                    "        self.out = np.tanh(x, out=x)  # the caller's x is gone\n"
                    "        return self.out\n\n    def backward(self, dout):\n"
                    "        return dout * (1 - self.out ** 2)\n")
    with pytest.raises(AssertionError, match=r"MyTanh\.forward.*changed an argument"):
        _run_hidden(ex, overwrites_x)


def _figure(panels: list[tuple[str, tuple[float, float], float]], labelled: bool = True):
    from common.lessons.perceptron import perceptron

    xs = ys = np.linspace(-0.5, 1.5, 41)
    X1, X2 = np.meshgrid(xs, ys)
    fig, axes = plt.subplots(1, len(panels))
    for ax, (name, w, b) in zip(np.atleast_1d(axes), panels):
        Z = perceptron(np.stack([X1, X2], axis=-1), np.array(w), b)
        ax.imshow(Z, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]))
        if labelled:
            ax.set(title=name, xlabel="x₁", ylabel="x₂")
    return fig


GATES = [("AND", (0.5, 0.5), -0.7), ("OR", (0.5, 0.5), -0.2), ("NAND", (-0.5, -0.5), 0.7)]


@pytest.mark.parametrize("case, message", [
    ("right", None),
    ("no labels", "title and labelled axes"),
    ("two gates", "one imshow panel per gate"),
    ("NOR for NAND", "missing \\['NAND'\\]"),
    ("not a half-plane", "changes at most once"),
])
def test_the_homework_plot_test_reads_the_figure_back(case: str, message: str | None) -> None:
    panels = list(GATES)
    if case == "two gates":
        panels = panels[:2]
    if case == "NOR for NAND":
        panels[2] = ("NAND?", (-0.5, -0.5), 0.2)
    fig = _figure(panels, labelled=case != "no labels")
    if case == "not a half-plane":  # XOR's picture: no single line separates it
        Z = np.zeros((41, 41))
        Z[:20, 20:] = Z[20:, :20] = 1
        fig.axes[0].images[0].set_data(Z)
    namespace = {"np": np, "fig": fig}
    try:
        if message is None:
            with redirect_stdout(io.StringIO()) as out:
                exec(PLOT_TEST, namespace)
            assert "AND, OR, NAND" in out.getvalue()
        else:
            with pytest.raises(AssertionError, match=message):
                exec(PLOT_TEST, namespace)
    finally:
        plt.close(fig)


def _build_and_check(course: Path, ids: set[str]) -> None:
    pytest.importorskip("nbgrader", reason="the classroom extra is not installed")
    assert set(build(course, only=ids, check=True)) == ids  # raises if a test misbehaves
    for assignment in ids:
        release = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text())
        source = (course / "source" / assignment / f"{assignment}.ipynb").read_text()
        assert "HIDDEN TESTS" in source and "HIDDEN TESTS" not in json.dumps(release)
        # What nbgrader hands out in each answer cell is the chapter's stub, nothing more.
        chapter = CHAPTER_OF.get(assignment, assignment)
        stubs = {f"{ex.grade_id}_answer": ex.stub for ex in read_exercises(
            CHAPTERS / f"{chapter}.ipynb", CHAPTERS / "solutions" / f"{chapter}_solutions.ipynb")}
        stubs["plot_answer"] = PLOT_STUB
        answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in release["cells"]
                   if c["metadata"].get("nbgrader", {}).get("solution")}
        assert answers
        for grade_id, text in answers.items():
            assert _code_lines(text) == _code_lines(stubs[grade_id]), f"{assignment}: {grade_id}"


CHAPTER_OF = {HOMEWORK: "01_perceptron"}


def test_nbgrader_validates_the_homework(tmp_path: Path) -> None:
    """The master passes every test, the student version fails every one (nbgrader validate)."""
    _build_and_check(tmp_path, {HOMEWORK})


@pytest.mark.slow
def test_nbgrader_validates_every_chapter(tmp_path: Path) -> None:
    """What `make assignments` checks for all chapters (a few minutes; the homework runs in CI)."""
    ids = {nb.stem for nb in WITH_EXERCISES}
    _build_and_check(tmp_path, ids)


def test_an_in_text_exercise_gives_the_library_back_to_the_later_ones() -> None:
    """Chapter 1's first exercise redefines AND, NAND, OR; the later checks need the library's."""
    from classroom.assignments import chapter_master

    cells = chapter_master(CHAPTERS / "01_perceptron.ipynb").cells
    ids = [c.metadata["nbgrader"]["grade_id"] for c in cells]
    restore = ids.index("try1_gates_restore")
    assert ids.index("try1_gates_answer") < restore < ids.index("ex1_perceptron_answer")
    assert "from common.lessons.perceptron import AND, NAND, OR" in cells[restore].source
    assert not cells[restore].metadata["nbgrader"]["grade"]
