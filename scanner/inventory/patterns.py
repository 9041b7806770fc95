"""`--limit` patterns over an inventory, and ad hoc targets (`user@host:port`, `local`)."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from scanner.inventory.model import BRACKETED_HOST_PORT, Inventory, InventoryError
from scanner.models import Host

SUBSCRIPT = re.compile(r"^(.+)\[(?:(-?[0-9]+)|([0-9]+)[:-]([0-9]*))\]$")


def select(inventory: Inventory, limit: str | None) -> list[Host]:
    """Hosts matching an Ansible `--limit` (`web,db`, `all:!db*`, `web:&prod`, `~re`, `@file`)."""
    if not limit:
        return list(inventory.hosts.values())
    if limit.startswith("@"):
        limit = ",".join(Path(limit[1:]).read_text(encoding="utf-8").split())
    if "," in limit:
        patterns = limit.split(",")
    else:  # ':' separates patterns too, except inside brackets
        patterns = re.findall(r"(?:[^\s:\[\]]|\[[^\]]*\])+", limit)
    patterns = [p.strip() for p in patterns if p.strip()]
    regular = [p for p in patterns if p[0] not in "!&"] or ["all"]
    chosen: list[str] = []
    intersections = [p for p in patterns if p[0] == "&"]
    for pattern in regular + intersections + [p for p in patterns if p[0] == "!"]:
        matched = _match_pattern(inventory, pattern[1:] if pattern[0] in "!&" else pattern)
        if not matched:
            where = inventory.source
            raise InventoryError(f"--limit {pattern!r} matches no host or group in {where}")
        if pattern[0] == "!":
            chosen = [name for name in chosen if name not in matched]
        elif pattern[0] == "&":
            chosen = [name for name in chosen if name in matched]
        else:
            chosen += [name for name in matched if name not in chosen]
    if not chosen:
        raise InventoryError(f"--limit {limit!r} leaves no host to scan in {inventory.source}")
    return [inventory.hosts[name] for name in inventory.hosts if name in chosen]


def _match_pattern(inventory: Inventory, pattern: str) -> list[str]:
    """Hosts of the groups a pattern names, else hosts it names; `[i]`/`[i:j]` picks some."""
    subscript = None if pattern.startswith("~") else SUBSCRIPT.match(pattern)
    if subscript:
        pattern = subscript[1]
    try:
        regex = re.compile(pattern[1:] if pattern.startswith("~") else fnmatch.translate(pattern))
    except re.error as exc:
        raise InventoryError(f"--limit {pattern!r} is not a valid pattern: {exc}") from exc
    groups = [g for g in inventory.groups if regex.match(g)]
    matched = [h for g in groups for h in inventory.groups[g]]
    if not groups or pattern[0] == "~" or any(c in pattern for c in ".?*["):
        matched += [name for name in inventory.hosts if regex.match(name)]
    matched = list(dict.fromkeys(matched))
    if subscript and matched:
        index, start, end = subscript[2], subscript[3], subscript[4]
        if index is not None:
            if not -len(matched) <= int(index) < len(matched):
                raise InventoryError(f"--limit {pattern}[{index}]: only {len(matched)} hosts")
            return [matched[int(index)]]
        return matched[int(start) : int(end) + 1 if end else None]
    return matched


def parse_target(text: str) -> Host:
    """An ad hoc target: `local`, `host`, `user@host:port`, `[2001:db8::1]:22`, `ssh://…`."""
    target = text.strip().removeprefix("ssh://")
    if target == "local":
        return Host(name="local", connection="local")
    user, _, address = target.rpartition("@")
    port: int | None = None
    if match := BRACKETED_HOST_PORT.match(address):
        address, port = match[1], int(match[2])
    elif address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    elif address.count(":") == 1:
        address, _, port_text = address.partition(":")
        if not port_text.isdigit():
            raise InventoryError(f"target {text!r}: port {port_text!r} is not a number")
        port = int(port_text)
    if not address or re.search(r"[\s/\[\]@]", address) or port == 0 or (port or 0) > 65535:
        raise InventoryError(f"target {text!r} is not [user@]host[:port]")
    shown = f"[{address}]" if ":" in address else address
    name = address if port is None else f"{shown}:{port}"
    return Host(name=name, address=None if port is None else address, port=port, user=user or None)
