"""``make hub``: a JupyterHub for a seminar room on one machine.

    sudo make hub ROSTER=classroom/roster.csv                 # http on port 8000, with a warning
    sudo make hub HUB_ARGS="--ssl-cert cert.pem --ssl-key key.pem --port 443"

Everything is Jupyter's own: JupyterHub with its PAM authenticator (passwords of the
system accounts made from the roster; only roster members may log in, only lecturers are
admins), its local-process spawner (each student's server runs as their own account),
configurable-http-proxy from npm, nbgitpuller to give each student a copy of the
chapters, and nbgrader for homework. This script only prepares what those need:

- the accounts (``classroom/roster.py``);
- the state folder (``--hub-dir``, default ``/srv/dl-course``): the hub's database and
  secrets (root only), the nbgrader exchange, a git repository holding a snapshot of
  ``chapters/`` that each student's server pulls from when it starts (nbgitpuller merges,
  so a student's edits are never overwritten), and a read-only MNIST cache when the full
  dataset is available (``MNIST_MIRROR`` or ``datasets/mnist/``);
- each lecturer's nbgrader course folder ``~/grading``, seeded from ``make assignments``.

It then starts ``jupyterhub`` with ``classroom/jupyterhub_config.py``. Students' work lives
in their home folders, so it survives restarts of the hub and of the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from classroom.assignments import COURSE_ID, DEFAULT_COURSE, generate
from classroom.roster import Member, RosterError, ensure_accounts, read_roster

KIT = Path(__file__).resolve().parent
ROOT = KIT.parent
VENV = ROOT / ".venv"
PROXY = KIT / "node_modules" / ".bin" / "configurable-http-proxy"

NO_TLS_WARNING = """
  !!  No TLS certificate given: the hub speaks plain http. Passwords and notebooks
  !!  cross the network unencrypted. Use this only on a network you trust, or pass
  !!  --ssl-cert and --ssl-key (HUB_ARGS="--ssl-cert cert.pem --ssl-key key.pem").
"""


class SetupError(RuntimeError):
    """Something the lecturer must fix before the hub can start; the message says what."""


def check_root() -> None:
    if os.geteuid() != 0:
        raise SetupError("make hub creates a system account for every student and starts their "
                         "servers as those accounts: run it as root (sudo make hub ...).")


def check_proxy() -> None:
    if not PROXY.exists():
        raise SetupError(f"{PROXY} is missing: run `npm ci` in classroom/ (make hub does) "
                         "to install configurable-http-proxy from npm; Node.js and npm are needed.")


def unreadable_for_others(path: Path) -> list[Path]:
    """Why other accounts cannot read folder ``path``: itself if they cannot list and enter it,
    any parent they cannot pass through (a parent needs no read permission)."""
    blocked = []
    for p in [path, *path.parents]:
        need = stat.S_IXOTH | (stat.S_IROTH if p == path else 0)
        if p.stat().st_mode & need != need:
            blocked.append(p)
    return blocked


def check_course_readable() -> None:
    """Students' servers import ``common`` from src/ and the libraries from the course's .venv."""
    if not (VENV / "bin" / "jupyterhub-singleuser").exists():
        raise SetupError(f"{VENV} has no jupyterhub-singleuser: install the classroom extra "
                         "(make hub does: .venv/bin/pip install -e '.[classroom]').")
    blocked = [p for folder in (site_packages(), ROOT / "src", ROOT / "src" / "common")
               for p in unreadable_for_others(folder)]
    if blocked:
        listing = ", ".join(sorted({str(p) for p in blocked}))
        raise SetupError("the students' accounts must be able to read the course and its .venv, "
                         f"but these folders are closed to other users: {listing}. Put the course "
                         "somewhere readable (e.g. /srv/dl-course-src) or `chmod o+rx` them.")


def site_packages() -> Path:
    return next((VENV / "lib").glob("python3*/site-packages"))


def runnable_by_others(program: Path) -> bool:
    real = Path(os.path.realpath(program))
    return bool(real.stat().st_mode & stat.S_IXOTH) and not unreadable_for_others(real.parent)


@dataclass(frozen=True)
class Runtime:
    """What the students' servers run: a ``bin`` folder, and a private ``lib`` if it needs one."""

    bin: Path
    lib: Path | None = None


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # same file system: no second copy of the bytes
    except OSError:
        shutil.copy2(src, dst)


