"""``make assignments``: nbgrader homework generated from the chapters' own exercises.

    python -m classroom.assignments                  # -> classroom/_build/course/
    python -m classroom.assignments --only 01_perceptron homework_plot_perceptron

For every chapter with exercises, one master notebook (nbgrader's "source" version)
is written from three things the course already has:

- the exercise cells of ``chapters/NN_name.ipynb`` (statement and stub);
- the worked answers in ``chapters/solutions/NN_name_solutions.ipynb``;
- the self-checks ``common.exercises.chNN.check_…``, reused as the visible tests.

The stub and the worked answer are merged line by line: what they share stays as it
is, what the answer adds becomes a ``### BEGIN SOLUTION`` region, and the stub's own
placeholder lines stay around it, so nbgrader's student version shows exactly the
chapter's stub. Each answer that is a function or class also gets a hidden test: the
check must pass while the answer leaves its inputs unchanged (the course's rule that a
layer never modifies ``dout`` in place, applied to every exercise; the self-checks pass
copies, so they cannot see it). The seminar's homework, plotting what a perceptron
computes, becomes an assignment of its own (``classroom/homework.py``).

Nothing here is edited by hand: when a chapter's exercises change, run this again.
nbgrader then generates the student versions, and unless ``--no-validate`` is given,
every master must pass all its tests and every student version must fail them all
(``nbgrader validate`` and ``validate --invert``).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import json
import multiprocessing
import os
import re
import shutil
import sys
import tokenize
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

KIT = Path(__file__).resolve().parent
ROOT = KIT.parent
CHAPTERS = ROOT / "chapters"
DEFAULT_COURSE = KIT / "_build" / "course"
COURSE_ID = "dl-course"

CHECK_POINTS = 2   # the course's self-check, visible to the student
HIDDEN_POINTS = 1  # the hidden test: the check again, with the inputs watched
# nbgrader replaces a solution region by this; the chapter's own stub lines, kept around
# the region, already say "your code here", so the replacement is an empty line.
CODE_STUB = ""
EXERCISES_HEADING = re.compile(r"^#{1,3}\s.*exercise", re.IGNORECASE | re.MULTILINE)
NOTES_SLIDE = "notes"


class AssignmentError(ValueError):
    """The chapters and their worked answers do not fit together; the message says where."""


@dataclass
class Exercise:
    chapter: str          # notebook stem, e.g. "01_perceptron"
    number: int           # 1, 2, … in chapter order
    statement: list[str]  # the markdown cells that state it
    stub: str             # the chapter's stub, without the check call
    check_call: str       # e.g. "ch01.check_perceptron(my_perceptron)"
    check_name: str       # e.g. "check_perceptron"
    answer: str           # the worked answer, with the stub's names
    answer_kind: str      # "function", "class" or "value"
    answer_name: str | None
    followers: list[str] = field(default_factory=list)  # worked cells after the answer
    in_text: bool = False  # a "try it" cell in the text, numbered apart from the Exercises section

    @property
    def grade_id(self) -> str:
        return f"{'try' if self.in_text else 'ex'}{self.number}_{self.check_name.removeprefix('check_')}"


# --------------------------------------------------------------------------- reading


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _slide_type(cell: dict) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def _check_calls(tree: ast.AST, module: str) -> list[ast.Call]:
    """Calls of ``module.check_…`` anywhere in ``tree``."""
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == module
            and node.func.attr.startswith("check_")]


def _parse(source: str, where: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise AssignmentError(f"{where}: cannot parse the cell ({exc.msg}, line {exc.lineno})") from exc


def _without(source: str, stmt: ast.stmt) -> str:
    """``source`` without the lines of statement ``stmt`` (the check call)."""
    lines = source.splitlines()
    kept = lines[:stmt.lineno - 1] + lines[stmt.end_lineno:]
    return "\n".join(kept).strip("\n") + "\n" if any(l.strip() for l in kept) else ""


def _before(source: str, stmt: ast.stmt) -> str:
    """``source`` up to statement ``stmt`` (the worked answer before its ``assert``)."""
    kept = source.splitlines()[:stmt.lineno - 1]
    return "\n".join(kept).strip("\n") + "\n" if any(l.strip() for l in kept) else ""


def _rename(source: str, old: str, new: str) -> str:
    """``source`` with every Python name ``old`` replaced by ``new`` (strings and comments untouched)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    for tok in reversed(tokens):
        if tok.type == tokenize.NAME and tok.string == old:
            (row, col), (_, end) = tok.start, tok.end
            line = lines[row - 1]
            lines[row - 1] = line[:col] + new + line[end:]
    return "".join(lines)


