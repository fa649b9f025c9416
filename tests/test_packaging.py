"""The install files agree: conda users and pip users get the same packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge spells a few packages differently from PyPI.
CONDA_NAME = {"torch": "pytorch"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = match.group(1).lower().replace("_", "-")
    return CONDA_NAME.get(name, name), match.group(2).replace(" ", "").replace("==", "=")


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(data["dependencies"])
    # Optional extras that are not part of the everyday environment (e.g. torch for benchmarks).
    for extra, items in data["optional-dependencies"].items():
        if extra != "bench":
            reqs += items
    return dict(_split(r) for r in reqs)


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
