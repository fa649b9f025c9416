# JupyterHub configuration for `make hub` (classroom/hub.py prepares the accounts and the
# state folder, then starts `jupyterhub -f` with this file). All values come from the
# settings file hub.py writes; see book/lecturers.md for what a lecturer can change.
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file
s = json.loads(Path(os.environ["CLASSROOM_SETTINGS"]).read_text())
hub_dir = Path(s["hub_dir"])
private = hub_dir / "hub"
kit = Path(s["kit"])

# Where the hub listens: https when the lecturer gave a certificate (hub.py warns otherwise).
scheme = "https" if s.get("ssl_cert") else "http"
c.JupyterHub.bind_url = f"{scheme}://{s['ip']}:{s['port']}"
if s.get("ssl_cert"):
    c.JupyterHub.ssl_cert = s["ssl_cert"]
    c.JupyterHub.ssl_key = s["ssl_key"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s.get("hub_port", 8081)
c.ConfigurableHTTPProxy.command = [s["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.get('proxy_api_port', 8001)}"
c.ConfigurableHTTPProxy.pid_file = str(private / "proxy.pid")
c.JupyterHub.pid_file = str(private / "hub.pid")
c.JupyterHub.db_url = f"sqlite:///{private / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(private / "jupyterhub_cookie_secret")

# Passwords of the system accounts (PAM); only the roster may log in, only lecturers are admins.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(s["students"]) | set(s["lecturers"])
c.Authenticator.admin_users = set(s["lecturers"])
c.Authenticator.allow_existing_users = False  # the roster alone says who may log in,
c.Authenticator.delete_invalid_users = True   # so someone taken off it loses access

# Each server runs as its student's own account, from the course's environment. The start
# script first brings ~/chapters up to date with nbgitpuller, then starts the server.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(kit / "start-singleuser.sh")]
c.Spawner.default_url = "/lab/tree/chapters/START_HERE.md"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.env_keep = ["LANG", "LC_ALL"]
config_dir = kit / "jupyter"


def _config_path(spawner) -> str:
    """Lecturers get nbgrader's formgrader and their ~/grading; students only the assignment list."""
    role = "lecturer" if spawner.user.name in s["lecturers"] else "student"
    return f"{config_dir / role}:{config_dir / 'common'}"


threads = str(s["blas_threads"])
c.Spawner.environment = {
    **s["env"],  # PATH (and LD_LIBRARY_PATH) to the course's Python: see hub.prepare_runtime
    "JUPYTER_CONFIG_PATH": _config_path,
    "CLASSROOM_COURSE_ID": s["course_id"],
    "CLASSROOM_EXCHANGE": s["exchange"],
    "CLASSROOM_CHAPTERS_REPO": s["chapters_repo"],
    # git refuses to read a repository another account owns unless a protected (system or
    # global) setting names it; hub.py writes that setting, which includes /etc/gitconfig.
    "GIT_CONFIG_SYSTEM": str(hub_dir / "gitconfig"),
    "COURSE_BLAS_THREADS": threads,  # what the chapters' kernels apply (common.config)
    "OPENBLAS_NUM_THREADS": threads,
    "OMP_NUM_THREADS": threads,
    "MKL_NUM_THREADS": threads,
}
if s.get("mnist_cache"):
    c.Spawner.environment["MNIST_CACHE_DIR"] = s["mnist_cache"]
if s.get("quick"):  # make hub --quick: short experiments when there are few cores per student
    c.Spawner.environment["COURSE_QUICK"] = "1"
