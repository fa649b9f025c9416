"""The class list a lecturer writes, and the system accounts made from it.

One line per person: ``username,role,password`` with role ``student`` or ``lecturer``
(see ``roster.example.csv``). A missing password is generated for a new account and
written, with the others generated this time, to a file only root can read. Every
person gets a real system account with a private home folder, so students cannot read
or change each other's work (JupyterHub's PAM login checks the password; its allow
list is the roster, so an account that is not on it cannot log in).
"""

from __future__ import annotations

import csv
import io
import os
import pwd
import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROLES = ("student", "lecturer")
# Debian's useradd accepts more, but names that are also valid JupyterHub names (lower
# case, no dots or '@') avoid surprises in URLs and in nbgrader's exchange file names.
USERNAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class RosterError(ValueError):
    """A roster line that cannot become an account; the message names the line."""


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    password: str | None = None

    @property
    def is_lecturer(self) -> bool:
        return self.role == "lecturer"


def parse_roster(text: str, source: str = "roster") -> list[Member]:
    """The members listed in ``text``; blank lines and ``#`` comments are skipped."""
    members: list[Member] = []
    seen: set[str] = set()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        where = f"{source}, line {number}"
        cells = [cell.strip() for cell in row] + ["", ""]
        name, role, password = cells[0], cells[1] or "student", cells[2] or None
        if len(row) > 3:
            raise RosterError(f"{where}: expected username,role,password, got {len(row)} fields")
        if not USERNAME.match(name):
            raise RosterError(f"{where}: {name!r} is not a usable username (lower-case letters, "
                              "digits, '_' or '-', starting with a letter, at most 32 characters)")
        if role not in ROLES:
            raise RosterError(f"{where}: role {role!r} must be 'student' or 'lecturer'")
        if password is not None and len(password) < 8:
            raise RosterError(f"{where}: the password for {name} is shorter than 8 characters")
        if name in seen:
            raise RosterError(f"{where}: {name} is listed twice")
        seen.add(name)
        members.append(Member(name, role, password))
    if not any(m.is_lecturer for m in members):
        raise RosterError(f"{source}: no lecturer listed; the lecturer is the hub's only admin")
    return members


def read_roster(path: Path) -> list[Member]:
    if not path.is_file():
        raise RosterError(f"no roster at {path}: copy classroom/roster.example.csv and list your class")
    return parse_roster(path.read_text(encoding="utf-8"), source=str(path))


def account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_accounts(members: list[Member], homes: Path) -> dict[str, str]:
    """Create the missing accounts (private homes under ``homes``); return the passwords generated.

    A password the roster gives is set every time; an existing account the roster gives
    none for keeps its own. Homes are made private (0700), new or not.
    """
    homes.mkdir(parents=True, exist_ok=True)
    generated: dict[str, str] = {}
    passwords: dict[str, str] = {}
    for m in members:
        if not account_exists(m.name):
            subprocess.run(["useradd", "--create-home", "--home-dir", str(homes / m.name),
                            "--shell", "/bin/bash", "--user-group", m.name], check=True)
            if m.password is None:
                generated[m.name] = secrets.token_urlsafe(9)
        if m.password:
            passwords[m.name] = m.password
        os.chmod(pwd.getpwnam(m.name).pw_dir, 0o700)
    passwords.update(generated)
    if passwords:
        lines = "".join(f"{name}:{pw}\n" for name, pw in passwords.items())
        subprocess.run(["chpasswd"], input=lines, text=True, check=True)
    return generated
