"""Checks of backups: a backup tool is scheduled on the host, and its last run is recent."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.backup import TRACE_TOOLS, BackupFacts
from scanner.models import Result
from scanner.rules.outcome import failed, manual, passed


def _backup(facts: Facts) -> BackupFacts:
    assert facts.backup is not None  # the engine never calls a check without its facts
    return facts.backup


def backup_tool_configured(facts: Facts) -> Result:
    """Passes when a cron job or timer runs a backup tool, or a bacula/bareos client is enabled."""
    backup = _backup(facts)
    jobs = {job.path: job.tools for job in backup.jobs}
    evidence = {
        "installed": backup.installed,
        "jobs": jobs,
        "enabled_services": backup.enabled_services,
    }
    if not backup.scheduled:
        if backup.installed:
            return failed(
                f"{', '.join(backup.installed)} installed but never scheduled", **evidence
            )
        return failed("no backup tool installed or scheduled", **evidence)
    return passed(f"backups scheduled: {', '.join(backup.scheduled)}", **evidence)


def backup_recent(facts: Facts, max_backup_age_days: int) -> Result:
    """Passes when the newest local trace of a backup run is at most max_backup_age_days old."""
    backup = _backup(facts)
    runs = {run.tool: {"age_days": run.age_days, "path": run.path} for run in backup.last_runs}
    if backup.last_runs:
        newest = min(backup.last_runs, key=lambda run: run.age_days)
        message = f"last backup ({newest.tool}) {newest.age_days} days ago"
        if newest.age_days > max_backup_age_days:
            return failed(f"{message}, limit {max_backup_age_days}", last_runs=runs)
        return passed(message, last_runs=runs)
    if not backup.scheduled:
        return failed("no backup tool scheduled and no trace of a backup run", last_runs={})
    untraced = [tool for tool in backup.scheduled if tool not in TRACE_TOOLS]
    if untraced and len(untraced) == len(backup.scheduled):
        return manual(
            f"{', '.join(untraced)} keep no local record of their runs: check the last "
            "successful job on the backup server",
            scheduled=backup.scheduled,
        )
    return failed(
        f"{', '.join(backup.scheduled)} scheduled but no trace of a finished run",
        scheduled=backup.scheduled,
    )
