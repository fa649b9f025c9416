"""The Zero to JupyterHub path, checked as far as it can be without a cluster or Docker.

- values.yaml parses and names only settings the chart's values schema documents (the
  subset vendored in classroom/k8s/z2jh-schema-subset.yaml, source and version noted
  there), with the types the chart expects; a misspelt key is caught.
- What values.yaml relies on in the image exists: the config folders under /opt/course,
  and the environment variables the nbgrader configuration reads.
- The image's definition (classroom/k8s/Dockerfile) installs and checks the course with
  install-course.sh; the slow test runs that script in a fresh virtual environment.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from hubclient import KIT, ROOT

K8S = KIT / "k8s"


def _values() -> dict:
    return yaml.safe_load((K8S / "values.yaml").read_text())


def _errors(values: dict) -> list[str]:
    schema = yaml.safe_load((K8S / "z2jh-schema-subset.yaml").read_text())
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(values)]


def test_values_name_only_settings_the_chart_documents() -> None:
    assert _errors(_values()) == []


@pytest.mark.parametrize("path, value", [
    (("singleuser", "memroy"), {"limit": "1G"}),                 # misspelt key
    (("singleuser", "storage", "type"), "nfs"),                  # not one of the chart's types
    (("cull", "timeout"), "one hour"),                           # wrong type
    (("proxy", "https", "letsencrypt", "email"), "a@b.c"),       # the chart calls it contactEmail
])
def test_a_setting_the_chart_does_not_know_is_caught(path: tuple[str, ...], value) -> None:
    values = copy.deepcopy(_values())
    node = values
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert _errors(values), f"{'.'.join(path)} = {value!r} was accepted"


def test_what_the_values_rely_on_is_in_the_image() -> None:
    values = _values()
    text = (K8S / "values.yaml").read_text()
    # The image copies the repository to /opt/course (Dockerfile): every such path must exist here.
    for path in set(re.findall(r"/opt/course/([\w/.-]+)", text)):
        assert (ROOT / path.rstrip("/")).exists(), f"values.yaml names /opt/course/{path}, not in the repository"
    config = (KIT / "jupyter" / "common" / "nbgrader_config.py").read_text()
    for name in set(re.findall(r'os\.environ(?:\.get)?[\[(]"(CLASSROOM_\w+)"', config)):
        assert name in values["singleuser"]["extraEnv"], f"nbgrader_config.py reads {name}"
    for name, snippet in values["hub"]["extraConfig"].items():
        compile(snippet, name, "exec")
    dockerfile = (K8S / "Dockerfile").read_text()
    assert "/opt/course-chapters" in dockerfile and "gitpuller file:///opt/course-chapters" in text
    assert re.search(r"^RUN PYTHON=python sh classroom/k8s/install-course\.sh$", dockerfile, re.M)


def test_the_image_pins_jupyterhub_to_the_charts_hub() -> None:
    source = (K8S / "z2jh-schema-subset.yaml").read_text()
    hub_version = re.search(r"runs\s+#?\s*JupyterHub (\d+\.\d+)\.\d+", source).group(1)
    pin = (K8S / "constraints.txt").read_text()
    major, minor = map(int, hub_version.split("."))
    assert f"jupyterhub>={hub_version},<{major}.{minor + 1}" in pin


@pytest.mark.slow
def test_the_images_install_steps_run_in_a_plain_venv(tmp_path: Path) -> None:
    """install-course.sh in a fresh venv on a copy of the repository (minutes; pip and the tests)."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    copy_root = tmp_path / "course"
    for name in files:
        if (ROOT / name).is_file():
            (copy_root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy_root / name)
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "COURSE_QUICK")}
    env["PYTHON"] = str(tmp_path / "venv" / "bin" / "python")
    done = subprocess.run(["sh", "classroom/k8s/install-course.sh"], cwd=copy_root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert re.search(r"jupyterhub 5\.4\.\d+", done.stdout), done.stdout[-500:]
