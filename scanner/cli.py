"""The `hygie` command: parse arguments, call the library, print. Exit codes in ExitStatus."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from scanner import __version__
from scanner.attestations import AttestationError, load_attestations
from scanner.connections import ConnectOptions
from scanner.engine import Selection, evaluate_facts, exit_status, scan_fleet, with_attestations
from scanner.frameworks import command as frameworks_command
from scanner.inventory import InventoryError, load_inventory, parse_target, select
from scanner.models import ExitStatus, Host, ScanRun
from scanner.profiles import AUTO, ProfileError, builtin_profiles, load_profile
from scanner.report import write_reports
from scanner.report.terminal import print_summary, progress
from scanner.rules import load_catalog
from scanner.rules_doc import print_rule, print_rules, rules_markdown
from scanner.store import SnapshotError, read_snapshots, run_dir, write_snapshots
from scanner.waivers import WaiverError, apply_waivers, load_waivers


class UsageError(Exception):
    """Bad command line or input file: reported in one line, exit 64."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2, which means "hosts failed" here
        self.print_usage(sys.stderr)
        self.exit(ExitStatus.USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hygie", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"hygie {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = commands.add_parser("scan", help="scan hosts and write gap reports")
    scan.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="user@host:port, host, or 'local' (default: local, without -i)",
    )
    scan.add_argument("-i", "--inventory", type=Path, help="Ansible inventory (YAML or INI)")
    scan.add_argument("-l", "--limit", help="hosts or groups of the inventory (Ansible pattern)")
    scan.add_argument("-u", "--user", help="SSH user where the inventory sets none")
    scan.add_argument("--key", help="private key file where the inventory sets none")
    scan.add_argument("-b", "--become", action="store_true", help="run the collection via sudo -n")
    scan.add_argument(
        "--ssh-config",
        type=Path,
        action="append",
        default=[],
        help="OpenSSH client config (default ~/.ssh/config)",
    )
    scan.add_argument("--known-hosts", help="known_hosts file (default per SSH config)")
    scan.add_argument(
        "--trust-new-host-keys",
        action="store_true",
        help="record unknown host keys (a changed key is still refused)",
    )
    scan.add_argument("--connect-timeout", type=float, default=10.0, metavar="S")
    scan.add_argument(
        "--timeout", type=float, default=120.0, metavar="S", help="collection time limit per host"
    )
    scan.add_argument(
        "-p", "--parallel", type=int, default=20, metavar="N", help="hosts scanned at once"
    )
    _add_evaluation_options(scan)

    evaluate = commands.add_parser("evaluate", help="re-run the rules on saved facts, offline")
    evaluate.add_argument("facts", type=Path, metavar="FACTS_DIR_OR_FILE")
    _add_evaluation_options(evaluate)

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


def _add_evaluation_options(command: argparse.ArgumentParser) -> None:
    profiles = ", ".join(builtin_profiles())
    command.add_argument(
        "--profile",
        default=AUTO,
        help=f"{AUTO} (by detected role), {profiles}, or a tailoring file",
    )
    command.add_argument("--rules", help="only these rule ids or areas (comma separated)")
    command.add_argument("--waivers", type=Path, help="waivers file (accepted exceptions, YAML)")
    command.add_argument(
        "--attestations", type=Path, help="attestations file (organisational measures, YAML)"
    )
    command.add_argument(
        "-o", "--out", type=Path, help="report folder (default reports/<UTC time>)"
    )
    command.add_argument("--lang", choices=("en", "fr"), default="en", help="report language")
    command.add_argument("-q", "--quiet", action="store_true", help="no terminal summary")


def main(argv: Sequence[str] | None = None) -> int:
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
        from scanner.lab.cli import main as lab_main  # the lab needs root: load it on demand

        return lab_main(args.lab_args)
    except (
        UsageError,
        InventoryError,
        ProfileError,
        SnapshotError,
        WaiverError,
        AttestationError,
    ) as exc:
        print(f"hygie: error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        print("hygie: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED


def _selection(args: argparse.Namespace) -> Selection:
    if args.profile != AUTO:
        load_profile(args.profile)  # a bad profile is a usage error before any connection
    only = tuple(x.strip() for x in (args.rules or "").split(",") if x.strip())
    known = {*load_catalog(), *(r.area for r in load_catalog().values())}
    unknown = [x for x in only if x not in known]
    if unknown:
        raise UsageError(f"--rules: no rule or area named {', '.join(unknown)}")
    attestations = load_attestations(args.attestations) if args.attestations else None
    return Selection(profile=args.profile, only=only, attestations=attestations)


def _hosts(args: argparse.Namespace) -> list[Host]:
    if args.inventory and args.targets:
        raise UsageError("give either an inventory (-i) or targets, not both")
    if args.limit and not args.inventory:
        raise UsageError("--limit needs an inventory (-i)")
    if args.inventory:
        hosts = select(load_inventory(args.inventory), args.limit)
    else:
        hosts = [parse_target(t) for t in (args.targets or ["local"])]
    return [
        host.model_copy(
            update={
                "user": host.user or args.user,
                "key_file": host.key_file or args.key,
                "become": host.become or args.become,
            }
        )
        for host in hosts
    ]


def _scan(args: argparse.Namespace, console: Console) -> int:
    selection = _selection(args)
    waivers = load_waivers(args.waivers) if args.waivers else []
    hosts = _hosts(args)
    if args.parallel < 1:
        raise UsageError("--parallel must be at least 1")
    options = ConnectOptions(
        ssh_config=tuple(str(p) for p in args.ssh_config),
        known_hosts=args.known_hosts,
        trust_new_host_keys=args.trust_new_host_keys,
        connect_timeout=args.connect_timeout,
        command_timeout=args.timeout,
    )
    with progress(len(hosts), console) as bar:
        run, snapshots = asyncio.run(
            scan_fleet(hosts, selection, options, args.parallel, on_host_done=bar.advance)
        )
    apply_waivers(run, waivers, {host.name: host for host in hosts})
    out = run_dir(args.out)
    write_snapshots(snapshots, out / "facts")
    return _report(run, out, args, console)


def _evaluate(args: argparse.Namespace, console: Console) -> int:
    selection = _selection(args)
    waivers = load_waivers(args.waivers) if args.waivers else []
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
        console.print(f"Reports: {', '.join(str(p) for p in written.values())}", markup=False)
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
