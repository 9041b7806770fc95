"""File permissions facts: mode and owner of sensitive files and of the users' home directories.

Example: {"files": {"/etc/shadow": {"mode": "0640", "owner": "root", "group": "shadow",
"kind": "regular file"}}, "home_directories": [{"user": "alice", "path": "/home/alice",
"mode": "0700", "owner": "alice", "group": "alice", "kind": "directory"}]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput, Fact, require

SENSITIVE_FILES = (
    "/etc/passwd /etc/passwd- /etc/group /etc/group- /etc/shadow /etc/shadow- /etc/gshadow"
    " /etc/gshadow- /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf /etc/crontab /etc/cron.d"
    " /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly"
)
MAX_LINES = 5_000
# stat -c '%a|%U|%G|%F|%n': octal mode, owner, group, kind ("regular file"), path
_STAT = re.compile(r"^([0-7]{1,4})\|([^|]{1,64})\|([^|]{1,64})\|([a-z ]{1,32})\|(/.{0,4095})$")


class FileMode(BaseModel):
    mode: str  # four octal digits: "0640"
    owner: str  # user name, or "UNKNOWN" when the uid has no name
    group: str
    kind: str  # "regular file", "directory", "symbolic link", …

    @property
    def bits(self) -> int:
        return int(self.mode, 8)


class HomeDirectory(FileMode):
    user: str
    path: str


class FilePermissionsFacts(BaseModel):
    files: dict[str, FileMode]  # only the SENSITIVE_FILES that exist (symlinks not followed)
    home_directories: list[HomeDirectory]  # users with UID >= UID_MIN whose home exists
    homes_missing: list[str]  # those users whose home directory does not exist


def parse_stat_line(line: str) -> tuple[str, FileMode] | None:
    """(path, mode) from one `stat -c '%a|%U|%G|%F|%n'` line; None when it is not one."""
    match = _STAT.match(line)
    if not match or not line.isprintable():
        return None
    mode, owner, group, kind, path = match.groups()
    return path, FileMode(mode=mode.zfill(4), owner=owner, group=group, kind=kind)


def parse_files(text: str) -> dict[str, FileMode]:
    files = {}
    for line in text.splitlines()[:MAX_LINES]:
        parsed = parse_stat_line(line)
        if parsed:
            files[parsed[0]] = parsed[1]
    return files


def parse_homes(text: str) -> tuple[list[HomeDirectory], list[str]]:
    """Lines `user<TAB>stat line`, or `user<TAB>missing` when the home does not exist."""
    homes, missing = [], []
    for line in text.splitlines()[:MAX_LINES]:
        user, _, rest = line.partition("\t")
        if not user or not user.isprintable():
            continue
        if rest == "missing":
            missing.append(user)
        elif parsed := parse_stat_line(rest):
            homes.append(HomeDirectory(user=user, path=parsed[0], **parsed[1].model_dump()))
    return homes, missing


def parse(outputs: Mapping[str, CommandOutput]) -> FilePermissionsFacts:
    files = parse_files(require(outputs, "files").stdout)
    if "/etc/passwd" not in files:
        raise CollectionError("stat printed nothing for /etc/passwd", outputs["files"].stderr)
    homes, missing = parse_homes(require(outputs, "home_directories").stdout)
    return FilePermissionsFacts(files=files, home_directories=homes, homes_missing=missing)


FACT = Fact(
    name="file_permissions",
    linux={
        "files": (
            "set --\n"
            f"for f in {SENSITIVE_FILES}; do\n"
            '  { [ -e "$f" ] || [ -L "$f" ]; } && set -- "$@" "$f"\n'
            "done\n"
            # one stat for all: a fork per file would cost more than the whole parse
            "[ $# -eq 0 ] || exec stat -c '%a|%U|%G|%F|%n' -- \"$@\""
        ),
        "home_directories": (
            "min=$(awk '$1 == \"UID_MIN\" { print $2 }' /etc/login.defs 2>/dev/null)\n"
            'case "$min" in ""|*[!0-9]*) min=1000 ;; esac\n'
            # nobody (65534) is a system account whatever UID_MIN says
            'awk -F: -v min="$min" \'NR <= 5000 && $3 >= min && $3 != 65534 { print $1 ":" $6 }\''
            " /etc/passwd |\n"
            "while IFS=: read -r user home; do\n"
            '  if [ -d "$home" ]; then\n'
            "    printf '%s\\t' \"$user\"; stat -c '%a|%U|%G|%F|%n' -- \"$home\" || exit 1\n"
            "  else\n"
            "    printf '%s\\tmissing\\n' \"$user\"\n"
            "  fi\n"
            "done"
        ),
    },
    parse=parse,
)
