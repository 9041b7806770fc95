"""Reading Ansible inventory files: YAML (with line numbers for errors) and INI."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from scanner.inventory.model import Inventory, InventoryBuilder

INI_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
INI_GROUP_NAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")


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


def _read_yaml(builder: InventoryBuilder, text: str) -> None:
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


def _read_yaml_group(builder: InventoryBuilder, group: Any, group_data: Any, line: int) -> None:
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


def _read_ini(builder: InventoryBuilder, text: str) -> None:
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
    builder = InventoryBuilder(source)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise builder.error(None, f"cannot read the inventory: {exc}") from exc
    is_yaml = Path(path).suffix in (".yml", ".yaml", ".json") or text.lstrip().startswith("---")
    (_read_yaml if is_yaml else _read_ini)(builder, text)
    return builder.build()