def _answer_kind(stub_tree: ast.Module, name: str | None) -> str:
    for node in stub_tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return "function"
        if isinstance(node, ast.ClassDef) and node.name == name:
            return "class"
    return "value"


def _worked_answers(solutions: dict, module: str, where: str) -> dict[str, tuple[str, list[str], list[str]]]:
    """check name -> (answer source, what the check is passed (names or literals), worked cells that follow)."""
    found: dict[str, tuple[str, list[str], list[str]]] = {}
    cells = solutions["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = _source(cell)
        tree = _parse(source, f"{where}, cell {i}") if "check_" in source else None
        if tree is None:
            continue
        for stmt in tree.body:
            if not (isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Call)):
                continue
            calls = _check_calls(stmt.test, module)
            if not calls or calls[0] is not stmt.test or calls[0].func.attr in found:
                continue
            args = [a.id if isinstance(a, ast.Name) else ast.get_source_segment(source, a)
                    for a in stmt.test.args]
            followers = []
            for later in cells[i + 1:]:
                text = _source(later)
                if later["cell_type"] == "markdown" and text.lstrip().startswith("#"):
                    break  # the next exercise's section
                if later["cell_type"] == "code" and "assert not" not in text:
                    followers.append(text)
            found[calls[0].func.attr] = (_before(source, stmt) or _code_just_above(cells, i), args, followers)
    return found


def _code_just_above(cells: list[dict], i: int) -> str:
    """The code cells right above cell ``i``: a worked answer defined there, checked in a cell of its own."""
    above: list[str] = []
    for cell in reversed(cells[:i]):
        if cell["cell_type"] != "code":
            break
        above.insert(0, _source(cell).strip("\n") + "\n")
    return "\n\n".join(above)


def _in_text_statement(cells: list[dict], i: int) -> list[str]:
    """The markdown just before an in-text exercise's cell, back to its section heading."""
    statement: list[str] = []
    for cell in reversed(cells[:i]):
        if cell["cell_type"] != "markdown":
            break
        if _slide_type(cell) == NOTES_SLIDE:
            continue
        statement.insert(0, _source(cell))
        if _source(cell).lstrip().startswith("## "):
            break
    return statement