def prepare_runtime(runtime: Path) -> Runtime:
    """Normally the course's own .venv; a readable stand-in when students cannot run it.

    A .venv made from an interpreter other accounts cannot reach (pyenv under /root,
    say) is useless to them. Then the same interpreter (its binary, libpython and
    standard library, not its site-packages) is placed under ``runtime/python``, and
    ``runtime/env`` is a small environment on it that loads the course's .venv: its
    site-packages, its share/ and etc/ folders, its commands re-pointed at the stand-in.
    Nothing is installed twice, and the students run the very Python the course does.
    """
    if runnable_by_others(VENV / "bin" / "python"):
        return Runtime(VENV / "bin")
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    python, env = runtime / "python", runtime / "env"
    if not (python / "bin" / version).exists():
        (python / "bin").mkdir(parents=True, exist_ok=True)
        _link_or_copy(str(base / "bin" / version), str(python / "bin" / version))
        (python / "lib").mkdir(exist_ok=True)
        for lib in (base / "lib").glob("libpython*"):
            _link_or_copy(str(lib), str(python / "lib" / lib.name))
        shutil.copytree(base / "lib" / version, python / "lib" / version, copy_function=_link_or_copy,
                        ignore=shutil.ignore_patterns("site-packages", "test", "idlelib", "turtledemo"),
                        dirs_exist_ok=True)
        (python / "lib" / version / "site-packages").mkdir(exist_ok=True)
    if not (env / "bin" / "python").exists():
        _run([str(python / "bin" / version), "-m", "venv", "--without-pip", str(env)])
    (env / "lib" / version / "site-packages" / "course-venv.pth").write_text(
        f"import site; site.addsitedir({str(site_packages())!r})\n")
    for name in ("share", "etc"):
        link = env / name
        if not link.is_symlink():
            shutil.rmtree(link, ignore_errors=True)
            link.symlink_to(VENV / name, target_is_directory=True)
    old, new = str(VENV / "bin" / "python"), str(env / "bin" / "python")
    for script in (VENV / "bin").iterdir():
        target = env / "bin" / script.name
        if script.is_symlink() or not script.is_file() or target.exists():
            continue
        text = script.read_text(encoding="utf-8", errors="surrogateescape")
        first, _, rest = text.partition("\n")
        second, _, body = rest.partition("\n")
        if old in first or old in second:  # a console script of the .venv (shebang or sh exec line)
            target.write_text(f"{first.replace(old, new)}\n{second.replace(old, new)}\n{body}",
                              encoding="utf-8", errors="surrogateescape")
            target.chmod(0o755)
    subprocess.run(["chmod", "-R", "a+rX", str(runtime)], check=True)
    return Runtime(env / "bin", python / "lib")


def tls_settings(cert: Path | None, key: Path | None) -> dict[str, str]:
    """The certificate pair as settings; a warning on stderr when there is none."""
    if (cert is None) != (key is None):
        raise SetupError("give both --ssl-cert and --ssl-key, or neither")
    if cert is None:
        print(NO_TLS_WARNING, file=sys.stderr)
        return {}
    for f in (cert, key):
        if not f.is_file():
            raise SetupError(f"TLS file {f} not found")
    return {"ssl_cert": str(cert.resolve()), "ssl_key": str(key.resolve())}


def _run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kwargs)


