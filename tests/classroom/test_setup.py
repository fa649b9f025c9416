"""The parts of `make hub` that need no root: the roster, TLS, the published chapters.

The hub itself (accounts, servers, isolation) is tested end to end in test_hub.py.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from classroom.hub import NO_TLS_WARNING, SetupError, publish_chapters, tls_settings
from classroom.roster import Member, RosterError, parse_roster

GOOD = """\
# username,role,password
tanaka,lecturer,
sato,student,s3cret-pass

suzuki
"""


def test_a_roster_lists_lecturers_and_students() -> None:
    assert parse_roster(GOOD) == [Member("tanaka", "lecturer"), Member("sato", "student", "s3cret-pass"),
                                  Member("suzuki", "student")]


@pytest.mark.parametrize("text, message", [
    ("tanaka,lecturer\nSato,student\n", "line 2: 'Sato' is not a usable username"),
    ("tanaka,lecturer\nsato,teacher\n", "line 2: role 'teacher'"),
    ("tanaka,lecturer\nsato,student,short\n", "shorter than 8"),
    ("tanaka,lecturer\ntanaka,student\n", "tanaka is listed twice"),
    ("sato,student\n", "no lecturer"),
    ("tanaka,lecturer,pass-word-1,extra\n", "expected username,role,password"),
])
def test_a_roster_line_that_cannot_become_an_account_is_named(text: str, message: str) -> None:
    with pytest.raises(RosterError, match=message):
        parse_roster(text, source="roster.csv")


def test_without_a_certificate_the_hub_warns(capsys, tmp_path: Path) -> None:
    assert tls_settings(None, None) == {}
    warning = capsys.readouterr().err
    assert NO_TLS_WARNING.strip() in warning and "unencrypted" in warning
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    with pytest.raises(SetupError, match="both"):
        tls_settings(cert, None)
    with pytest.raises(SetupError, match="not found"):
        tls_settings(cert, key)
    cert.write_text("c")
    key.write_text("k")
    assert tls_settings(cert, key) == {"ssl_cert": str(cert), "ssl_key": str(key)}
    assert capsys.readouterr().err == ""


def _commits(repo: Path) -> int:
    out = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_published_chapters_are_a_commit_only_when_they_changed(tmp_path: Path) -> None:
    chapters, repo = tmp_path / "chapters", tmp_path / "published"
    (chapters / "solutions").mkdir(parents=True)
    (chapters / "01_a.ipynb").write_text("{}")
    (chapters / "solutions" / "01_a_solutions.ipynb").write_text("{}")
    publish_chapters(chapters, repo)
    publish_chapters(chapters, repo)
    assert _commits(repo) == 1
    (chapters / "01_a.ipynb").unlink()
    (chapters / "02_b.ipynb").write_text("{}")
    publish_chapters(chapters, repo)
    assert _commits(repo) == 2
    assert sorted(p.name for p in repo.iterdir() if p.name != ".git") == ["02_b.ipynb", "solutions"]
    assert f"directory = {repo / '.git'}" in (tmp_path / "gitconfig").read_text()


def _hub_config(tmp_path: Path, monkeypatch, **overrides):
    from traitlets.config import Config

    from hubclient import KIT

    settings = {"ip": "", "port": 8000, "hub_port": 8081, "proxy_api_port": 8001,
                "hub_dir": str(tmp_path), "bin": "/venv/bin", "env": {"PATH": "/venv/bin:/usr/bin"},
                "kit": str(KIT), "proxy": "/chp", "course_id": "dl-course",
                "chapters_repo": str(tmp_path / "chapters"), "exchange": str(tmp_path / "exchange"),
                "mnist_cache": None, "blas_threads": 1, "quick": False,
                "students": ["sato", "suzuki"], "lecturers": ["tanaka"], **overrides}
    (tmp_path / "settings.json").write_text(json.dumps(settings))
    monkeypatch.setenv("CLASSROOM_SETTINGS", str(tmp_path / "settings.json"))
    c = Config()
    source = (KIT / "jupyterhub_config.py").read_text()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: c})
    return c


def test_the_hub_configuration_follows_the_settings(tmp_path: Path, monkeypatch) -> None:
    c = _hub_config(tmp_path, monkeypatch)
    assert c.JupyterHub.bind_url == "http://:8000" and "ssl_cert" not in c.JupyterHub
    assert c.Authenticator.allowed_users == {"sato", "suzuki", "tanaka"}
    assert c.Authenticator.admin_users == {"tanaka"} and c.Authenticator.allow_existing_users is False
    env = c.Spawner.environment
    assert "COURSE_QUICK" not in env and env["OPENBLAS_NUM_THREADS"] == env["COURSE_BLAS_THREADS"] == "1"

    class _User:
        def __init__(self, name):
            self.name = name

    class _Spawner:
        def __init__(self, name):
            self.user = _User(name)

    assert env["JUPYTER_CONFIG_PATH"](_Spawner("tanaka")).split(":")[0].endswith("/jupyter/lecturer")
    assert env["JUPYTER_CONFIG_PATH"](_Spawner("sato")).split(":")[0].endswith("/jupyter/student")

    c = _hub_config(tmp_path, monkeypatch, quick=True, ssl_cert="/c.pem", ssl_key="/k.pem",
                    mnist_cache="/srv/mnist")
    assert c.JupyterHub.bind_url == "https://:8000" and c.JupyterHub.ssl_key == "/k.pem"
    assert c.Spawner.environment["COURSE_QUICK"] == "1"
    assert c.Spawner.environment["MNIST_CACHE_DIR"] == "/srv/mnist"


def test_a_course_under_a_private_temp_folder_is_readable_once_its_parents_can_be_passed(tmp_path) -> None:
    """Students need to list the course's folders and only to pass through the ones above."""
    from classroom.hub import unreadable_for_others

    def blocked(path: Path) -> list[Path]:  # pytest's own folders above tmp_path are private
        return [p for p in unreadable_for_others(path) if p.is_relative_to(tmp_path)]

    course = tmp_path / "private" / "course"
    course.mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    os.chmod(course, 0o755)
    os.chmod(course.parent, 0o700)   # mktemp -d, where CI clones
    assert blocked(course) == [course.parent]
    os.chmod(course.parent, 0o711)   # passable, not listable: enough
    assert blocked(course) == []
    os.chmod(course, 0o711)          # the course itself must be listable (imports list it)
    assert blocked(course) == [course]