def read_exercises(chapter: Path, solutions: Path) -> list[Exercise]:
    """The exercises of one chapter, each paired with its worked answer, in chapter order.

    Those of the chapter's *Exercises* section are all required to have a worked answer.
    A self-check earlier in the text (a "try it" cell) becomes an exercise too when the
    worked solutions answer it, and is left to the chapter otherwise (with a note).
    """
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    module = f"ch{chapter.name[:2]}"
    cells = nb["cells"]
    start = next((i for i, c in enumerate(cells)
                  if c["cell_type"] == "markdown" and EXERCISES_HEADING.search(_source(c))), None)
    if start is None:
        return []
    if not solutions.exists():
        raise AssignmentError(f"{chapter.name} has exercises but {solutions} does not exist")
    answers = _worked_answers(json.loads(solutions.read_text(encoding="utf-8")), module,
                              solutions.name)
    exercises: list[Exercise] = []
    for i, cell in enumerate(cells[:start]):
        source = _source(cell)
        if cell["cell_type"] != "code" or f"{module}.check_" not in source:
            continue
        exercise = _exercise(chapter, i, source, module, answers, _in_text_statement(cells, i),
                             number=sum(ex.in_text for ex in exercises) + 1, in_text=True)
        if exercise is None:
            print(f"note: {chapter.name}, cell {i}: a self-check in the text without a worked "
                  f"answer in {solutions.name}; it stays in the chapter only", file=sys.stderr)
        else:
            exercises.append(exercise)
    statement: list[str] = []
    for i, cell in enumerate(cells[start:], start):
        source = _source(cell)
        if cell["cell_type"] == "markdown":
            if _slide_type(cell) != NOTES_SLIDE:
                statement.append(source)
            continue
        if cell["cell_type"] != "code" or f"{module}.check_" not in source:
            continue
        exercise = _exercise(chapter, i, source, module, answers, statement,
                             number=sum(not ex.in_text for ex in exercises) + 1)
        if exercise is None:
            raise AssignmentError(f"{chapter.name}, cell {i}: its self-check has no worked answer in "
                                  f"{solutions.name} (a cell with `assert {module}.check_…(...)`); add one")
        exercises.append(exercise)
        statement = []
    return exercises


def _exercise(chapter: Path, i: int, source: str, module: str, answers: dict, statement: list[str],
              number: int, in_text: bool = False) -> Exercise | None:
    """One exercise from the chapter's cell ``i`` (stub and check); None without a worked answer."""
    where = f"{chapter.name}, cell {i}"
    tree = _parse(source, where)
    calls = _check_calls(tree, module)
    if len(calls) != 1:
        raise AssignmentError(f"{where}: expected one {module}.check_… call, found {len(calls)}")
    call = calls[0]
    name = call.func.attr
    if name not in answers:
        return None
    check_stmt = next(s for s in tree.body if call in list(ast.walk(s)))
    student_args = [a.id if isinstance(a, ast.Name) else None for a in call.args]
    answer, solution_args, followers = answers[name]
    # The worked answer passes a value where the stub has a name (`check_xnor(my_xnor, 4)` for
    # `my_xnor_perceptrons = None`): the master sets the name to that value.
    values = [f"{new} = {old}" for new, old in zip(student_args, solution_args)
              if new and old and not old.isidentifier()]
    if values:
        answer = answer.rstrip("\n") + "\n" + "\n".join(values) + "\n"
    renames = [(old, new) for new, old in zip(student_args, solution_args)
               if new and old and old.isidentifier() and new != old]
    for k, (old, _) in enumerate(renames):  # in two steps, so that swapped names stay apart
        answer = _rename(answer, old, f"_answer_name_{k}")
    for k, (_, new) in enumerate(renames):
        answer = _rename(answer, f"_answer_name_{k}", new)
    student_arg = student_args[0] if student_args else None
    return Exercise(
        chapter=chapter.stem, number=number, statement=statement,
        stub=_without(source, check_stmt), check_call=ast.get_source_segment(source, call),
        check_name=name, answer=answer, answer_kind=_answer_kind(tree, student_arg),
        answer_name=student_arg, followers=followers, in_text=in_text)


# --------------------------------------------------------------------------- the master


PLACEHOLDER_AFTER = re.compile(r"^\s*(raise|return)\b")