def publish_chapters(chapters: Path, repo: Path) -> None:
    """Commit the current ``chapters`` folder to ``repo``, the git repository students pull from.

    A snapshot rather than the course's own history: it holds exactly the chapters as
    they are on disk (including uncommitted edits), and needs no access to the course's
    .git folder. Each `make hub` adds a commit when something changed; nbgitpuller then
    brings unchanged files up to date and leaves the students' own edits alone.
    """
    git = ["git", "-C", str(repo), "-c", "user.name=make hub", "-c", "user.email=hub@localhost"]
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        _run(["git", "init", "--quiet", "--initial-branch=main", str(repo)])
    for old in repo.iterdir():
        if old.name != ".git":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.copytree(chapters, repo, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    _run([*git, "add", "--all"])
    if subprocess.run([*git, "diff", "--cached", "--quiet"]).returncode != 0:
        _run([*git, "commit", "--quiet", "-m", f"Chapters as of {time.strftime('%Y-%m-%d %H:%M')}"])
    subprocess.run(["chmod", "-R", "a+rX", str(repo)], check=True)
    # Students' git must accept this repository although root owns it (safe.directory is only
    # read from protected config; the start script's environment points GIT_CONFIG_SYSTEM here).
    system = "[include]\n\tpath = /etc/gitconfig\n" if Path("/etc/gitconfig").exists() else ""
    gitconfig = repo.parent / "gitconfig"
    gitconfig.write_text(f"{system}[safe]\n\tdirectory = {repo / '.git'}\n")
    gitconfig.chmod(0o644)


def prepare_exchange(exchange: Path, course_id: str, owner: str) -> None:
    """nbgrader's exchange, tightened: see the exchange section of book/lecturers.md.

    The root is world-writable but sticky (nobody removes what others made); the course
    folder belongs to the lecturer; ``inbound`` (submissions) and ``feedback`` cannot be
    listed by students, so a submission or a feedback file can only be found by whoever
    knows its random name; ``outbound`` (released assignments) is readable by all.
    """
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o1777)
    user = pwd.getpwnam(owner)
    course = exchange / course_id
    for path, mode in [(course, 0o755), (course / "inbound", 0o733),
                       (course / "outbound", 0o755), (course / "feedback", 0o711)]:
        path.mkdir(exist_ok=True)
        os.chown(path, user.pw_uid, user.pw_gid)
        os.chmod(path, mode)


def prepare_mnist(cache: Path) -> Path | None:
    """Full MNIST for every student, read-only: from ``MNIST_MIRROR``, or the course's own cache.

    Without either the students' full-mode chapters fetch MNIST themselves (online) and
    quick mode works as always; nothing is downloaded here.
    """
    mirror = os.environ.get("MNIST_MIRROR")
    if not mirror:
        own = ROOT / "datasets" / "mnist"
        if own.is_dir() and len(list(own.glob("*-ubyte"))) == 4 and not unreadable_for_others(own):
            return own
        print("note: no full MNIST prepared for the students (set MNIST_MIRROR to provide it); "
              "quick mode does not need it.", file=sys.stderr)
        return None
    code = f"from common.datasets import load_mnist; load_mnist(cache_dir={str(cache)!r}, mirror={mirror!r})"
    done = subprocess.run([str(VENV / "bin" / "python"), "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(f"MNIST_MIRROR={mirror} did not give full MNIST:\n{done.stderr[-1000:]}")
    subprocess.run(["chmod", "-R", "a+rX", str(cache)], check=True)
    return cache


def seed_grading_folder(lecturer: Member, built: Path) -> None:
    """Give a lecturer an nbgrader course folder (~/grading) made by `make assignments`.

    The first time, the whole built folder is copied (sources, student versions and a
    gradebook that knows them). Later, an existing folder is never overwritten (it holds
    the grades): only assignments it lacks are added and registered in its gradebook.
    """
    if not (built / "source").is_dir():
        print("note: no assignments yet; run `make assignments`, then `make hub` again.",
              file=sys.stderr)
        return
    user = pwd.getpwnam(lecturer.name)
    grading = Path(user.pw_dir) / "grading"
    if not grading.exists():
        shutil.copytree(built, grading)
    else:
        new = [a.name for a in sorted((built / "source").iterdir())
               if not (grading / "source" / a.name).exists()]
        for name in new:
            shutil.copytree(built / "source" / name, grading / "source" / name)
        if new:
            generate(grading, new)
    subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(grading)], check=True)


def settings(args: argparse.Namespace, members: list[Member], runtime: Runtime,
             mnist: Path | None, tls: dict[str, str]) -> dict:
    """What jupyterhub_config.py needs, written to the state folder as JSON."""
    hub_dir = args.hub_dir.resolve()
    return {
        "ip": args.ip, "port": args.port, **tls,
        "hub_port": args.hub_port, "proxy_api_port": args.proxy_api_port,
        "hub_dir": str(hub_dir),
        "bin": str(runtime.bin),
        # what every process of a student's server needs to find the course's Python
        "env": {"PATH": f"{runtime.bin}:/usr/local/bin:/usr/bin:/bin",
                **({"LD_LIBRARY_PATH": str(runtime.lib)} if runtime.lib else {})},
        "kit": str(KIT),
        "proxy": str(PROXY),
        "course_id": COURSE_ID,
        "chapters_repo": str(hub_dir / "chapters"),
        "exchange": str(hub_dir / "exchange"),
        "mnist_cache": str(mnist) if mnist else None,
        "blas_threads": args.blas_threads,
        "quick": args.quick,
        "students": sorted(m.name for m in members if not m.is_lecturer),
        "lecturers": sorted(m.name for m in members if m.is_lecturer),
    }


