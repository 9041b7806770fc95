"""Parsers of dnf/yum outputs: `check-update`, `updateinfo list --security`, `history list`.

e.g. "openssl.x86_64  1:1.0.2k-26.el7_9  updates" -> ("openssl", "1:1.0.2k-26.el7_9", "updates")
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

_ARCHES = {"x86_64", "noarch", "i686", "i386", "aarch64", "ppc64le", "s390x", "src"}
_ADVISORY = re.compile(r"^[A-Za-z][\w.:-]*-\d")
_HISTORY_DATE = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d)(?::\d\d)?$")
_FULL_UPGRADE_COMMANDS = {"upgrade", "update", "distro-sync", "upgrade-minimal", "dnf-automatic"}


def _name_arch(token: str) -> str | None:
    name, _, arch = token.rpartition(".")
    return name if name and arch in _ARCHES else None


def parse_check_update(text: str) -> list[tuple[str, str, str]]:
    """(name, version, repository) of each pending update; wrapped long names are re-joined."""
    updates = []
    pending_name: str | None = None
    for line in text.splitlines():
        if line.startswith(("Obsoleting Packages", "Security:")):
            break
        fields = line.split()
        if pending_name and len(fields) == 2:
            fields = [pending_name, *fields]
        pending_name = None
        if len(fields) == 1 and _name_arch(fields[0]):
            pending_name = fields[0]  # dnf wraps "very-long-name.x86_64" onto its own line
            continue
        if len(fields) != 3:
            continue
        name = _name_arch(fields[0])
        if name:
            updates.append((name, fields[1], fields[2]))
    return updates


def package_name_of_nevra(nevra: str) -> str | None:
    """`iwl1000-firmware-1:39.31.5.1-115.fc32.noarch` -> "iwl1000-firmware"."""
    without_arch = _name_arch(nevra)
    if not without_arch:
        return None
    parts = without_arch.rsplit("-", 2)
    return parts[0] if len(parts) == 3 and parts[0] else None


def parse_updateinfo_security(text: str) -> dict[str, list[str]]:
    """Package name -> security advisory ids from `updateinfo list` (other types skipped)."""
    packages: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 3 or not _ADVISORY.match(fields[0]):
            continue
        advisory, kind, nevra = fields
        if not (kind.endswith("/Sec.") or kind.lower() == "security"):
            continue
        name = package_name_of_nevra(nevra)
        if name:
            packages.setdefault(name, [])
            if advisory not in packages[name]:
                packages[name].append(advisory)
    return packages


def parse_history_list(text: str, tz: timezone) -> tuple[int | None, int | None]:
    """`dnf history list` -> (last full upgrade, last transaction that upgraded anything).

    dnf prints "ID | Command line | Date and time | Action(s) | Altered"; yum prints
    "Login user" instead of the command line, so a yum Update counts as a full upgrade.
    """
    last_full: int | None = None
    last_any: int | None = None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) != 5 or not cells[0].isdigit():
            continue
        command, moment, actions = cells[1], _HISTORY_DATE.match(cells[2]), cells[3]
        action_set = {a.strip() for a in actions.split(",")}
        if not moment or not action_set & {"Upgrade", "Update", "U"}:
            continue
        try:
            when = datetime.fromisoformat(f"{moment[1]}T{moment[2]}").replace(tzinfo=tz)
        except ValueError:
            continue
        epoch = int(when.timestamp())
        last_any = max(last_any or epoch, epoch)
        by_yum = "<" in command or not command  # yum: "root <root>" / dnf-automatic: empty
        if by_yum or set(command.split()) & _FULL_UPGRADE_COMMANDS:
            last_full = max(last_full or epoch, epoch)
    return last_full, last_any
