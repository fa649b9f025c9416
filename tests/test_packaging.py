"""The install files agree: conda users and pip users get the same packages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    import tomllib  # novermin
except ModuleNotFoundError:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

from common.tools.constraints import OUTPUT, floors, render

ROOT = Path(__file__).resolve().parents[1]

# conda-forge spells a few packages differently from PyPI.
CONDA_NAME = {"torch": "pytorch"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*([^;]*)", requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = match.group(1).lower().replace("_", "-")
    return CONDA_NAME.get(name, name), match.group(3).replace(" ", "").replace("==", "=")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pyproject_requirements() -> dict[str, str]:
    data = _project()
    reqs = list(data["dependencies"])
    # Optional extras that are not part of the everyday environment (e.g. torch for benchmarks).
    for extra, items in data["optional-dependencies"].items():
        if extra != "bench":
            reqs += items
    out = dict(_split(r) for r in reqs if "python_version" not in r)   # conda pins Python 3.11
    out.pop(data["name"], None)                                        # `dev` names `test` through the course
    return out


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out: dict[str, str] = {}
    pip_lines: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_lines += dep.get("pip", [])
            continue
        name, spec = _split(dep)
        if name not in {"python", "pip"}:
            out[name] = spec
    assert "-e ." in pip_lines, "environment.yml must install the course itself with `pip: [-e .]`"
    return out


def test_environment_yml_matches_pyproject() -> None:
    pip_reqs, conda_reqs = pyproject_requirements(), conda_requirements()
    assert set(conda_reqs) == set(pip_reqs), (
        f"only in pyproject.toml: {sorted(set(pip_reqs) - set(conda_reqs))}; "
        f"only in environment.yml: {sorted(set(conda_reqs) - set(pip_reqs))}"
    )
    for name, spec in pip_reqs.items():
        assert conda_reqs[name] == spec, f"{name}: pyproject says {spec!r}, environment.yml says {conda_reqs[name]!r}"


def test_environment_yml_pins_python_311() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert env["channels"] == ["conda-forge"]


def test_common_imports_from_anywhere(tmp_path, monkeypatch) -> None:
    """The package is installed, so no notebook needs to touch sys.path."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import common, common.config; print(common.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    assert Path(out.stdout.strip()).resolve().is_relative_to(ROOT / "src" / "common")


# ------------------------------------------------------------------ floors (issue 23)
def test_constraints_file_is_generated_from_pyproject() -> None:
    """`make test-min` pins exactly the floors pyproject.toml declares: regenerate, never edit."""
    committed = (ROOT / OUTPUT).read_text(encoding="utf-8")
    assert committed == render(ROOT / "pyproject.toml"), (
        f"{OUTPUT} is out of date: run `.venv/bin/python -m common.tools.constraints`"
    )
    assert "numpy==" in committed and "pytest==" in committed


def test_every_dependency_has_a_floor_and_no_unexplained_cap() -> None:
    """A floor for everything; an upper bound only with its reason in a comment beside it."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    data = _project()
    reqs = list(data["dependencies"]) + [r for items in data["optional-dependencies"].values() for r in items]
    for req in reqs:
        if req.split("[")[0].strip().lower() == data["name"] or "==" in req:   # the course itself; torch's CPU pin
            continue
        assert ">=" in req, f"{req!r} has no floor"
        if "<" in req.split(";")[0].replace("<=", "<"):
            line = next(line for line in text.splitlines() if f'"{req}"' in line)
            assert "#" in line, f"{req!r}: an upper bound needs its reason in a comment on its line"


@pytest.mark.parametrize("bad, message", [
    ('dependencies = ["numpy"]', "no floor"),
    ('dependencies = ["numpy>=1.26", ">=1.0"]', "cannot parse"),
])
def test_constraints_generator_rejects_what_it_cannot_pin(tmp_path, bad, message) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n{bad}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        floors(tmp_path / "pyproject.toml")


def test_constraints_generator_pins_markers_and_skips_self_reference(tmp_path) -> None:
    """Only the test extra is pinned (the book's tools stay out of the floor run)."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["NumPy >= 1.26.4"]\n'
        '[project.optional-dependencies]\n'
        'test = ["tomli>=1.1; python_version < \'3.11\'", "x[dev]", "sphinx>=7,<8  "]\n'
        'dev = ["x[test]", "playwright>=1.65"]\n', encoding="utf-8")
    lines = render(tmp_path / "pyproject.toml").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "numpy==1.26.4", "sphinx==7", "tomli==1.1; python_version < '3.11'"]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (it comes with the test extra: pip install -e '.[test]')")
    return found


LINTED = ["src", "tests", "book", "classroom", "i18n", "chapters"]


def test_code_avoids_what_numpy_2_removed_and_syntax_newer_than_requires_python() -> None:
    """ruff's NPY201 (np.float_, np.product, np.in1d, np.trapz, ...) and its syntax check at the oldest Python.

    The floor run (`make test-min`) covers the other direction: NumPy 1.26 lacks what NumPy 2 added.
    """
    oldest = re.fullmatch(r">=\s*3\.(\d+)", _project()["requires-python"])
    assert oldest, "requires-python should be a plain floor such as '>=3.10'"
    out = subprocess.run(
        [_tool("ruff"), "check", "--isolated", "--no-cache", "--select", "NPY201",
         "--target-version", f"py3{oldest.group(1)}", "--output-format", "concise", *LINTED],
        cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_standard_library_use_fits_the_oldest_python() -> None:
    """vermin sees what ruff does not: a module or function newer than requires-python (e.g. tomllib)."""
    oldest = _project()["requires-python"].removeprefix(">=").strip()
    out = subprocess.run(
        [_tool("vermin"), f"-t={oldest}-", "--no-tips", "--violations", "--eval-annotations",
         "--exclude-regex", r"\.ipynb$", *LINTED[:-1]],
        cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_would_catch_a_removed_numpy_alias(tmp_path) -> None:
    """The check above can fail: a file using np.float_ and np.in1d is flagged."""
    (tmp_path / "old.py").write_text("import numpy as np\nx = np.in1d([1], [1]).astype(np.float_)\n")
    out = subprocess.run([_tool("ruff"), "check", "--isolated", "--no-cache", "--select", "NPY201",
                          "--output-format", "concise", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 1 and out.stdout.count("NPY201") == 2, out.stdout
