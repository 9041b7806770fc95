"""`hygie frameworks [KEY] [--markdown] [--lang en|fr] [--run DIR]`: each framework's
requirements with the rules that cover them, and with --run how far the scanned hosts are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.frameworks import (
    FRAMEWORK_KEYS,
    Coverage,
    FrameworkError,
    RequirementCoverage,
    coverage,
    coverage_counts,
    load_framework,
)
from scanner.frameworks.progress import (
    HostStanding,
    host_progress,
    requirement_statuses,
)
from scanner.models import ExitStatus, ScanRun, Status
from scanner.report import FindingsFileError, load_run

COUNTED = (Status.PASS, Status.FAIL, Status.ERROR, Status.MANUAL)
Rows = list[tuple[str, list[str], list[list[str]]]]  # (title, header, rows) per table


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the `frameworks` subcommand to the `hygie` subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "frameworks", help="framework requirements and the rules that cover them"
    )
    parser.add_argument("key", nargs="?", metavar="KEY", help=", ".join(FRAMEWORK_KEYS))
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--lang", choices=("en", "fr"), default="en", help="titles language")
    parser.add_argument("--run", type=Path, metavar="DIR",
                        help="a scan's report folder (or its findings.json): add host status")
    return parser


def run(args: argparse.Namespace, console: Console) -> int:
    """Print the tables; an unknown KEY or an unreadable --run is a usage error (exit 64)."""
    try:
        scan = _load_scan(args.run) if args.run else None
        rows = _detail(args.key, args.lang, scan) if args.key else _overview(args.lang, scan)
    except (FrameworkError, FindingsFileError) as exc:
        print(f"hygie: error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    for title, header, body in rows:
        if args.markdown:
            print(_markdown(title, header, body), end="")
        else:
            _print_table(console, title, header, body)
    return ExitStatus.OK


def _load_scan(path: Path) -> ScanRun:
    return load_run(path / "findings.json" if path.is_dir() else path)


def _overview(lang: str, scan: ScanRun | None) -> Rows:
    header = ["key", "framework", "version", "requirements", *Coverage]
    if scan:
        header.append("with gaps")
    body = []
    for key in FRAMEWORK_KEYS:
        framework, items = load_framework(key), coverage(key)
        counts = coverage_counts(items)
        row = [key, framework.name.text(lang), framework.version, str(len(items)),
               *(str(counts[c]) for c in Coverage)]
        if scan:
            failing = [s for s in requirement_statuses(items, scan) if s.statuses[Status.FAIL]]
            row.append(str(len(failing)))
        body.append(row)
    return [("Frameworks", header, body)]


def _rules_cell(item: RequirementCoverage) -> str:
    """One rule per line in the terminal; Markdown joins the lines with commas."""
    return "\n".join([*item.automated_rules, *(f"{r} (attested)" for r in item.attested_rules)])


def _detail(key: str, lang: str, scan: ScanRun | None) -> Rows:
    framework, items = load_framework(key), coverage(key)
    counts = coverage_counts(items)
    summary = " · ".join(f"{c} {counts[c]}" for c in Coverage)
    title = (f"{framework.name.text(lang)} — {framework.version} "
             f"({len(items)} requirements: {summary})")
    header = ["id", "title", "scope", "coverage", "rules"]
    if scan is None:
        body = [[i.requirement.id, i.requirement.title.text(lang), i.requirement.scope,
                 i.coverage, _rules_cell(i)] for i in items]
        return [(title, header, body)]
    header += [str(s) for s in COUNTED]
    body = [
        [s.item.requirement.id, s.item.requirement.title.text(lang), s.item.requirement.scope,
         s.item.coverage, _rules_cell(s.item), *(str(s.statuses[c]) for c in COUNTED)]
        for s in requirement_statuses(items, scan)
    ]
    hosts_header = ["host", *HostStanding]
    hosts_body = [[p.host, *(str(p.standings[s]) for s in HostStanding)]
                  for p in host_progress(items, scan)]
    return [(title, header, body),
            (f"Hosts against {key} ({len(items)} requirements each)", hosts_header, hosts_body)]


def _print_table(console: Console, title: str, header: list[str], body: list[list[str]]) -> None:
    table = Table(title=Text(title), title_justify="left", box=None, pad_edge=False)
    table.add_column(header[0], no_wrap=True)  # the key or id: never cut or folded
    for name in header[1:]:
        table.add_column(name, overflow="fold")  # rule ids are never cut short
    for row in body:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


def _markdown(title: str, header: list[str], body: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", ", ") for c in cells) + " |"

    out = [f"## {title}", "", line(header), "|" + "---|" * len(header)]
    out += [line(row) for row in body]
    return "\n".join(out) + "\n\n"
