"""The fix flow as library calls: preview or apply a plan with an engine, re-scan the same
hosts and rules, and compare before with after. `hygie fix` and the tests call these."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from scanner.engine import Selection, scan_fleet
from scanner.models import HostStatus, ScanRun, Status
from scanner.remediate.connection import Reach
from scanner.remediate.record import EngineRun, FixPlan, FixRun
from scanner.report import write_reports
from scanner.store import write_snapshots


def run_engine(engine: str, plan: FixPlan, reach: Reach, workdir: Path,
               preview: bool) -> EngineRun:
    if engine == "ansible":
        from scanner.remediate import ansible as runner
    else:
        from scanner.remediate import pyinfra as runner  # type: ignore[no-redef]
    return runner.run(plan, reach, workdir, preview=preview)


def statuses(run: ScanRun, plan: FixPlan) -> dict[str, dict[str, Status]]:
    """host -> rule -> status, for the planned pairs only."""
    wanted = set(plan.pairs())
    found: dict[str, dict[str, Status]] = {}
    for host in run.hosts:
        for finding in host.findings:
            if (host.name, finding.rule_id) in wanted:
                found.setdefault(host.name, {})[finding.rule_id] = finding.status
    return found


def rescan(plan: FixPlan, reach: Reach, profile: str, out: Path | None = None,
           command_timeout: float | None = None) -> ScanRun:
    """Scan the planned hosts again for the planned rules; reports go to `out` when given."""
    hosts = [reach.hosts[h.host] for h in plan.hosts]
    rule_ids = tuple(sorted({rule for h in plan.hosts for rule in h.rule_ids}))
    run, snapshots = asyncio.run(
        scan_fleet(hosts, Selection(profile=profile, only=rule_ids), reach.options,
                   reach.parallel))
    if out is not None:
        write_reports(run, out)
        write_snapshots(snapshots, out / "facts")
    return run


def verify(record: FixRun, reach: Reach, profile: str, out: Path | None) -> ScanRun:
    """Re-scan after an apply and fill `after`, `rescan_s` and `still_failing`."""
    started = time.monotonic()
    after = rescan(record.plan, reach, profile, out)
    record.rescan_s = round(time.monotonic() - started, 2)
    record.after = statuses(after, record.plan)
    record.still_failing = [f"{host} {rule}" for host, rule in record.plan.pairs()
                            if record.after.get(host, {}).get(rule) is not Status.PASS]
    return after


def host_errors(run: ScanRun) -> bool:
    return any(h.status is not HostStatus.SCANNED for h in run.hosts)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def write_record(record: FixRun, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fix.json"
    path.write_text(record.model_dump_json(indent=2), encoding="utf-8")
    return path
