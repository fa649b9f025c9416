"""The seminar's homework as an assignment: plot the function your perceptron computes.

The first seminar session ends with it (``../shared/seeds/004_*.txt``), and chapter 1 turns
it into an exercise, ``my_output_grid``. The assignment takes that exercise exactly as
every chapter assignment does (stub, worked answer, self-check, hidden test) and adds
what is graded only here: more grids the hidden test tries, and the plot itself. The
plot's test reads the figure back: every panel must show a perceptron's 0/1 output (a
half-plane: each row and each column of the image switches at most once, all the same
way), with a title and
labelled axes, and the panels together must compute AND, OR and NAND on the four inputs.
The worked plot is the solutions notebook's cell after the answer.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from classroom.assignments import (AssignmentError, assignment_notebook, cell_meta, code_cell,
                                   exercise_cells, markdown_cell, read_exercises, setup_cell)

HOMEWORK_ID = "homework_plot_perceptron"
CHAPTER = "01_perceptron"
CHECK = "check_output_grid"
GRID_POINTS = 2
PLOT_POINTS = 3

INTRO = """The homework of the first seminar: *write a program that plots what your perceptron
computes*. First the function that evaluates a perceptron on a grid of points, then the
picture. Both are graded: the function by the chapter's check and by hidden tests on other
grids, the picture by a test that reads your figure back."""

PLOT_TASK = """**Now plot it.** In one figure called `fig`, draw what a perceptron computes over
the square −0.5 ≤ x₁, x₂ ≤ 1.5 for the weights of AND, OR and NAND (chapter 1 gives one set
for each; any that work will do), one panel per gate. Use your `my_output_grid` and
`ax.imshow(Z, origin="lower", extent=(x_min, x_max, y_min, y_max))`, give every panel a title
and labelled axes, and mark the four inputs. Before you run it, say what each picture will
look like."""

PLOT_STUB = """\
# fig = one figure, one panel per gate (AND, OR, NAND), each made with my_output_grid and
# imshow(..., origin="lower", extent=...), with a title and axis labels.
"""

GRID_TESTS = '''\
### BEGIN HIDDEN TESTS
for _w, _b, _xs, _ys in [
    (np.array([-1.0, 2.0]), 0.25, np.linspace(-2.0, 2.0, 9), np.linspace(-1.0, 1.0, 4)),
    (np.array([0.5, 0.5]), -0.5, np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0])),  # sums of 0
]:
    _X1, _X2 = np.meshgrid(_xs, _ys)
    _want = (_w[0] * _X1 + _w[1] * _X2 + _b > 0).astype(int)
    _got = np.asarray(my_output_grid(_w.copy(), _b, _xs.copy(), _ys.copy()))
    assert _got.shape == _want.shape, f"shape {_got.shape}, expected (len(ys), len(xs)) = {_want.shape}"
    assert np.array_equal(_got, _want), f"wrong outputs for w = {_w}, b = {_b} on a {_want.shape} grid"
### END HIDDEN TESTS
'''

PLOT_TEST = '''\
from common.lessons.perceptron import gate_name


def _gate_shown(image, Z):
    """The gate an image computes: its values at the inputs (0, 0), (0, 1), (1, 0), (1, 1)."""
    left, right, bottom, top = image.get_extent()
    rows, cols = Z.shape

    def at(x, y):
        j = int((x - left) / (right - left) * cols)
        i = int((y - bottom) / (top - bottom) * rows)
        i, j = min(max(i, 0), rows - 1), min(max(j, 0), cols - 1)
        return Z[i if image.origin == "lower" else rows - 1 - i, j]

    return gate_name([at(0, 0), at(0, 1), at(1, 0), at(1, 1)])


panels = [ax for ax in fig.axes if ax.images]
assert len(panels) >= 3, f"expected one imshow panel per gate (AND, OR, NAND), found {len(panels)}"
shown = []
for ax in panels:
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), \\
        "every panel needs a title and labelled axes"
    Z = np.asarray(ax.images[0].get_array(), dtype=float)
    assert Z.ndim == 2 and set(np.unique(Z)) <= {0.0, 1.0}, "each image should hold 0/1 outputs"
    for lines in (Z, Z.T):  # rows, then columns
        steps = [np.diff(line)[np.diff(line) != 0] for line in lines]
        directions = set(np.concatenate(steps).tolist())
        assert all(len(s) <= 1 for s in steps) and len(directions) <= 1, (
            "a perceptron's output changes at most once along any row or column, always the "
            "same way: its boundary is one straight line")
    shown.append(_gate_shown(ax.images[0], Z))
missing = {"AND", "OR", "NAND"} - set(shown)
assert not missing, f"the panels compute {shown}; missing {sorted(missing)} (check extent and weights)"
print("✓ The figure shows", ", ".join(shown))
'''


def homework_master(chapters: Path) -> nbformat.NotebookNode:
    chapter = chapters / f"{CHAPTER}.ipynb"
    solutions = chapters / "solutions" / f"{CHAPTER}_solutions.ipynb"
    exercise = next((ex for ex in read_exercises(chapter, solutions) if ex.check_name == CHECK), None)
    if exercise is None:
        raise AssignmentError(f"the homework needs the exercise checked by ch01.{CHECK} in {chapter.name}")
    if not exercise.followers:
        raise AssignmentError(f"{solutions.name}: the homework needs the worked plot, a code cell "
                              f"right after the answer to ch01.{CHECK}")
    plot = exercise.followers[0].rstrip("\n")
    body = [
        *exercise_cells(exercise),
        code_cell(GRID_TESTS, cell_meta("grid_more", grade=True, locked=True, points=GRID_POINTS)),
        markdown_cell(PLOT_TASK, "plot_task"),
        code_cell(f"{PLOT_STUB}### BEGIN SOLUTION\n{plot}\n### END SOLUTION",
              cell_meta("plot_answer", solution=True)),
        code_cell(PLOT_TEST, cell_meta("plot_check", grade=True, locked=True, points=PLOT_POINTS)),
    ]
    title = "Homework: plot what your perceptron computes"
    return assignment_notebook(title, INTRO, setup_cell(solutions), body)
