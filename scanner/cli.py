"""The `hygie` command: parse arguments, call the library, print. Exit codes in ExitStatus."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from scanner import __version__
from scanner.attestations import AttestationError
from scanner.cli_options import (
    UsageError,
    UsageParser,
    add_evaluation_options,
    add_target_options,
    connect_options_from,
    hosts_from,
    selection_from,
    waivers_from,
)
from scanner.engine import evaluate_facts, exit_status, scan_fleet, with_attestations
from scanner.frameworks import command as frameworks_command
from scanner.inventory import InventoryError
from scanner.models import ExitStatus, Host, ScanRun
from scanner.profiles import ProfileError
from scanner.remediate import command as fix_command
from scanner.report import FindingsFileError, write_reports
from scanner.report.i18n import labels
from scanner.report.terminal import print_summary, progress
from scanner.rules import load_catalog
from scanner.rules_doc import print_rule, print_rules, rules_markdown
from scanner.store import SnapshotError, read_snapshots, run_dir, write_snapshots
from scanner.waivers import WaiverError, apply_waivers


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="hygie", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"hygie {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=UsageParser)

    scan = commands.add_parser("scan", help="scan hosts and write gap reports")
    add_target_options(scan)
    add_evaluation_options(scan)

    evaluate = commands.add_parser("evaluate", help="re-run the rules on saved facts, offline")
    evaluate.add_argument("facts", type=Path, metavar="FACTS_DIR_OR_FILE")
    add_evaluation_options(evaluate)

    fix_command.add_parser(commands)

    rules = commands.add_parser("rules", help="list the rules, or show one")
    rules.add_argument("rule_id", nargs="?")
    rules.add_argument("--markdown", action="store_true", help="print the catalog as Markdown")
    rules.add_argument("--lang", choices=("en", "fr"), default="en")

    frameworks_command.add_parser(commands)

    lab = commands.add_parser(
        "lab", help="start, list and stop lab hosts (see scanner/lab)", add_help=False
    )
    lab.add_argument("lab_args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lab"]:  # the lab has its own commands and options (and needs root)
        from scanner.lab.cli import main as lab_main

        return lab_main(argv[1:])
    args = build_parser().parse_args(argv)
    # piped output is read by tools and people alike: wide lines, never cut ids
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    try:
        if args.command == "scan":
            return _scan(args, console)
        if args.command == "evaluate":
            return _evaluate(args, console)
        if args.command == "rules":
            return _rules(args, console)
        if args.command == "frameworks":
            return frameworks_command.run(args, console)
        if args.command == "fix":
            return fix_command.run(args, console)
        raise AssertionError(f"unhandled command {args.command}")  # every command returns above
    except (
        UsageError,
        InventoryError,
        ProfileError,
        SnapshotError,
        WaiverError,
        AttestationError,
        FindingsFileError,
    ) as exc:
        print(f"hygie: error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        print("hygie: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED


def _scan(args: argparse.Namespace, console: Console) -> int:
    selection = selection_from(args)
    waivers = waivers_from(args)
    hosts = hosts_from(args)
    with progress(len(hosts), console) as bar:
        run, snapshots = asyncio.run(
            scan_fleet(hosts, selection, connect_options_from(args), args.parallel, bar.advance)
        )
    apply_waivers(run, waivers, {host.name: host for host in hosts})
    out = run_dir(args.out)
    write_snapshots(snapshots, out / "facts")
    return _report(run, out, args, console)


def _evaluate(args: argparse.Namespace, console: Console) -> int:
    selection = selection_from(args)
    waivers = waivers_from(args)
    snapshots = read_snapshots(args.facts)
    run = ScanRun.model_validate(
        {
            "tool_version": __version__,
            "started_at": min(s.collected_at or "1970-01-01T00:00:00Z" for s in snapshots),
            "finished_at": max(s.collected_at or "1970-01-01T00:00:00Z" for s in snapshots),
            "profile": selection.profile,
            "hosts": [
                evaluate_facts(
                    s.host,
                    s.address,
                    with_attestations(s.facts, selection, s.host, s.groups),
                    selection,
                )
                for s in snapshots
            ],
        }
    )
    hosts = {s.host: Host(name=s.host, groups=tuple(s.groups)) for s in snapshots}
    apply_waivers(run, waivers, hosts)
    return _report(run, run_dir(args.out), args, console)


def _report(run: ScanRun, out: Path, args: argparse.Namespace, console: Console) -> int:
    written = write_reports(run, out, lang=args.lang)
    if not args.quiet:
        print_summary(run, console, lang=args.lang)
        files = ", ".join(str(p) for p in written.values())
        console.print(f"{labels(args.lang)['reports_written']}: {files}", markup=False)
    return exit_status(run)


def _rules(args: argparse.Namespace, console: Console) -> int:
    catalog = load_catalog()
    if args.markdown:
        print(rules_markdown(catalog.values(), args.lang), end="")
    elif args.rule_id:
        if args.rule_id not in catalog:
            raise UsageError(f"no rule named {args.rule_id!r} (see `hygie rules`)")
        print_rule(catalog[args.rule_id], console, args.lang)
    else:
        print_rules(catalog.values(), console, args.lang)
    return ExitStatus.OK


if __name__ == "__main__":
    sys.exit(main())
