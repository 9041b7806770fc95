"""Inventory data: the hosts and groups of a file, and the builder that resolves their vars."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.models import Host

HOST_PORT = re.compile(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$")
BRACKETED_HOST_PORT = re.compile(r"^\[(.+)\]:([0-9]+)$")
RANGE = re.compile(r"\[([^\]]*)\]")
TRUE_WORDS = {"y", "yes", "on", "1", "true", "t"}


class InventoryError(ValueError):
    """A malformed inventory, target or --limit; the message names the file and the line."""


@dataclass
class Inventory:
    source: str
    hosts: dict[str, Host]  # by name, in the order the file first names them
    groups: dict[str, list[str]]  # group -> its hosts, its children's included ("all" too)
    host_vars: dict[str, dict[str, Any]] = field(default_factory=dict)  # merged as Ansible does


@dataclass
class InventoryBuilder:
    """Collects groups, hosts and variables as the file declares them, then resolves them."""

    source: str
    group_vars: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_parents: dict[str, list[str]] = field(default_factory=dict)
    own_vars: dict[str, dict[str, Any]] = field(default_factory=dict)  # host -> its vars
    own_groups: dict[str, list[str]] = field(default_factory=dict)  # host -> direct groups
    host_lines: dict[str, int] = field(default_factory=dict)
    group_priority: dict[str, int] = field(default_factory=dict)

    def error(self, line: int | None, message: str) -> InventoryError:
        where = f"{self.source}:{line}" if line else self.source
        return InventoryError(f"{where}: {message}")

    def add_group(self, name: str) -> None:
        self.group_vars.setdefault(name, {})
        self.group_parents.setdefault(name, [])

    def set_group_var(self, group: str, key: str, value: Any) -> None:
        if key != "ansible_group_priority":
            self.group_vars[group][key] = value
            return
        try:  # orders groups of the same depth when merging their variables
            self.group_priority[group] = int(value)
        except (TypeError, ValueError) as exc:
            raise self.error(None, f"group {group}: ansible_group_priority {value!r}") from exc

    def add_child(self, parent: str, child: str) -> None:
        self.add_group(parent)
        self.add_group(child)
        if parent not in self.group_parents[child]:
            self.group_parents[child].append(parent)

    def add_hosts(self, group: str, pattern: str, variables: dict[str, Any], line: int) -> None:
        """Add `web[01:03]:2222`-style host patterns to `group` with their variables."""
        if not isinstance(pattern, str):
            raise self.error(line, f"host {pattern!r} must be a string (quote numbers)")
        match = BRACKETED_HOST_PORT.match(pattern) or HOST_PORT.match(pattern)
        name_pattern, port = (match[1], int(match[2])) if match else (pattern, None)
        if pattern.strip().endswith(":") and port is None:
            raise self.error(line, f"host {pattern!r} ends with ':' but gives no port")
        self.add_group(group)
        for name in expand_host_range(name_pattern, lambda msg: self.error(line, msg)):
            self.host_lines.setdefault(name, line)
            self.own_groups.setdefault(name, [])
            if group not in self.own_groups[name]:
                self.own_groups[name].append(group)
            host_vars = self.own_vars.setdefault(name, {})
            if port is not None:
                host_vars["ansible_port"] = port
            host_vars.update(variables)

    def build(self) -> Inventory:
        for special in ("all", "ungrouped"):
            self.add_group(special)
        for group, parents in self.group_parents.items():
            if group != "all" and not parents:
                parents.append("all")
        ancestors = {group: self._ancestors(group, ()) for group in self.group_parents}
        depth = {group: self._depth(group) for group in self.group_parents}
        member_of: dict[str, set[str]] = {}
        for name, direct in self.own_groups.items():
            groups = set(direct) | {a for g in direct for a in ancestors[g]} | {"all"}
            if groups == {"all"}:
                groups.add("ungrouped")
            elif groups - {"all", "ungrouped"}:
                groups.discard("ungrouped")
            member_of[name] = groups
        hosts: dict[str, Host] = {}
        merged_vars: dict[str, dict[str, Any]] = {}
        for name, groups in member_of.items():
            merged: dict[str, Any] = {}
            for group in sorted(groups, key=lambda g: (depth[g], self.group_priority.get(g, 1), g)):
                merged.update(self.group_vars[group])
            merged.update(self.own_vars[name])
            merged_vars[name] = merged
            hosts[name] = self._host(name, merged, tuple(sorted(groups - {"all"})))
        members = {g: [h for h, gs in member_of.items() if g in gs] for g in self.group_vars}
        return Inventory(self.source, hosts, members, merged_vars)

    def _ancestors(self, group: str, path: tuple[str, ...]) -> set[str]:
        if group in path:
            raise self.error(None, f"group {group!r} is its own ancestor: {' > '.join(path)}")
        found: set[str] = set()
        for parent in self.group_parents[group]:
            found |= {parent} | self._ancestors(parent, (*path, group))
        return found

    def _depth(self, group: str) -> int:
        parents = self.group_parents[group]
        return 1 + max(self._depth(p) for p in parents) if parents else 0

    def _host(self, name: str, merged: dict[str, Any], groups: tuple[str, ...]) -> Host:
        line = self.host_lines.get(name)

        def text(*keys: str) -> str | None:
            value = next((merged[k] for k in keys if merged.get(k) is not None), None)
            if value is not None and "{{" in str(value):
                raise self.error(line, f"host {name}: {keys[0]} {value!r} is a template")
            return None if value is None else str(value)

        port = text("ansible_port", "ansible_ssh_port")
        if port is not None and not port.isdigit():
            raise self.error(line, f"host {name}: ansible_port {port!r} is not a number")
        connection = text("ansible_connection") or "ssh"
        if connection in ("smart", "paramiko", "ssh"):
            connection = "ssh"
        elif connection != "local":
            raise self.error(line, f"host {name}: connection {connection!r} is not supported")
        key_file = text("ansible_ssh_private_key_file", "ansible_private_key_file")
        return Host(
            name=name,
            address=text("ansible_host", "ansible_ssh_host"),
            port=int(port) if port is not None else None,
            user=text("ansible_user", "ansible_ssh_user"),
            key_file=str(Path(key_file).expanduser()) if key_file else None,
            connection=connection,  # type: ignore[arg-type]
            become=str(merged.get("ansible_become", "")).lower() in TRUE_WORDS,
            groups=groups,
        )


def expand_host_range(pattern: str, error: Any) -> list[str]:
    """`web[01:03]` -> web01, web02, web03; `db-[a:c]` -> db-a, db-b, db-c; ranges nest."""
    match = RANGE.search(pattern)
    if not match:
        return [pattern]
    bounds = match[1].split(":")
    if len(bounds) not in (2, 3) or not bounds[1]:
        raise error(f"host range [{match[1]}] must be [begin:end] or [begin:end:step]")
    begin, end, step = bounds[0] or "0", bounds[1], bounds[2] if len(bounds) == 3 else "1"
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    try:
        if begin in letters and end in letters:
            if letters.index(begin) > letters.index(end):
                raise error(f"host range [{match[1]}] must have begin <= end")
            values = list(letters[letters.index(begin) : letters.index(end) + 1 : int(step)])
        else:
            width = len(begin) if begin.startswith("0") and len(begin) > 1 else 0
            if width and width != len(end):
                raise error(f"host range [{match[1]}] must give begin and end the same width")
            values = [str(n).zfill(width) for n in range(int(begin), int(end) + 1, int(step))]
    except ValueError as exc:
        raise error(f"host range [{match[1]}] is not numeric or alphabetic") from exc
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [name for value in values for name in expand_host_range(head + value + tail, error)]
