"""The terminal view of a run (rich): a fleet table, the failed rules per host, scan progress.
Host text is stripped of control characters and escaped for rich markup before printing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from scanner.models import HostResult, HostStatus, ScanRun, Status
from scanner.report.i18n import labels, value_label
from scanner.report.score import SEVERITY_ORDER, fleet_summary, host_summary, severity_rank
from scanner.report.untrusted import clean_text

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def safe(text: object, limit: int = 300) -> str:
    """Host text as inert rich markup on one line: no escape sequences, no [tags]."""
    return escape(clean_text(text, limit, one_line=True))


def _score(value: float | None, lang: str) -> str:
    return labels(lang)["no_score"] if value is None else f"{value:.1f}%"


def _fleet_table(run: ScanRun, lang: str) -> Table:
    text = labels(lang)
    table = Table(title=f"{text['fleet']} · {safe(run.profile, 100)}", title_justify="left")
    table.add_column(text["host"])
    table.add_column(text["status"])
    table.add_column(text["score"], justify="right")
    for severity in SEVERITY_ORDER:
        table.add_column(value_label(severity, lang), justify="right")
    table.add_column(text["errors"], justify="right")
    for host in run.hosts:
        summary = host_summary(host)
        scanned = host.status is HostStatus.SCANNED
        status = value_label(host.status, lang)
        counts = [*(summary.failed_by_severity[s] for s in SEVERITY_ORDER), summary.errors]
        table.add_row(
            safe(host.name, 100),
            status if scanned else f"[bold magenta]{status}[/]",
            _score(summary.score, lang) if scanned else "—",
            *(str(count) if scanned else "—" for count in counts),
        )
    return table


def _host_problems(host: HostResult, lang: str) -> Table | str | None:
    """A host's failed and errored rules, most severe first; why it was not scanned; or None."""
    if host.status is not HostStatus.SCANNED:
        colon = labels(lang)["colon"]
        return f"  [magenta]{value_label(host.status, lang)}[/]{colon} {safe(host.reason)}"
    problems = sorted(
        (f for f in host.findings if f.status in (Status.FAIL, Status.ERROR)), key=severity_rank
    )
    if not problems:
        return None
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    for finding in problems:
        severity = finding.severity.value
        label = f"[{SEVERITY_STYLE[severity]}]{value_label(severity, lang)}[/]"
        if finding.status is Status.ERROR:
            label += f" [magenta]{value_label('error', lang)}[/]"
        grid.add_row(f"  {label}", f"[bold]{escape(finding.rule_id)}[/]", safe(finding.message))
    return grid


def print_summary(run: ScanRun, console: Console, lang: str = "en") -> None:
    """The fleet table, then each host's failed and errored rules, most severe first."""
    console.print(_fleet_table(run, lang))
    for host in run.hosts:
        problems = _host_problems(host, lang)
        if problems is not None:
            console.print(f"\n[bold]{safe(host.name, 100)}[/]")
            console.print(problems, highlight=False)
    summary = fleet_summary(run)
    text = labels(lang)
    console.print(
        f"\n{text['overall_score']}{text['colon']} [bold]{_score(summary.score, lang)}[/] · "
        f"{text['hosts_scanned']}{text['colon']} {summary.hosts_scanned}/{summary.hosts}",
        highlight=False,
    )
    for notice in run.notices:
        console.print(f"[yellow]![/] {safe(notice)}", highlight=False)


class ScanProgress:
    """What the engine calls as each host finishes; silent when the console is not a terminal."""

    def __init__(self, bar: Progress | None, task: TaskID | None) -> None:
        self._bar = bar
        self._task = task

    def advance(self, host: HostResult) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, description=safe(host.name, 60))


@contextmanager
def progress(total: int, console: Console) -> Iterator[ScanProgress]:
    """A progress bar over `total` hosts, shown only on an interactive terminal."""
    if not console.is_terminal or total <= 1:
        yield ScanProgress(None, None)
        return
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=total)
        yield ScanProgress(bar, task)
