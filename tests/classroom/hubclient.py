"""The test hub and its users: start and stop it, log in, start a server, run code, measure memory.

Helpers for tests/classroom (the fixture is in conftest.py). ``Hub`` is the running hub
(started the way `make hub` starts it) with its roster. A ``Student`` logs in through
the hub's login form (PAM checks the password), then asks the hub for an API token, as a
script of that user could; everything after that (starting the server, the Jupyter
REST API, nbgrader's assignment API, running code in a kernel over its websocket) goes
through the hub's proxy with that token, exactly as the browser's requests do.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "classroom"
PROXY = KIT / "node_modules" / ".bin" / "configurable-http-proxy"
ARTIFACTS = ROOT / "test-artifacts"
HOMEWORK = "homework_plot_perceptron"
LOAD_STUDENTS = 10


class HubError(RuntimeError):
    pass


@dataclass
class Student:
    base: str                  # https://127.0.0.1:PORT
    name: str
    password: str
    ca: Path                   # the test certificate, to verify TLS
    session: requests.Session = field(default_factory=requests.Session)
    token: str | None = None

    # -- the hub --------------------------------------------------------------------------
    def login(self) -> requests.Response:
        """Post the login form; raises HubError unless the hub lets this user in."""
        # verify= on every call: a session's own setting loses to REQUESTS_CA_BUNDLE.
        self.session.get(f"{self.base}/hub/login", timeout=30, verify=str(self.ca))
        r = self.session.post(f"{self.base}/hub/login?next=/hub/home", allow_redirects=False,
                              data={"username": self.name, "password": self.password,
                                    "_xsrf": self.session.cookies.get("_xsrf", path="/hub/")},
                              timeout=60, verify=str(self.ca))
        if r.status_code != 302:
            raise HubError(f"login as {self.name} refused: HTTP {r.status_code}")
        r = self.session.post(f"{self.base}/hub/api/users/{self.name}/tokens",
                              json={"note": "tests/classroom", "expires_in": 3600},
                              headers={"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/")},
                              timeout=30, verify=str(self.ca))
        r.raise_for_status()
        self.token = r.json()["token"]
        return r

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to ``base + path`` with this user's token (no cookies)."""
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.base}{path}", headers=headers,
                                verify=str(self.ca), timeout=kwargs.pop("timeout", 60), **kwargs)

    def start_server(self) -> None:
        r = self.api("POST", f"/hub/api/users/{self.name}/server")
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise HubError(f"could not start {self.name}'s server: {r.status_code} {r.text}")

    def wait_server(self, timeout: float = 180) -> float:
        """Wait until the server answers through the proxy; returns the seconds waited."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            r = self.api("GET", f"/hub/api/users/{self.name}")
            server = r.json().get("servers", {}).get("") if r.ok else None
            if server and server.get("ready"):
                if self.api("GET", f"/user/{self.name}/api/status").status_code == 200:
                    return time.monotonic() - t0
            time.sleep(0.3)
        raise HubError(f"{self.name}'s server was not ready after {timeout:.0f} s")

    # -- the server -----------------------------------------------------------------------
    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.api(method, f"/user/{self.name}{path}", **kwargs)

    def read_notebook(self, path: str) -> dict:
        r = self.server("GET", f"/api/contents/{path}?content=1")
        r.raise_for_status()
        return r.json()["content"]

    def write_notebook(self, path: str, nb: dict) -> None:
        r = self.server("PUT", f"/api/contents/{path}", json={"type": "notebook", "content": nb})
        r.raise_for_status()

    def kernel(self) -> "Kernel":
        r = self.server("POST", "/api/kernels", json={"name": "python3"})
        r.raise_for_status()
        return Kernel(self, r.json()["id"])


@dataclass
class Result:
    outputs: list[str]
    error: str | None
    seconds: float

    @property
    def text(self) -> str:
        return "".join(self.outputs)


class Kernel:
    """One kernel of a student's server, driven over its websocket like JupyterLab does."""

    def __init__(self, student: Student, kernel_id: str) -> None:
        self.student, self.id = student, kernel_id
        self.ws = self._connect()
        self.session = uuid.uuid4().hex

    def _connect(self) -> websocket.WebSocket:
        url = (self.student.base.replace("https://", "wss://")
               + f"/user/{self.student.name}/api/kernels/{self.id}/channels")
        return websocket.create_connection(
            url, header=[f"Authorization: token {self.student.token}"], timeout=300,
            sslopt={"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": str(self.student.ca)})

    def run(self, code: str, timeout: float = 300) -> Result:
        """Execute ``code``; returns its text outputs and error (if any) once the kernel is idle.

        Like JupyterLab, a websocket that the proxy drops (seen once with ten servers starting
        at once) is reopened once; a request with no reply yet is then sent again.
        """
        msg_id = uuid.uuid4().hex
        request = json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.student.name,
                       "session": self.session, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}})
        self.ws.send(request)
        t0, outputs, error, replied, idle, reconnected = time.monotonic(), [], None, False, False, False
        while not (replied and idle):
            if time.monotonic() - t0 > timeout:
                raise HubError(f"{self.student.name}: no reply after {timeout:.0f} s to {code[:60]!r}")
            try:
                frame = self.ws.recv()
            except websocket.WebSocketConnectionClosedException:
                if reconnected:
                    raise
                reconnected = True
                self.ws = self._connect()
                if replied:  # only the closing 'idle' status was lost
                    break
                outputs, error, idle = [], None, False
                self.ws.send(request)
                continue
            if isinstance(frame, bytes):  # a message with binary buffers (widget comms): not ours
                continue
            msg = json.loads(frame)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                outputs.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                outputs.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return Result(outputs, error, time.monotonic() - t0)

    def close(self) -> None:
        self.ws.close()
        self.student.server("DELETE", f"/api/kernels/{self.id}")