def merge_stub_and_answer(stub: str, answer: str) -> str:
    """The master answer cell: the stub's lines, with the answer's own lines as solution regions.

    Lines both share are kept once. Where they differ, the answer's lines become a
    ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region and the stub's lines stay
    next to it: a placeholder ``raise``/``return`` after it (never reached in the master,
    whose region returns first), anything else (``x = None  # your answer``, comments)
    before it (so the master's region overrides it). Either way nbgrader's student version
    is the stub. If the two differ in a way that would not leave valid Python (a changed
    ``def`` line, say), the whole answer becomes one region after the whole stub.
    """
    s_lines, a_lines = stub.rstrip("\n").splitlines(), answer.rstrip("\n").splitlines()
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=[l.rstrip() for l in s_lines],
                                      b=[l.rstrip() for l in a_lines], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += s_lines[i1:i2]
            continue
        ours, theirs = s_lines[i1:i2], a_lines[j1:j2]
        after = [l for l in ours if PLACEHOLDER_AFTER.match(l)]
        out += [l for l in ours if l not in after]
        code = [l for l in theirs if l.strip()]
        if code:
            indent = min(len(l) - len(l.lstrip()) for l in code) * " "
            out += [f"{indent}{BEGIN}", *theirs, f"{indent}{END}"]
        out += after
    merged = "\n".join(out) + "\n"
    if _parses(merged) and _parses(student_version(merged)):
        return merged
    return f"{stub.rstrip()}\n{BEGIN}\n{answer.rstrip()}\n{END}\n"


BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def student_version(master: str) -> str:
    """What nbgrader's ClearSolutions makes of a master cell (each region becomes the stub)."""
    out, inside = [], False
    for line in master.splitlines():
        if BEGIN in line:
            inside = True
            out.append(line[:len(line) - len(line.lstrip())] + CODE_STUB)
        elif END in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out) + "\n"


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def hidden_test(ex: Exercise, define_helpers: bool = True) -> str | None:
    """The hidden test: the self-check again, through a spy that watches the inputs.

    The spy's helpers are defined by the notebook's first hidden test (``define_helpers``);
    the later ones reuse them, since nbgrader runs the tests in order in one kernel.
    """
    if ex.answer_kind == "value" or ex.answer_name is None:
        return None
    spy = "_spy_class" if ex.answer_kind == "class" else "_spy_function"
    call = ex.check_call.replace(f"({ex.answer_name}", "(_spied", 1)
    body = HIDDEN_CHECK.format(spy=spy, answer=ex.answer_name, call=call)
    return f"{BEGIN_HIDDEN}\n{SPY_HELPERS if define_helpers else ''}{body}{END_HIDDEN}\n"


BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

SPY_HELPERS = '''\
import contextlib as _contextlib, copy as _copy, io as _io
import numpy as _np


def _same(a, b):
    if isinstance(a, _np.ndarray):
        return isinstance(b, _np.ndarray) and a.shape == b.shape and _np.array_equal(
            a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (int, float, complex, str, bool, type(None))):
        return a == b or (a != a and b != b)
    return True  # functions, random generators, …: not inputs to compare


def _watched(fn, label, changed):
    def call(*args, **kwargs):
        before = _copy.deepcopy((args, kwargs))
        out = fn(*args, **kwargs)
        if not _same(before, (args, kwargs)):
            changed.append(label)
        return out
    return call


def _spy_function(fn, changed):
    spied = _watched(fn, fn.__name__, changed)
    spied.__name__ = fn.__name__
    return spied


def _spy_class(cls, changed):
    methods = {k: _watched(getattr(cls, k), f"{cls.__name__}.{k}", changed)
               for k, v in vars(cls).items() if callable(v) and not k.startswith("__")}
    return type(cls.__name__, (cls,), methods)


'''

HIDDEN_CHECK = '''\
_changed = []
_spied = {spy}({answer}, _changed)
with _contextlib.redirect_stdout(_io.StringIO()):
    _passed = {call}
assert _passed, "the self-check above must pass first"
assert not _changed, (f"{{sorted(set(_changed))}} changed an argument in place; the caller's "
                      "arrays must stay as they were (copy first, or build new arrays)")
'''


def cell_meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
          points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown_cell(source: str, grade_id: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata=cell_meta(grade_id, locked=True))


def code_cell(source: str, meta: dict) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source.rstrip("\n"), metadata=meta)


def setup_cell(solutions: Path) -> str:
    """The worked solutions' first code cell: the imports every worked answer runs with."""
    nb = json.loads(solutions.read_text(encoding="utf-8"))
    return next(_source(c) for c in nb["cells"] if c["cell_type"] == "code")


