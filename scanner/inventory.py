"""Ansible-format inventories (YAML and INI) and ad hoc targets -> hosts, and `--limit` patterns.

A small parser that gives the same hosts, groups and variables as ansible-core's
InventoryManager (tests/unit/test_inventory.py compares them) without importing it.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.models import Host

RANGE = re.compile(r"\[([^\]]*)\]")
HOST_PORT = re.compile(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$")
BRACKETED_HOST_PORT = re.compile(r"^\[(.+)\]:([0-9]+)$")
INI_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
INI_GROUP_NAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")
SUBSCRIPT = re.compile(r"^(.+)\[(?:(-?[0-9]+)|([0-9]+)[:-]([0-9]*))\]$")
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
class _Builder:
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


class _LineMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of each of its keys."""

    lines: dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_line_map(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    mapping = _LineMap()
    yield mapping
    mapping.update(loader.construct_mapping(node))
    mapping.lines = {loader.construct_object(key): key.start_mark.line + 1 for key, _ in node.value}


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_line_map)
# vaulted secrets (become passwords …) are never needed to scan: keep them opaque
_LineLoader.add_constructor("!vault", lambda _loader, _node: "<vaulted>")
_LineLoader.add_constructor("!unsafe", lambda _loader, node: str(node.value))


def _read_yaml(builder: _Builder, text: str) -> None:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise builder.error(mark.line + 1 if mark else None, str(exc.problem)) from exc
    except yaml.YAMLError as exc:
        raise builder.error(None, str(exc)) from exc
    if not isinstance(data, _LineMap) or not data:
        raise builder.error(1, "a YAML inventory is a mapping of group names (e.g. `all:`)")
    if data.get("plugin"):
        raise builder.error(data.lines["plugin"], "inventory plugin configs are not supported")
    for group, group_data in data.items():
        _read_yaml_group(builder, group, group_data, data.lines[group])


def _read_yaml_group(builder: _Builder, group: Any, group_data: Any, line: int) -> None:
    if not isinstance(group, str) or not (group_data is None or isinstance(group_data, _LineMap)):
        raise builder.error(line, f"group {group!r} must be a name mapped to hosts/vars/children")
    builder.add_group(group)
    if group_data is None:
        return
    for section, content in group_data.items():
        section_line = group_data.lines[section]
        if isinstance(content, str):  # `hosts: web1` is allowed for a single entry
            content = _LineMap({content: None})
            content.lines = {next(iter(content)): section_line}
        if section not in ("hosts", "vars", "children"):
            raise builder.error(
                section_line,
                f"group {group!r}: unexpected key {section!r} (only hosts, vars and children)",
            )
        if content is None:
            continue
        if not isinstance(content, _LineMap):
            raise builder.error(section_line, f"group {group!r}: {section} must be a mapping")
        for key, value in content.items():
            key_line = content.lines[key]
            if section == "vars":
                builder.set_group_var(group, key, value)
            elif section == "children":
                _read_yaml_group(builder, key, value, key_line)
                builder.add_child(group, key)
            elif value is not None and not isinstance(value, dict):
                raise builder.error(key_line, f"host {key!r}: its variables must be a mapping")
            else:
                builder.add_hosts(group, key, dict(value or {}), key_line)


def _read_ini(builder: _Builder, text: str) -> None:
    group, section = "ungrouped", "hosts"
    pending_vars: dict[str, int] = {}  # [g:vars] before g is declared: fine if declared later
    pending_children: dict[str, tuple[int, list[str]]] = {}
    declared: set[str] = {"all", "ungrouped"}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if header := INI_SECTION.match(line):
            group, section = header[1], header[2] or "hosts"
            if section not in ("hosts", "vars", "children"):
                raise builder.error(number, f"section [{group}:{section}] has an unknown type")
            builder.add_group(group)
            if section == "vars" and group not in declared:
                pending_vars.setdefault(group, number)
            elif section != "vars":
                declared.add(group)
                pending_vars.pop(group, None)
                for parent in pending_children.pop(group, (0, []))[1]:
                    builder.add_child(parent, group)
            continue
        if line.startswith("[") and line.endswith("]"):
            raise builder.error(number, f"invalid section {line!r} (no spaces allowed)")
        if section == "hosts":
            try:
                tokens = shlex.split(line, comments=True)
            except ValueError as exc:
                raise builder.error(number, f"cannot parse host line: {exc}") from exc
            variables = {}
            for token in tokens[1:]:
                if "=" not in token:
                    raise builder.error(number, f"expected key=value after the host, got {token!r}")
                key, value = token.split("=", 1)
                variables[key] = _ini_value(value)
            builder.add_hosts(group, tokens[0], variables, number)
        elif section == "vars":
            if "=" not in line:
                raise builder.error(number, f"expected key=value, got {line!r}")
            key, value = (part.strip() for part in line.split("=", 1))
            builder.set_group_var(group, key, _ini_value(value))
        elif not (child := INI_GROUP_NAME.match(line)):
            raise builder.error(number, f"expected a group name, got {line!r}")
        elif child[1] in declared:
            builder.add_child(group, child[1])
        else:
            pending_children.setdefault(child[1], (number, []))[1].append(group)
    for name, number in pending_vars.items():
        raise builder.error(number, f"section [{name}:vars] is for an undefined group")
    for name, (number, parents) in pending_children.items():
        raise builder.error(number, f"[{parents[-1]}:children] names undefined group {name!r}")


def _ini_value(text: str) -> Any:
    """INI values are Python literals when they parse as one (`2222`, `True`), else text."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    if value is ... or isinstance(value, complex):
        return text
    return value.decode() if isinstance(value, bytes) else value


def load_inventory(path: str | Path) -> Inventory:
    """Read an Ansible inventory file: YAML (.yml, .yaml, .json) or INI (anything else)."""
    source = str(path)
    builder = _Builder(source)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise builder.error(None, f"cannot read the inventory: {exc}") from exc
    is_yaml = Path(path).suffix in (".yml", ".yaml", ".json") or text.lstrip().startswith("---")
    (_read_yaml if is_yaml else _read_ini)(builder, text)
    return builder.build()


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
