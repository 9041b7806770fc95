"""report.html: one self-contained, printable, bilingual file rendered by Jinja2 with autoescape.
Host text is escaped by the template and cleaned and cut to size here, before rendering."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from scanner.models import Finding, HostResult, HostStatus, ScanRun, Status
from scanner.report.i18n import labels, rule_title, value_label
from scanner.report.json_report import SCHEMA_VERSION, write_atomically
from scanner.report.score import SEVERITY_ORDER, fleet_summary, host_summary, severity_rank
from scanner.report.untrusted import DISPLAY_LIMIT, clean_text, compact

FILENAME = "report.html"
MAX_ITEMS = 30  # evidence keys, or items of one list, shown per finding
EVIDENCE_BUDGET = 20_000  # characters of evidence shown per finding, whatever its shape


def _environment(truncation_mark: str) -> Environment:
    environment = Environment(
        loader=PackageLoader("scanner.report", "templates"),
        autoescape=True,  # every template, whatever its extension: host text is hostile
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["text"] = partial(clean_text, mark=truncation_mark)
    return environment


class _Budget:
    """Characters left to show for one finding's evidence."""

    def __init__(self, size: int, mark: str) -> None:
        self.left = size
        self.mark = mark

    def take(self, value: Any) -> str:
        text = compact(value, max(1, min(DISPLAY_LIMIT, self.left)), self.mark)
        self.left -= len(text)
        return text


def _values(values: Collection[Any], budget: _Budget, more: str) -> list[str]:
    """At most MAX_ITEMS values, within the budget; a mapping's items show as `key: value`."""
    pairs = isinstance(values, Mapping)
    shown = []
    for index, value in enumerate(values.items() if isinstance(values, Mapping) else values):
        if index >= MAX_ITEMS or budget.left <= 0:
            shown.append(f"… {len(values) - index} {more}")
            break
        if pairs:
            key, item = value
            value = f"{compact(key, 200, budget.mark)}: {compact(item, 200, budget.mark)}"
        shown.append(budget.take(value))
    return shown


def evidence_entries(evidence: Mapping[str, Any], lang: str = "en") -> list[dict[str, Any]]:
    """Evidence as display rows: {key, text} for a scalar, {key, items} for a list or mapping."""
    more = labels(lang)["more_items"]
    budget = _Budget(EVIDENCE_BUDGET, labels(lang)["truncated"])
    entries: list[dict[str, Any]] = []
    for index, (key, value) in enumerate(evidence.items()):
        if index >= MAX_ITEMS or budget.left <= 0:
            entries.append({"key": "…", "text": f"{len(evidence) - index} {more}", "items": None})
            break
        if isinstance(value, Mapping | list | tuple | set | frozenset):
            items = _values(value, budget, more)
        else:
            entries.append({"key": clean_text(key, 200), "text": budget.take(value), "items": None})
            continue
        entries.append({"key": clean_text(key, 200), "text": None, "items": items})
    return entries


def _finding_view(finding: Finding, lang: str) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "title": rule_title(finding, lang),
        "severity": finding.severity.value,
        "status": finding.status.value,
        "message": finding.message,
        "evidence": evidence_entries(finding.evidence, lang),
        "references": {
            value_label(framework, lang): ", ".join(ids)
            for framework, ids in finding.references.items()
            if ids
        },
        "remediation": (lang == "fr" and finding.remediation_fr) or finding.remediation,
        "automated_fix": finding.automated_fix,
    }


def _host_view(host: HostResult, lang: str) -> dict[str, Any]:
    problems = [f for f in host.findings if f.status in (Status.FAIL, Status.ERROR)]
    problems.sort(key=severity_rank)
    others = (Status.NOT_APPLICABLE, Status.MANUAL, Status.WAIVED)
    summary = host_summary(host)
    scored = [(area, value) for area, value in summary.area_scores.items() if value is not None]
    return {
        "name": host.name,
        "address": host.address,
        "status": host.status.value,
        "scanned": host.status is HostStatus.SCANNED,
        "reason": host.reason,
        "summary": summary,
        "weak_areas": dict(sorted((a for a in scored if a[1] < 100), key=lambda a: a[1])),
        "problems": [_finding_view(finding, lang) for finding in problems],
        "passed": [f for f in host.findings if f.status is Status.PASS],
        "others": [f for f in host.findings if f.status in others],
    }


def _when(moment: datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_html(run: ScanRun, lang: str = "en") -> str:
    """The whole report as one HTML document."""
    text = labels(lang)
    summary = fleet_summary(run)
    template = _environment(text["truncated"]).get_template("report.html.j2")
    return template.render(
        lang=lang,
        t=text,
        label=lambda value: value_label(value, lang),
        title=lambda finding: rule_title(finding, lang),
        run=run,
        scan_date=_when(run.started_at),
        duration_s=max(0.0, (run.finished_at - run.started_at).total_seconds()),
        schema_version=SCHEMA_VERSION,
        summary=summary,
        severities=[severity.value for severity in SEVERITY_ORDER],
        hosts=[_host_view(host, lang) for host in run.hosts],
    )


def write_html(run: ScanRun, out_dir: Path, lang: str = "en") -> Path:
    path = out_dir / FILENAME
    write_atomically(path, render_html(run, lang))
    return path
