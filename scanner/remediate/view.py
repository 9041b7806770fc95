"""What `hygie fix` prints: rules left alone (with manual guidance), the preview per host and
rule with its diff, and the before -> after of the re-scan. Host text is escaped."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scanner.remediate.record import FixPlan, FixRun, RuleOutcome, Verdict
from scanner.report.untrusted import clean_text

DIFF_LINES = 40  # per rule in the terminal; fix.json keeps the whole diff
VERDICT_STYLE = {
    Verdict.WOULD_CHANGE: "yellow", Verdict.CHANGED: "green", Verdict.UNCHANGED: "dim",
    Verdict.REFUSED: "magenta", Verdict.FAILED: "bold red", Verdict.NOT_REACHED: "red",
    Verdict.UNREACHABLE: "bold magenta",
}


def text(value: object, limit: int = 300) -> str:
    return escape(clean_text(value, limit, one_line=True))


def print_not_attempted(plan: FixPlan, console: Console) -> None:
    if not plan.not_attempted:
        return
    console.print("[bold]Not attempted[/] (fix by hand):")
    for item in plan.not_attempted:
        console.print(f"  {text(item.host)}  {item.rule_id}: {text(item.reason)}")
        if item.guidance:
            console.print(f"    [dim]{text(item.guidance, 600)}[/]")


def print_outcomes(outcomes: list[RuleOutcome], console: Console, show_diff: bool) -> None:
    for outcome in outcomes:
        style = VERDICT_STYLE[outcome.verdict]
        line = f"  {text(outcome.host)}  {outcome.rule_id}  [{style}]{outcome.verdict.value}[/]"
        if outcome.message:
            line += f"  {text(outcome.message)}"
        console.print(line)
        if show_diff and outcome.diff:
            lines = clean_text(outcome.diff, 20000).splitlines()
            for diff_line in lines[:DIFF_LINES]:
                console.print(f"      {escape(diff_line)}", style=_diff_style(diff_line))
            if len(lines) > DIFF_LINES:
                console.print(f"      … {len(lines) - DIFF_LINES} more lines in fix.json",
                              style="dim")


def _diff_style(line: str) -> str:
    if line.startswith("+") and not line.startswith("+++"):
        return "green"
    if line.startswith("-") and not line.startswith("---"):
        return "red"
    return "dim"


def print_before_after(record: FixRun, console: Console) -> None:
    table = Table(title="Re-scan: before → after", title_justify="left")
    for column in ("host", "rule", "before", "after", "fix"):
        table.add_column(column)
    verdicts = {(o.host, o.rule_id): o.verdict for o in (record.apply.outcomes
                                                        if record.apply else [])}
    for host, rule_id in record.plan.pairs():
        before = record.before.get(host, {}).get(rule_id)
        after = record.after.get(host, {}).get(rule_id)
        verdict = verdicts.get((host, rule_id))
        table.add_row(text(host, 100), rule_id, _status(before), _status(after),
                      verdict.value if verdict else "")
    console.print(table)


def _status(status: object) -> str:
    if status is None:
        return "—"
    value = str(getattr(status, "value", status))
    return f"[green]{value}[/]" if value == "pass" else f"[red]{value}[/]"
