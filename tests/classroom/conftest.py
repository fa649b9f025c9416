"""One JupyterHub for the classroom tests, started the way `make hub` starts it.

The session fixture ``hub`` runs ``python -m classroom.hub`` (the script behind
``make hub``) with a roster of test accounts whose names start with a random prefix,
homes and state in a temporary folder, TLS with a throw-away certificate for
127.0.0.1 and random free ports. Teardown always stops the hub, ends whatever
processes the test accounts still run, deletes the accounts with their homes and the
temporary folder, and puts back any folder permission it had to open.

The hub needs root (system accounts, servers started as them), configurable-http-proxy
(npm ci in classroom/), the classroom extra, git and openssl; without one of them the
tests that use the hub skip and say which.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from hubclient import HOMEWORK, KIT, LOAD_STUDENTS, PROXY, ROOT, Hub, processes_of

sys.path.insert(0, str(ROOT / "tests" / "browser"))  # labdriver: the JupyterLab driver of the widget tests
sys.path.insert(0, str(ROOT))                         # the kit: import classroom.…


def require_hub() -> None:
    if os.geteuid() != 0:
        pytest.skip("the classroom hub tests create system accounts and start servers as them: run as root")
    for module in ("jupyterhub", "nbgrader", "nbgitpuller"):
        try:
            __import__(module)
        except ImportError:
            pytest.skip(f"{module} is missing: install the classroom extra (.venv/bin/pip install -e '.[classroom]')")
    for tool in ("git", "openssl", "useradd", "runuser"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is missing")
    if not PROXY.exists():
        if not shutil.which("npm"):
            pytest.skip("configurable-http-proxy is not installed and npm is missing (apt-get install npm)")
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=KIT, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            pytest.skip(f"npm ci in classroom/ failed: {done.stderr[-500:]}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _open_for_others(path: Path) -> dict[Path, int]:
    """Let other accounts traverse ``path``'s folders (a CI clone may sit in a 0700 temp dir)."""
    changed = {}
    for p in [path, *path.parents]:
        mode = p.stat().st_mode
        if not mode & stat.S_IXOTH:
            changed[p] = stat.S_IMODE(mode)
            os.chmod(p, stat.S_IMODE(mode) | stat.S_IXOTH | (stat.S_IROTH if p == path else 0))
    return changed


def _self_signed(tmp: Path) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)


def _lab_settings_for(home: Path, user: str) -> None:
    """What the widget tests' JupyterLab uses (tests/browser/labdriver.py), in a test account:
    the app object exposed to the page, every cell rendered, no news pop-up."""
    from labdriver import LAB_SETTINGS

    (home / ".jupyter").mkdir(exist_ok=True)
    (home / ".jupyter" / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}}))
    settings = home / ".jupyter" / "lab" / "user-settings"
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        path = settings / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    subprocess.run(["chown", "-R", f"{user}:{user}", str(home / ".jupyter")], check=True)


@pytest.fixture(scope="session")
def hub():
    require_hub()
    from classroom.assignments import build
    from classroom.roster import account_exists

    prefix = "t" + secrets.token_hex(3)
    lecturer = f"{prefix}-lect"
    students = [f"{prefix}-ana", f"{prefix}-ben"]
    load_students = [f"{prefix}-s{i:02d}" for i in range(1, LOAD_STUDENTS + 1)]
    leaver = f"{prefix}-leaver"
    everyone = [lecturer, *students, *load_students, leaver]
    passwords = {name: secrets.token_urlsafe(12) for name in everyone}
    stranger = f"{prefix}-stranger"
    accounts = [*everyone, stranger]

    tmp = Path(tempfile.mkdtemp(prefix="dl-classroom-"))
    os.chmod(tmp, 0o755)
    opened = _open_for_others(ROOT)
    hub = None
    try:
        _self_signed(tmp)
        build(tmp / "course", only={HOMEWORK}, check=False)
        (tmp / "homes").mkdir(mode=0o755)
        roster = tmp / "roster.csv"
        roster.write_text("".join(f"{n},{'lecturer' if n == lecturer else 'student'},{passwords[n]}\n"
                                  for n in everyone))
        # An account that exists on the machine, with a valid password, but is not on the roster.
        subprocess.run(["useradd", "--create-home", "--home-dir", str(tmp / "homes" / stranger),
                        "--user-group", stranger], check=True)
        passwords[stranger] = secrets.token_urlsafe(12)
        subprocess.run(["chpasswd"], input=f"{stranger}:{passwords[stranger]}\n", text=True, check=True)

        shutil.copytree(ROOT / "chapters", tmp / "chapters")  # the lecturer's copy; tests publish updates
        port = free_port()
        args = ["--roster", str(roster), "--hub-dir", str(tmp / "state"), "--homes", str(tmp / "homes"),
                "--chapters", str(tmp / "chapters"),
                "--ip", "127.0.0.1", "--port", str(port), "--hub-port", str(free_port()),
                "--proxy-api-port", str(free_port()), "--assignments", str(tmp / "course"),
                "--ssl-cert", str(tmp / "cert.pem"), "--ssl-key", str(tmp / "key.pem")]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_QUICK", "JUPYTER"))}
        env["CONFIGPROXY_AUTH_TOKEN"] = secrets.token_hex(16)
        hub = Hub(tmp, prefix, lecturer, students, load_students, leaver, passwords, port, args, env)
        hub.start()
        for name in everyone:  # servers start at the first login, after this
            _lab_settings_for(hub.home(name), name)
        yield hub
    finally:
        if hub is not None:
            hub.stop()
        users = {a for a in accounts if account_exists(a)}
        for proc in processes_of(users):       # anything a test account still runs
            proc.kill()
        psutil.wait_procs(processes_of(users), timeout=10)
        pid_file = tmp / "state" / "hub" / "proxy.pid"
        if pid_file.exists():
            try:
                proxy = psutil.Process(int(pid_file.read_text()))
                if "configurable-http-proxy" in " ".join(proxy.cmdline()):
                    proxy.kill()
            except (psutil.NoSuchProcess, ValueError):
                pass
        for name in users:
            subprocess.run(["userdel", "--remove", name], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
        for path, mode in opened.items():
            os.chmod(path, mode)
