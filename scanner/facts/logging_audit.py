"""Pure parsers of Linux audit outputs: `auditctl -s`, `auditctl -l` and audit rules files.

Example rule: {"text": "-w /etc/shadow -p wa -k identity", "kind": "watch",
"paths": ["/etc/shadow"], "perms": "wa", "syscalls": [], "key": "identity", …}
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from scanner.facts.base import CollectionError

MAX_OUTPUT = 2_000_000
MAX_RULES = 5_000
_FIELD = re.compile(r"^([A-Za-z_0-9]{1,32})(!=|>=|<=|&=|=|>|<|&)(.{0,4096})$")
_NAME = re.compile(r"^[A-Za-z_0-9]{1,40}$")
_CONTROL = {"-D", "-b", "-f", "-e", "-r", "--backlog_wait_time", "--loginuid-immutable", "-i", "-c"}


class AuditStatus(BaseModel):
    enabled: int  # 0 off, 1 on, 2 on and locked (immutable)
    pid: int  # auditd's pid, 0 when no daemon receives the events
    failure: int | None = None
    lost: int | None = None
    backlog_limit: int | None = None


class AuditRule(BaseModel):
    text: str  # the rule as written (at most 300 characters)
    file: str | None = None  # where it was read; None for loaded rules (`auditctl -l`)
    kind: Literal["watch", "syscall", "control"]
    action: str = ""  # "always,exit", "never,exit" …; "" for watches
    paths: list[str] = Field(default_factory=list)  # -w, -F path=, -F dir=
    perms: str = ""  # -p / -F perm= letters (r w x a); "" = not restricted
    syscalls: list[str] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)  # the other -F filters, as written
    compare: list[str] = Field(default_factory=list)  # -C comparisons (uid!=euid …)
    key: str | None = None


def parse_auditctl_status(text: str) -> AuditStatus:
    """`auditctl -s`: `key value` lines (audit >= 2.3) or one `AUDIT_STATUS: k=v …` line."""
    if len(text) > 100_000:
        raise CollectionError("auditctl -s printed more than 100 kB")
    pairs = re.findall(r"\b([a-z_]{1,40})[ =](-?\d{1,12})\b", text)
    values = {key: int(value) for key, value in pairs}
    if "enabled" not in values or "pid" not in values:
        raise CollectionError("auditctl -s printed no enabled/pid status")
    return AuditStatus(
        enabled=values["enabled"],
        pid=values["pid"],
        failure=values.get("failure"),
        lost=values.get("lost"),
        backlog_limit=values.get("backlog_limit"),
    )


def parse_audit_rule(line: str, file: str | None = None) -> AuditRule | None:
    """One rule line as auditctl takes it; None for lines that are not a rule."""
    tokens = line.split()
    if not tokens or not line.isprintable() or not tokens[0].startswith("-"):
        return None
    if tokens[0] in _CONTROL:
        return AuditRule(text=line.strip()[:300], file=file, kind="control")
    if tokens[0] not in {"-w", "-a", "-A"}:
        return None
    rule = AuditRule(
        text=line.strip()[:300], file=file, kind="watch" if tokens[0] == "-w" else "syscall"
    )
    pairs = zip(tokens[::2], tokens[1::2], strict=False)
    for option, value in pairs:
        if option == "-w":
            rule.paths.append(value)
        elif option in {"-a", "-A"}:
            rule.action = value
        elif option == "-p":
            rule.perms = value
        elif option == "-k":
            rule.key = value
        elif option == "-S":
            rule.syscalls.extend(name for name in value.split(",") if _NAME.match(name))
        elif option == "-C":
            rule.compare.append(value)
        elif option == "-F":
            _add_field(rule, value)
        else:
            return None  # an option this parser does not know: not a rule it can judge
    return rule


def _add_field(rule: AuditRule, value: str) -> None:
    match = _FIELD.match(value)
    if not match:
        return
    name, operator, operand = match.groups()
    if name in {"path", "dir"} and operator == "=":
        rule.paths.append(operand)
    elif name == "perm" and operator == "=":
        rule.perms = operand
    elif name in {"key", "k"} and operator == "=":
        rule.key = operand
    else:
        rule.fields.append(value)


def parse_loaded_rules(text: str) -> list[AuditRule]:
    """`auditctl -l`: one rule a line, or `No rules`."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("auditctl -l printed more than 2 MB")
    rules = [rule for line in text.splitlines() if (rule := parse_audit_rule(line))]
    return rules[:MAX_RULES]


def parse_rules_files(text: str) -> tuple[list[AuditRule], list[str]]:
    """(rules, files) from `grep -H` over /etc/audit/rules.d/*.rules and audit.rules.

    augenrules builds audit.rules from rules.d: when rules.d has rules, audit.rules is ignored.
    """
    if len(text) > MAX_OUTPUT:
        raise CollectionError("audit rules files are larger than 2 MB")
    by_file: dict[str, list[AuditRule]] = {}
    for line in text.splitlines():
        path, sep, content = line.partition(":")
        if not sep or not path.startswith("/etc/audit/"):
            continue
        by_file.setdefault(path, [])
        rule = parse_audit_rule(content, path)
        if rule is not None:
            by_file[path].append(rule)
    from_rules_d = [path for path in by_file if path.startswith("/etc/audit/rules.d/")]
    files = sorted(from_rules_d) if from_rules_d else sorted(by_file)
    rules = [rule for path in files for rule in by_file[path]]
    return rules[:MAX_RULES], files