def memory_of(user: str) -> tuple[int, int]:
    """(proportional set size, resident set size) in bytes of all processes of ``user``.

    PSS shares pages common to several processes (the Python libraries every student's
    kernel maps) among them, so summing it over students adds up to the machine's memory.
    """
    pss = rss = 0
    for proc in psutil.process_iter(["username"]):
        if proc.info["username"] != user:
            continue
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += info.pss
        rss += info.rss
    return pss, rss


def available_memory() -> int:
    return psutil.virtual_memory().available


def processes_of(users: set[str]) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["username"]) if p.info["username"] in users]


@dataclass
class Hub:
    """The running test hub and the accounts on its roster."""

    tmp: Path
    prefix: str
    lecturer: str
    students: list[str]
    load_students: list[str]
    leaver: str                # on the roster at first, taken off it before a restart
    passwords: dict[str, str]
    port: int
    args: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.tmp / "hub.log"

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca(self) -> Path:
        return self.tmp / "cert.pem"

    @property
    def roster(self) -> Path:
        return self.tmp / "roster.csv"

    @property
    def hub_dir(self) -> Path:
        return self.tmp / "state"

    @property
    def settings(self) -> dict:
        return json.loads((self.hub_dir / "hub" / "settings.json").read_text())

    def home(self, name: str) -> Path:
        return self.tmp / "homes" / name

    def student(self, name: str, password: str | None = None) -> Student:
        return Student(self.base, name, password or self.passwords[name], self.ca)

    def ready(self, name: str) -> Student:
        """A logged-in user whose server is running."""
        s = self.student(name)
        s.login()
        s.start_server()
        s.wait_server()
        return s

    def start(self, timeout: float = 180) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "classroom.hub", *self.args], cwd=ROOT,
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make hub exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base}/hub/api", verify=str(self.ca), timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM: JupyterHub stops the students' servers and the proxy, then exits."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def processes(self) -> list[psutil.Process]:
        """Processes of the roster's accounts (their servers and kernels)."""
        return processes_of({self.lecturer, *self.students, *self.load_students, self.leaver})

    def routes(self) -> dict:
        """The proxy's routing table (its API, with the token the test gave the hub)."""
        port = self.settings["proxy_api_port"]
        r = requests.get(f"http://127.0.0.1:{port}/api/routes", timeout=10,
                         headers={"Authorization": f"token {self.env['CONFIGPROXY_AUTH_TOKEN']}"})
        r.raise_for_status()
        return r.json()

    def lecturer_runs(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        """A command in the lecturer's account, with the environment of the lecturer's server
        (what the lecturer types in a terminal there)."""
        s, home = self.settings, self.home(self.lecturer)
        env = {**s["env"], "HOME": str(home), "USER": self.lecturer, "LOGNAME": self.lecturer,
               "LANG": "C.UTF-8",
               "JUPYTER_CONFIG_PATH": f"{KIT / 'jupyter' / 'lecturer'}:{KIT / 'jupyter' / 'common'}",
               "CLASSROOM_EXCHANGE": s["exchange"], "CLASSROOM_COURSE_ID": s["course_id"]}
        done = subprocess.run(["runuser", "-u", self.lecturer, "--", "env", "-i",
                               *[f"{k}={v}" for k, v in env.items()], *cmd],
                              cwd=home / "grading", capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def log_tail(self, n: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-n:] if self.log_path.exists() else ""
