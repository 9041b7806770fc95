"""`hygie fix`: failed rules of a scan run (or of a fresh scan) fixed with Ansible or pyinfra.

Preview by default (check/diff, nothing changed); `--apply` applies, re-scans the same hosts
and rules and shows before -> after; `--export FILE` writes a tailored playbook or deploy.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from rich.console import Console

from scanner.cli_options import (
    UsageError,
    add_evaluation_options,
    add_target_options,
    connect_options_from,
    hosts_from,
    selection_from,
    waivers_from,
)
from scanner.engine import Selection, scan_fleet
from scanner.models import ExitStatus, ScanRun
from scanner.remediate import ENGINES, flow, view
from scanner.remediate.connection import Reach
from scanner.remediate.plan import build_plan
from scanner.remediate.record import FixPlan, FixRun, Verdict
from scanner.report import load_run, write_reports
from scanner.store import run_dir, write_snapshots
from scanner.waivers import apply_waivers


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    """Add `fix` to the `hygie` subcommands, with the connection options of `scan`."""
    fix = commands.add_parser("fix", help="preview, apply and verify fixes of failed rules")
    fix.add_argument(
        "--from",
        dest="from_dir",
        type=Path,
        metavar="DIR",
        help="a scan run folder (findings.json); default: scan now",
    )
    fix.add_argument("--engine", choices=ENGINES, default="ansible")
    fix.add_argument("--apply", action="store_true", help="apply the fixes, then re-scan")
    fix.add_argument("-y", "--yes", action="store_true", help="apply without asking")
    fix.add_argument(
        "--allow-reboot", action="store_true", help="let fixes that need a reboot reboot the host"
    )
    fix.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="write a tailored playbook (or pyinfra deploy) and stop",
    )
    add_target_options(fix)
    add_evaluation_options(fix)  # --profile, --rules, --waivers, -o … exactly as `scan`
    return fix


def run(args: argparse.Namespace, console: Console) -> int:
    """`hygie fix`; bad input raises the usage errors `hygie` turns into exit 64."""
    return _fix(args, console)


def _fix(args: argparse.Namespace, console: Console) -> int:
    selection = selection_from(args)  # the same profile, rules and attestations as `scan`
    only = set(selection.only)
    reach = Reach(
        hosts={h.name: h for h in hosts_from(args)},
        options=connect_options_from(args),
        inventory=args.inventory,
        parallel=max(1, args.parallel),
    )
    source, scan = _source_run(args, selection, reach, console)
    plan = build_plan(
        scan, args.engine, hosts=set(reach.hosts), only=only, allow_reboot=args.allow_reboot
    )
    folder = source / f"fix-{flow.now():%Y%m%dT%H%M%SZ}-{args.engine}"
    if args.export:
        from scanner.remediate.export import export

        written = export(plan, args.export)
        console.print(
            f"Exported {len(plan.pairs())} fixes for {len(plan.hosts)} hosts: "
            + ", ".join(str(p) for p in written),
            markup=False,
        )
        view.print_not_attempted(plan, console)
        return ExitStatus.OK
    record = FixRun(
        engine=args.engine,
        started_at=flow.now(),
        source=str(source),
        plan=plan,
        before=flow.statuses(scan, plan),
    )
    view.print_not_attempted(plan, console)
    if not plan.hosts:
        console.print("Nothing to fix automatically.")
        return _finish(record, folder, console, ExitStatus.OK)
    record.preview = flow.run_engine(args.engine, plan, reach, folder, preview=True)
    console.print(
        f"[bold]Preview[/] ({args.engine}, {record.preview.duration_s} s, nothing changed):"
    )
    view.print_outcomes(record.preview.outcomes, console, show_diff=not args.quiet)
    if not args.apply:
        console.print("Apply with --apply.")
        return _finish(record, folder, console, _engine_status(record.preview.outcomes))
    if not _confirmed(args, plan, console):
        console.print("Nothing applied.")
        return _finish(record, folder, console, ExitStatus.OK)
    record.apply = flow.run_engine(args.engine, plan, reach, folder, preview=False)
    console.print(f"[bold]Applied[/] ({args.engine}, {record.apply.duration_s} s):")
    view.print_outcomes(record.apply.outcomes, console, show_diff=False)
    after = flow.verify(record, reach, scan.profile, folder / "rescan")
    view.print_before_after(record, console)
    status = _engine_status(record.apply.outcomes)
    if flow.host_errors(after):
        status = ExitStatus.HOST_ERRORS
    elif record.still_failing and status is ExitStatus.OK:
        status = ExitStatus.FINDINGS
    return _finish(record, folder, console, status)


def _finish(record: FixRun, folder: Path, console: Console, status: ExitStatus) -> int:
    record.finished_at = flow.now()
    path = flow.write_record(record, folder)
    console.print(f"Fix run: {path}", markup=False)
    return status


def _engine_status(outcomes: list) -> ExitStatus:
    bad = {Verdict.FAILED, Verdict.UNREACHABLE, Verdict.NOT_REACHED}
    return ExitStatus.HOST_ERRORS if any(o.verdict in bad for o in outcomes) else ExitStatus.OK


def _confirmed(args: argparse.Namespace, plan: FixPlan, console: Console) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError("--apply asks for confirmation: add --yes when not on a terminal")
    answer = console.input(f"Apply {len(plan.pairs())} fixes on {len(plan.hosts)} hosts? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _source_run(
    args: argparse.Namespace, selection: Selection, reach: Reach, console: Console
) -> tuple[Path, ScanRun]:
    """The scan run whose failed rules get fixed: --from DIR, or a scan made now; waived
    findings (--waivers) are left alone."""
    waivers = waivers_from(args)
    if args.from_dir:
        findings = args.from_dir / "findings.json" if args.from_dir.is_dir() else args.from_dir
        scan = load_run(findings)
        apply_waivers(scan, waivers, reach.hosts)
        unknown = [h.name for h in scan.hosts if h.name not in reach.hosts]
        if unknown and not args.quiet:
            console.print(
                f"Not in the inventory or targets (left alone): {', '.join(unknown)}", markup=False
            )
        return findings.parent, scan
    scan, snapshots = asyncio.run(
        scan_fleet(list(reach.hosts.values()), selection, reach.options, reach.parallel)
    )
    apply_waivers(scan, waivers, reach.hosts)
    out = run_dir(args.out)
    write_snapshots(snapshots, out / "facts")
    write_reports(scan, out, lang=args.lang)
    console.print(f"Scanned {len(scan.hosts)} hosts: {out}", markup=False)
    return out, scan
