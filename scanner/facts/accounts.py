"""Accounts facts: local users (/etc/passwd), password states (/etc/shadow, never the hashes),
useradd defaults, sudoers. Needs root (shadow, sudoers). Example: {"users": [{"name": "root",
"uid": 0, "shell": "/bin/bash", "passwd_field": "x"}], "shadow": [{"name": "root",
"password": "locked", "scheme": "$y$", "max_days": 99999}], "useradd_defaults": {"INACTIVE": "-1"}}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from scanner.facts.accounts_sudoers import Sudoers, parse_sudoers
from scanner.facts.authentication_files import dump_files_snippet, read_dumped
from scanner.facts.base import CollectionError, CommandOutput, Fact, require

MAX_ENTRIES = 20_000
PasswordState = Literal["hash", "empty", "locked", "disabled", "invalid"]


class User(BaseModel):
    name: str
    uid: int
    gid: int
    home: str
    shell: str
    passwd_field: Literal["x", "empty", "other"]  # "other": a hash kept in /etc/passwd itself


class ShadowEntry(BaseModel):
    """Only the state of the password field is collected, never the hash."""

    name: str
    password: PasswordState  # locked: "!"-prefixed; disabled: "*"; invalid: no usable hash
    scheme: str  # "$y$", "$6$", "$1$", "des", or "" (no hash behind the marker)
    last_change_days: int | None  # days since 1970-01-01; None: empty field
    max_days: int | None
    inactive_days: int | None


class AccountsFacts(BaseModel):
    users: list[User]
    shadow: list[ShadowEntry]
    useradd_defaults: dict[str, str]  # `useradd -D`: INACTIVE, SHELL, …
    sudoers: Sudoers | None  # None: sudo is not installed (no /etc/sudoers)


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 12 else None


def parse_passwd(text: str) -> list[User]:
    """Users from the sanitised passwd lines `name:x|empty|other:uid:gid:home:shell`."""
    users = []
    for line in text.splitlines()[:MAX_ENTRIES]:
        fields = line.split(":")
        if len(fields) != 6 or fields[1] not in ("x", "empty", "other") or not line.isprintable():
            continue
        uid, gid = _int(fields[2]), _int(fields[3])
        if uid is None or gid is None or not fields[0] or fields[0].startswith(("+", "-")):
            continue  # NIS compat lines and broken entries
        users.append(
            User(
                name=fields[0],
                uid=uid,
                gid=gid,
                home=fields[4],
                shell=fields[5],
                passwd_field=fields[1],
            )
        )  # type: ignore[arg-type]
    return users


def parse_shadow(text: str) -> list[ShadowEntry]:
    """Entries from the sanitised shadow lines `name:state:scheme:lastchg:max:inactive`."""
    entries = []
    for line in text.splitlines()[:MAX_ENTRIES]:
        fields = line.split(":")
        states = ("hash", "empty", "locked", "disabled", "invalid")
        if len(fields) != 6 or fields[1] not in states or not line.isprintable():
            continue
        if not re.fullmatch(r"(\$[A-Za-z0-9]{1,8}\$|des)?", fields[2]):
            continue
        entries.append(
            ShadowEntry(
                name=fields[0],
                password=fields[1],
                scheme=fields[2],  # type: ignore[arg-type]
                last_change_days=_int(fields[3]),
                max_days=_int(fields[4]),
                inactive_days=_int(fields[5]),
            )
        )
    return entries


def parse_useradd_defaults(text: str) -> dict[str, str]:
    """KEY=value lines of `useradd -D`."""
    found = (line.partition("=") for line in text.splitlines()[:100])
    return {
        key.strip(): value.strip() for key, sep, value in found if sep and key.strip().isupper()
    }


def parse(outputs: Mapping[str, CommandOutput]) -> AccountsFacts:
    users = parse_passwd(require(outputs, "passwd").stdout)
    if not any(user.uid == 0 for user in users):
        raise CollectionError("/etc/passwd lists no account with UID 0: not a readable passwd")
    shadow_out = outputs.get("shadow")
    if shadow_out is not None and shadow_out.rc == 2 and "ermission denied" in shadow_out.stderr:
        raise CollectionError(
            "reading /etc/shadow needs root: scan as root or with become", shadow_out.stderr
        )
    shadow = parse_shadow(require(outputs, "shadow").stdout)
    useradd = outputs.get("useradd")
    if useradd is None or (useradd.rc != 0 and not useradd.missing):
        raise CollectionError("useradd -D failed", useradd.stderr if useradd else "")
    sudo_out = outputs.get("sudoers")
    sudoers = None
    if sudo_out is None or not sudo_out.missing:
        sudoers = parse_sudoers(read_dumped(sudo_out, "sudoers"))
    return AccountsFacts(
        users=users,
        shadow=shadow,
        useradd_defaults={} if useradd.missing else parse_useradd_defaults(useradd.stdout),
        sudoers=sudoers,
    )


_SHADOW_AWK = r"""NR > 20000 { exit }
NF >= 7 {
  p = $2; s = "hash"; sch = ""
  if (p == "") s = "empty"; else if (substr(p, 1, 1) == "!") s = "locked"
  else if (substr(p, 1, 1) == "*") s = "disabled"
  q = p; sub(/^[!*]+/, "", q)
  if (match(q, /^\$[A-Za-z0-9]+\$/)) sch = substr(q, 1, RLENGTH)
  else if (length(q) == 13) sch = "des"
  else if (s == "hash") s = "invalid"
  print $1 ":" s ":" sch ":" $3 ":" $5 ":" $7
}"""

FACT = Fact(
    name="accounts",
    linux={
        # the password field is reduced to x/empty/other and GECOS (real names) is left out
        "passwd": (
            "exec awk -F: 'NR > 20000 { exit } NF >= 7 { p = $2;"
            ' c = (p == "x") ? "x" : ((p == "") ? "empty" : "other");'
            ' print $1 ":" c ":" $3 ":" $4 ":" $6 ":" $7 }\' /etc/passwd'
        ),
        # only the state and the scheme prefix of each password leave the host
        "shadow": f"exec awk -F: '{_SHADOW_AWK}' /etc/shadow",
        "useradd": "command -v useradd >/dev/null 2>&1 || exit 127\nexec useradd -D",
        "sudoers": "[ -e /etc/sudoers ] || exit 127\n"
        + dump_files_snippet("/etc/sudoers /etc/sudoers.d/*"),
    },
    parse=parse,
)
