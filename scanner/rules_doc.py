"""The rule catalog for people: a terminal list, one rule in detail, and Markdown for docs."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from scanner.rules import Rule


def _title(rule: Rule, lang: str) -> str:
    return rule.meta.title.fr if lang == "fr" else rule.meta.title.en


def _fix(rule: Rule, lang: str) -> str:
    remediation = rule.meta.remediation
    return ((lang == "fr" and remediation.manual_fr) or remediation.manual).strip()


def print_rules(rules: Iterable[Rule], console: Console, lang: str = "en") -> None:
    table = Table(box=None, pad_edge=False)
    table.add_column("rule", no_wrap=True)
    for column in ("area", "severity", "title", "fix"):
        table.add_column(column)
    for rule in rules:
        fix = "/".join(e for e in ("ansible", "pyinfra") if getattr(rule.meta.remediation, e))
        table.add_row(rule.id, rule.area, rule.meta.severity, _title(rule, lang), fix or "manual")
    console.print(table)


def print_rule(rule: Rule, console: Console, lang: str = "en") -> None:
    meta = rule.meta
    lines = [
        f"{meta.id} — {_title(rule, lang)}",
        f"area: {rule.area}    severity: {meta.severity}    platforms: {', '.join(meta.platforms)}",
        f"facts: {', '.join(meta.facts)}",
        "",
        meta.description.strip(),
        "",
        f"Why: {meta.rationale.strip()}",
    ]
    if meta.parameters:
        lines += ["", "Parameters (defaults):"]
        lines += [f"  {key}: {value}" for key, value in meta.parameters.items()]
    if meta.references:
        lines += ["", "References:"]
        lines += [f"  {key}: {', '.join(ids)}" for key, ids in meta.references.items()]
    lines += ["", f"Fix: {_fix(rule, lang)}"]
    console.print("\n".join(lines), markup=False, highlight=False)


def rules_markdown(rules: Iterable[Rule], lang: str = "en") -> str:
    out = ["# Hygie rules", ""]
    for rule in rules:
        meta = rule.meta
        out += [f"## `{meta.id}` — {_title(rule, lang)}", ""]
        out += [
            f"- **Area:** {rule.area} · **Severity:** {meta.severity} · "
            f"**Platforms:** {', '.join(meta.platforms)}"
        ]
        if meta.parameters:
            params = ", ".join(f"`{k}` = `{v}`" for k, v in meta.parameters.items())
            out.append(f"- **Parameters:** {params}")
        for key, ids in meta.references.items():
            out.append(f"- **{key}:** {', '.join(ids)}")
        out += [
            "",
            meta.description.strip(),
            "",
            f"*Why:* {meta.rationale.strip()}",
            "",
            f"*Fix:* {_fix(rule, lang)}",
            "",
        ]
    return "\n".join(out)