def exercise_cells(ex: Exercise, define_helpers: bool = True) -> list[nbformat.NotebookNode]:
    """Statement, answer (solution regions), visible check and hidden test of one exercise."""
    cells = [markdown_cell(text, f"{ex.grade_id}_statement{k}") for k, text in enumerate(ex.statement)]
    cells.append(code_cell(merge_stub_and_answer(ex.stub, ex.answer),
                       cell_meta(f"{ex.grade_id}_answer", solution=True)))
    cells.append(code_cell(f"assert {ex.check_call}",
                       cell_meta(f"{ex.grade_id}_check", grade=True, locked=True, points=CHECK_POINTS)))
    hidden = hidden_test(ex, define_helpers)
    if hidden:
        cells.append(code_cell(hidden, cell_meta(f"{ex.grade_id}_hidden", grade=True, locked=True,
                                         points=HIDDEN_POINTS)))
    return cells


def assignment_notebook(title: str, intro: str, setup: str, body: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [markdown_cell(f"# {title}\n\n{intro}", "title"),
                code_cell(setup, cell_meta("setup", locked=True)), *body]
    return nb


INTRO = """This is the graded version of the chapter's exercises. Write each answer where the
chapter's stub is, run the cell, then run the check below it: it prints what is right and
what is wrong. When you are done, save and submit from the *Assignments* tab. The checks you
see count {check} points each; one more point per exercise comes from a hidden test (the same
check, also making sure your code leaves its inputs unchanged)."""


def chapter_master(chapter: Path) -> nbformat.NotebookNode | None:
    """The master of one chapter's assignment; None if the chapter has no exercises."""
    solutions = chapter.parent / "solutions" / f"{chapter.stem}_solutions.ipynb"
    exercises = read_exercises(chapter, solutions)
    if not exercises:
        return None
    title = next((line.lstrip("# ").strip() for c in json.loads(chapter.read_text())["cells"]
                  if c["cell_type"] == "markdown" for line in _source(c).splitlines()
                  if line.startswith("# ")), chapter.stem)
    first_hidden = next((ex for ex in exercises if hidden_test(ex)), None)
    setup = setup_cell(solutions)
    body = []
    for ex in exercises:
        body += exercise_cells(ex, define_helpers=ex is first_hidden)
        restore = restore_imports(ex.stub, setup) if ex.in_text else None
        if restore:
            body.append(code_cell(restore, cell_meta(f"{ex.grade_id}_restore", locked=True)))
    return assignment_notebook(f"{title}: exercises", INTRO.format(check=CHECK_POINTS), setup, body)


def restore_imports(stub: str, setup: str) -> str | None:
    """The setup's imports that an in-text exercise's stub redefines, to run after it.

    Chapter 1's first exercise has the learner write ``AND``, ``NAND`` and ``OR``; the
    chapter then imports the library's gates again, and the later checks (which feed the
    gates symbolic bits) need those. None if the stub shadows no imported name.
    """
    defined = set()
    for node in _parse(stub, "the stub").body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    code = "\n".join(line for line in setup.splitlines() if not line.lstrip().startswith(("%", "!")))
    lines = []
    for node in _parse(code, "the setup cell").body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [a for a in node.names if (a.asname or a.name) in defined]
            if names:
                lines.append(f"from {node.module} import " + ", ".join(
                    a.name if not a.asname else f"{a.name} as {a.asname}" for a in names))
    if not lines:
        return None
    return "# As in the chapter, the library's versions replace yours from here on.\n" + "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- building


def write_masters(course: Path, chapters: Path, only: set[str] | None = None) -> list[str]:
    """Write the master notebooks into ``course/source``; return the assignment ids.

    A chapter whose worked solutions do not exist yet (one being written) gets no
    assignment, with a note; an exercise without its worked answer is an error.
    """
    from classroom.homework import HOMEWORK_ID, homework_master

    makers = {}
    for nb in sorted(chapters.glob("[0-9][0-9]_*.ipynb")):
        if not (chapters / "solutions" / f"{nb.stem}_solutions.ipynb").exists():
            print(f"note: {nb.name} has no worked solutions yet, so no assignment", file=sys.stderr)
            continue
        makers[nb.stem] = lambda nb=nb: chapter_master(nb)
    makers[HOMEWORK_ID] = lambda: homework_master(chapters)
    ids = []
    for assignment, make in makers.items():
        if only and assignment not in only:
            continue
        nb = make()
        if nb is None:
            continue
        folder = course / "source" / assignment
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
        ids.append(assignment)
    return ids


COURSE_CONFIG = """\
# Written by `make assignments` (classroom/assignments.py); nbgrader reads it in this folder.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.ExecutePreprocessor.timeout = 300
"""


def generate(course: Path, ids: list[str]) -> None:
    """nbgrader's student versions (``release/``), in this process: one start-up for all."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    # nbgrader's gradebook runs `alembic` from PATH, so this Python's bin must be on it.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = COURSE_ID
    config.ClearSolutions.code_stub = {"python": CODE_STUB}
    config.Exchange.root = str(course)  # unused here, but nbgrader's API insists on a writable one
    api = NbGraderAPI(config=config)
    for assignment in ids:
        result = api.generate_assignment(assignment, force=True)
        if not result["success"]:
            raise AssignmentError(f"nbgrader could not generate {assignment}:\n"
                                  f"{result.get('error') or result.get('log')}")


def _check(course: Path, notebook: Path, invert: bool) -> list[str]:
    from nbgrader.validator import Validator

    result = Validator(invert=invert, ignore_checksums=True).validate(str(notebook))
    return [f"{notebook.relative_to(course)}: a test {kind} that should not have:\n"
            f"{cell['source'][:300]}\n{cell.get('raw_error', '')[-600:]}"
            for kind, cells in result.items() for cell in cells
            if not (invert and kind == "passed" and not cell["source"].strip())]


def validate(course: Path, ids: list[str]) -> list[str]:
    """Problems found: each master must pass every test, each student version fail every one.

    nbgrader's validator runs each notebook in a kernel; they run side by side, one
    process per core (the validator sets environment variables, so not threads). In a
    student version a cell that held only hidden tests is empty and passes; nbgrader puts
    its tests back when it grades.
    """
    import nbgrader.validator  # noqa: F401 - imported once, before the workers fork

    jobs = [(course, nb, version == "release") for a in ids for version in ("source", "release")
            for nb in sorted((course / version / a).glob("*.ipynb"))]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1,
                             mp_context=multiprocessing.get_context("fork")) as pool:
        return [p for found in pool.map(_check, *zip(*jobs)) for p in found]


def build(course: Path, chapters: Path = CHAPTERS, only: set[str] | None = None,
          check: bool = True) -> list[str]:
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(COURSE_CONFIG.format(course_id=COURSE_ID, stub=CODE_STUB))
    ids = write_masters(course, chapters, only)
    generate(course, ids)
    if check:
        problems = validate(course, ids)
        if problems:
            raise AssignmentError("\n\n".join(problems))
    return ids


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--course", type=Path, default=DEFAULT_COURSE,
                   help="the nbgrader course folder to write (default classroom/_build/course)")
    p.add_argument("--chapters", type=Path, default=CHAPTERS)
    p.add_argument("--only", nargs="+", help="assignment ids to build (default: all)")
    p.add_argument("--no-validate", action="store_true", help="skip running the notebooks")
    args = p.parse_args(argv)
    try:
        ids = build(args.course.resolve(), args.chapters.resolve(),
                    set(args.only) if args.only else None, check=not args.no_validate)
    except AssignmentError as exc:
        sys.exit(f"make assignments: {exc}")
    print(f"{len(ids)} assignment(s) in {args.course}: {', '.join(ids)}")


if __name__ == "__main__":
    main()
