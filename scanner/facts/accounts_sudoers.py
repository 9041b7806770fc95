"""Pure parser of sudoers files: Defaults settings and user specifications, aliases expanded
for commands. Example rule: {"principals": ["%sudo"], "commands": [{"command": "ALL",
"runas": "(ALL:ALL)", "nopasswd": false}]}."""

from __future__ import annotations

import re

from pydantic import BaseModel

MAIN = "/etc/sudoers"
INCLUDE_DIR = "/etc/sudoers.d"
_ALIAS_KINDS = ("User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias")
_TAG = re.compile(r"^([A-Z_]+):\s*")
_DEFAULTS = re.compile(r"^Defaults([:@>!]\S+)?\s+(.*)$")


class SudoDefault(BaseModel):
    file: str
    scope: str  # "" for every user; ":user", "@host", ">runas", "!cmnd" as written
    name: str
    value: str | None  # None for a boolean flag
    negated: bool  # `!name`


class SudoCommand(BaseModel):
    command: str  # "ALL", "/usr/bin/systemctl restart app" (Cmnd_Alias members expanded)
    runas: str  # "(ALL:ALL)", "" when not given
    nopasswd: bool  # NOPASSWD (or !authenticate given per command) applies


class SudoRule(BaseModel):
    file: str
    principals: list[str]  # users, %groups, User_Alias names as written
    commands: list[SudoCommand]


class Sudoers(BaseModel):
    files: list[str]  # files sudo reads, in order
    defaults: list[SudoDefault]
    rules: list[SudoRule]
    unread_includes: list[str]  # include directives naming files the scan did not read


def _split_commas(text: str) -> list[str]:
    """Split on commas outside quotes and parentheses; `\\,` stays in the item."""
    items, depth, quoted, current = [], 0, False, ""
    for index, char in enumerate(text):
        if char == '"' and text[index - 1 : index] != "\\":
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
        elif char == ")" and not quoted:
            depth = max(0, depth - 1)
        elif char == "," and not quoted and not depth and text[index - 1 : index] != "\\":
            items.append(current.strip())
            current = ""
            continue
        current += char
    items.append(current.strip())
    return [item for item in items if item]


def _logical_lines(text: str) -> list[str]:
    lines, pending = [], ""
    for raw in text.splitlines():
        line = raw.replace("\t", " ").strip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = (pending + line).strip(), ""
        if (
            line
            and line.isprintable()
            and (not line.startswith("#") or line.startswith("#include"))
        ):
            lines.append(line)
    return lines


def _defaults(path: str, match: re.Match[str]) -> list[SudoDefault]:
    found = []
    for item in _split_commas(match.group(2)):
        negated = item.startswith("!")
        name, sep, value = item.lstrip("!").partition("=")
        name = name.rstrip("+-").strip()
        found.append(
            SudoDefault(
                file=path,
                scope=match.group(1) or "",
                name=name,
                value=value.strip().strip('"') if sep else None,
                negated=negated,
            )
        )
    return found


def _commands(text: str, aliases: dict[str, list[str]]) -> list[SudoCommand]:
    commands, runas, nopasswd = [], "", False
    for item in _split_commas(text):
        if item.startswith("("):
            runas, _, item = item.partition(")")
            runas, item = "".join(runas.split()) + ")", item.strip()
        while match := _TAG.match(item):
            tag, item = match.group(1), item[match.end() :]
            if tag in ("NOPASSWD", "PASSWD"):
                nopasswd = tag == "NOPASSWD"
        for command in aliases.get(item, [item]):
            commands.append(SudoCommand(command=command, runas=runas, nopasswd=nopasswd))
    return commands


def parse_sudoers(files: dict[str, str]) -> Sudoers:
    """Sudoers as sudo reads it: /etc/sudoers, then /etc/sudoers.d/* where it is included."""
    order, unread = [MAIN] if MAIN in files else [], []
    for line in _logical_lines(files.get(MAIN, "")):
        directive, _, target = line.partition(" ")
        target = target.strip()
        if directive in ("@includedir", "#includedir") and target.rstrip("/") == INCLUDE_DIR:
            # sudo skips names that contain a dot or end with "~" (editor and package leftovers)
            order += sorted(
                p
                for p in files
                if p.startswith(INCLUDE_DIR + "/")
                and "." not in p.rsplit("/", 1)[1]
                and not p.endswith("~")
            )
        elif directive in ("@include", "#include", "@includedir", "#includedir"):
            unread.append(target)
    defaults, rules, aliases = [], [], {}
    for path in order:
        for line in _logical_lines(files[path]):
            if match := _DEFAULTS.match(line):
                defaults += _defaults(path, match)
            elif line.split(" ", 1)[0] in ("Cmnd_Alias", "Cmd_Alias"):
                for definition in line.split(None, 1)[1].split(":"):
                    name, _, members = definition.partition("=")
                    aliases[name.strip()] = _split_commas(members)
            elif line.split(" ", 1)[0] in _ALIAS_KINDS or line.startswith(("@", "#")):
                continue
            elif "=" in line:
                who_host, _, spec = line.partition("=")
                who = who_host.rsplit(None, 1)[0] if len(who_host.split()) > 1 else ""
                rules.append(
                    SudoRule(
                        file=path, principals=_split_commas(who), commands=_commands(spec, aliases)
                    )
                )
    return Sudoers(files=order, defaults=defaults, rules=rules, unread_includes=unread)