def prepare(args: argparse.Namespace) -> Path:
    """Everything up to starting JupyterHub; returns the settings file."""
    check_root()
    check_proxy()
    check_course_readable()
    members = read_roster(args.roster)
    tls = tls_settings(args.ssl_cert, args.ssl_key)
    hub_dir = args.hub_dir.resolve()
    hub_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(hub_dir, 0o755)
    private = hub_dir / "hub"
    private.mkdir(exist_ok=True)
    os.chmod(private, 0o700)

    generated = ensure_accounts(members, args.homes)
    if generated:
        sheet = private / "passwords.csv"
        with open(os.open(sheet, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as fh:
            fh.writelines(f"{name},{pw}\n" for name, pw in generated.items())
        print(f"{len(generated)} new account(s); their passwords are in {sheet} (root only).")

    lecturers = [m for m in members if m.is_lecturer]
    runtime = prepare_runtime(hub_dir / "runtime")
    publish_chapters(args.chapters.resolve(), hub_dir / "chapters")
    prepare_exchange(hub_dir / "exchange", COURSE_ID, lecturers[0].name)
    mnist = prepare_mnist(hub_dir / "mnist") if not args.no_mnist else None
    for lecturer in lecturers:
        seed_grading_folder(lecturer, args.assignments)

    path = private / "settings.json"
    path.write_text(json.dumps(settings(args, members, runtime, mnist, tls), indent=1))
    return path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--roster", type=Path, default=KIT / "roster.csv",
                   help="the class list (default classroom/roster.csv; see roster.example.csv)")
    p.add_argument("--hub-dir", type=Path, default=Path("/srv/dl-course"),
                   help="state folder: database, exchange, chapters repository (default /srv/dl-course)")
    p.add_argument("--homes", type=Path, default=Path("/home"),
                   help="where new accounts get their home folders (default /home)")
    p.add_argument("--ip", default="", help="address to listen on (default: all)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--hub-port", type=int, default=8081, help="internal port of the hub (127.0.0.1)")
    p.add_argument("--proxy-api-port", type=int, default=8001,
                   help="internal port of the proxy's API (127.0.0.1)")
    p.add_argument("--ssl-cert", type=Path, help="TLS certificate (PEM); strongly recommended")
    p.add_argument("--ssl-key", type=Path, help="TLS private key (PEM)")
    p.add_argument("--chapters", type=Path, default=ROOT / "chapters",
                   help="the chapters each student gets a copy of (default chapters/)")
    p.add_argument("--assignments", type=Path, default=DEFAULT_COURSE,
                   help="the course folder `make assignments` wrote (default classroom/_build/course)")
    p.add_argument("--blas-threads", type=int, default=1,
                   help="BLAS threads per student kernel (default 1: many students share few cores)")
    p.add_argument("--quick", action="store_true",
                   help="run the chapters in quick mode (COURSE_QUICK=1) for every student: small "
                        "data, short training, for a machine with few cores per student")
    p.add_argument("--no-mnist", action="store_true", help="do not prepare the shared MNIST cache")
    p.add_argument("--setup-only", action="store_true", help="prepare everything, do not start the hub")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        settings_file = prepare(args)
    except (SetupError, RosterError) as exc:
        sys.exit(f"make hub: {exc}")
    if args.setup_only:
        print(f"ready: {settings_file}")
        return
    private = settings_file.parent
    env = {**os.environ, "CLASSROOM_SETTINGS": str(settings_file)}
    os.chdir(private)
    os.execve(str(VENV / "bin" / "jupyterhub"),
              [str(VENV / "bin" / "jupyterhub"), "-f", str(KIT / "jupyterhub_config.py")], env)


if __name__ == "__main__":
    main()
