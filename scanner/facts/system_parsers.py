"""Pure parsers of the system fact's outputs: os-release, uname, machine-id, virt, desktop.

Example: parse_os_release('ID=debian\\nVERSION_ID="12"\\n') -> {"ID": "debian", "VERSION_ID": "12"}
"""

from __future__ import annotations

import re
from typing import Literal

from scanner.facts.base import CollectionError

_OS_RELEASE_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
_UNESCAPE = re.compile(r"\\([\\\"$`])")
_NAME = re.compile(r"^[A-Za-z0-9_.:+-]{1,64}$")  # a host name, release, arch or virt name
_MACHINE_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_VALUE = 256

VirtKind = Literal["vm", "container", "none"]


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value pairs of os-release(5), shell quoting removed; odd lines are skipped."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _OS_RELEASE_LINE.match(line.strip())
        if not match:
            continue
        key, raw = match.groups()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            raw = raw[1:-1]
            if match.group(2)[0] == '"':
                raw = _UNESCAPE.sub(r"\1", raw)
        if raw and len(raw) <= MAX_VALUE and raw.isprintable():
            values[key] = raw
    return values


def parse_uname(text: str) -> tuple[str, str, str]:
    """(hostname, kernel release, machine) from `uname -n && uname -r && uname -m`."""
    lines = text.splitlines()
    if len(lines) != 3 or not all(_NAME.match(line) for line in lines):
        raise CollectionError("uname printed something unexpected")
    hostname, release, machine = lines
    return hostname, release, machine


def parse_machine_id(text: str) -> str | None:
    """The 32 hex digits of /etc/machine-id; None when empty (image not booted yet),
    "uninitialized" (first boot) or anything else: the id is informative only."""
    value = text.strip()
    return value if _MACHINE_ID.match(value) else None


def parse_virtualization(text: str) -> tuple[str | None, VirtKind | None]:
    """(technology, kind) from `container X` / `vm X` lines of systemd-detect-virt, or
    `marker X` lines (container marker files) where systemd-detect-virt is absent."""
    seen: dict[str, str] = {}
    for line in text.splitlines():
        kind, _, name = line.strip().partition(" ")
        if kind in ("container", "vm", "marker") and _NAME.match(name):
            seen.setdefault(kind, name)
    container = seen.get("container", "none")
    if container != "none":
        return container, "container"
    if "marker" in seen:
        return seen["marker"], "container"
    vm = seen.get("vm", "none")
    if vm != "none":
        return vm, "vm"
    if "container" in seen and "vm" in seen:
        return "none", "none"
    return None, None


def parse_init(text: str) -> str | None:
    """The init: `systemd` when systemd runs, else PID 1's command name; None if unreadable."""
    value = text.strip()
    return value if _NAME.match(value) else None


_DESKTOP_SIGNS = {
    "display_manager_service": "display-manager.service enabled: {}",
    "display_manager": "display manager installed: {}",
    "desktop_session": "desktop session installed: {}",
    "session_file": "graphical session offered: {}",
}


def parse_role(text: str) -> tuple[Literal["server", "workstation"], list[str]]:
    """The role and its evidence: any desktop sign makes a workstation, none a server."""
    signs, default_target = [], None
    for line in text.splitlines()[:100]:
        kind, _, value = line.strip().partition(" ")
        if not value or len(value) > MAX_VALUE or not value.isprintable():
            continue
        if kind == "default_target":
            default_target = value
            if value == "graphical.target":
                signs.append("default target set to graphical.target")
        elif kind in _DESKTOP_SIGNS:
            signs.append(_DESKTOP_SIGNS[kind].format(value))
    if signs:
        return "workstation", signs
    evidence = ["no display manager, desktop session or graphical target"]
    if default_target:
        evidence.append(f"default target set to {default_target}")
    return "server", evidence
