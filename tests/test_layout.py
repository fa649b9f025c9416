"""The package layout CONTRIBUTING.md draws, enforced.

``src/common`` holds the core a learner re-implements at its top level (plus
``networks/``); everything else lives in a subpackage named for what it holds.
No module file name appears twice, and imports follow one rule: a kind of
module may import only the kinds listed for it in ``MAY_IMPORT`` (every
import is checked, including those inside functions and relative ones).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "common"

CORE_SUBPACKAGES = {"networks"}
"""Subpackages that belong to the core (the book's networks, built from core layers)."""

MAY_IMPORT: dict[str, set[str]] = {
    "core": {"core"},
    "lessons": {"core", "lessons"},
    "plots": {"core", "lessons", "plots"},
    "widgets": {"core", "lessons", "plots", "widgets"},
    "exercises": {"core", "lessons", "plots", "exercises"},
    "tools": {"core", "lessons", "plots", "widgets", "exercises", "tools"},
}
"""Who may import whom, as HELPERS.md and CONTRIBUTING.md state it."""


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kind_of(module: str) -> str:
    """'core', or the name of the subpackage ``module`` (``common.x.y``) lives in."""
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and (PACKAGE / f"{parts[1]}.py").exists()):
        return "core"  # common itself, or a module at the top of common
    return "core" if parts[1] in CORE_SUBPACKAGES else parts[1]


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute name) of every ``common`` import in ``source``, wherever it stands.

    ``module`` is the dotted name of the file (``common.layers``); relative
    imports are resolved against it.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")
                target = ".".join(base[: len(base) - (node.level - 1)] + ([node.module] if node.module else []))
            # `from common import tools` names a subpackage: check each imported name
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name == "common" or name.startswith("common.")]


def resolve(name: str) -> str:
    """``common.a.b`` down to the longest prefix that is a module or package that exists."""
    parts = name.split(".")
    while len(parts) > 1:
        candidate = PACKAGE.parent.joinpath(*parts)
        if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    return "common"


def test_no_module_name_appears_twice():
    names = Counter(p.name for p in modules() if p.name != "__init__.py")
    twice = {name: sorted(str(p.relative_to(PACKAGE)) for p in modules() if p.name == name)
             for name, count in names.items() if count > 1}
    assert not twice, f"module names used more than once under src/common: {twice}"


def test_every_subpackage_has_a_rule():
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    unknown = subpackages - set(MAY_IMPORT) - CORE_SUBPACKAGES
    assert not unknown, (
        f"subpackages {sorted(unknown)} have no import rule: add them to MAY_IMPORT here and to "
        "the tree in CONTRIBUTING.md"
    )


def test_imports_follow_the_rule():
    broken = []
    for path in modules():
        importer = dotted(path)
        allowed = MAY_IMPORT[kind_of(importer)]
        source = path.read_text(encoding="utf-8")
        for line, name in imported_modules(source, importer, path.name == "__init__.py"):
            target = resolve(name)
            if kind_of(target) not in allowed:
                broken.append(f"{path.relative_to(ROOT)}:{line} ({kind_of(importer)}) imports "
                              f"{target} ({kind_of(target)})")
    assert not broken, "imports that break the layout rule:\n" + "\n".join(broken)


@pytest.mark.parametrize("source, target", [
    ("from common.plots.training import plot_runs\n", "common.plots.training"),
    ("def f():\n    from common.widgets import _render\n", "common.widgets._render"),
    ("import common.lessons.perceptron\n", "common.lessons.perceptron"),
    ("from common import tools\n", "common.tools"),
    ("from .lessons import comparisons\n", "common.lessons.comparisons"),
    ("from ..exercises import ch01\n", "common.exercises.ch01"),
])
def test_the_checker_sees_every_form_of_import(source, target):
    """Such an import in a core module would be caught, whatever form it takes."""
    module = "common.networks.base" if source.startswith("from ..") else "common.layers"
    found = [resolve(name) for _, name in imported_modules(source, module)]
    assert found == [target]
    assert kind_of(found[0]) not in MAY_IMPORT["core"]
    assert kind_of("common.networks.base") == kind_of("common.layers") == "core"


def test_contributing_draws_every_subpackage_and_core_module():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    tree = re.search(r"```text\n(src/common/.*?)```", text, re.DOTALL)
    assert tree, "CONTRIBUTING.md should draw the package tree in a ```text block starting at src/common/"
    drawn = tree.group(1)
    missing = [p.parent.name + "/" for p in PACKAGE.glob("*/__init__.py") if p.parent.name + "/" not in drawn]
    missing += [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py" and p.name not in drawn]
    assert not missing, f"CONTRIBUTING.md's tree does not show {missing}"
