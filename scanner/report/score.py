"""The compliance score and the per-host and per-fleet summaries, defined once for every writer.

Score = severity-weighted passes / (passes + fails + errors), as a percentage with one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from scanner.models import Finding, HostResult, HostStatus, ScanRun, Severity, Status

SEVERITY_WEIGHT = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 5}
# "could not check" is not compliance: errors count against the score like failures
SCORED_STATUSES = (Status.PASS, Status.FAIL, Status.ERROR)
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def score(findings: Iterable[Finding]) -> float | None:
    """Percentage of the weighted scored findings that pass; None when none is scored."""
    passed = total = 0
    for finding in findings:
        if finding.status in SCORED_STATUSES:
            weight = SEVERITY_WEIGHT[finding.severity]
            total += weight
            passed += weight if finding.status is Status.PASS else 0
    return None if total == 0 else round(100 * passed / total, 1)


def area_scores(findings: list[Finding]) -> dict[str, float | None]:
    """The score of each area present in `findings`, in order of first appearance."""
    areas = dict.fromkeys(finding.area for finding in findings)
    return {area: score(f for f in findings if f.area == area) for area in areas}


class Summary(BaseModel):
    """Counts and score of a set of findings (one host's, or the whole fleet's)."""

    findings: int
    by_status: dict[Status, int]  # every status, zeros included
    failed_by_severity: dict[Severity, int]  # `fail` findings only, every severity
    errors: int  # rules that could not be evaluated
    score: float | None  # 0-100; null when no finding is pass, fail or error
    area_scores: dict[str, float | None]


class FleetSummary(Summary):
    hosts: int
    hosts_scanned: int
    hosts_not_scanned: int  # every host whose status is not `scanned`
    hosts_by_status: dict[HostStatus, int]  # every host status, zeros included


def _summary_fields(findings: list[Finding]) -> dict:
    by_status = {status: 0 for status in Status}
    failed_by_severity = {severity: 0 for severity in SEVERITY_ORDER}
    for finding in findings:
        by_status[finding.status] += 1
        if finding.status is Status.FAIL:
            failed_by_severity[finding.severity] += 1
    return {
        "findings": len(findings),
        "by_status": by_status,
        "failed_by_severity": failed_by_severity,
        "errors": by_status[Status.ERROR],
        "score": score(findings),
        "area_scores": area_scores(findings),
    }


def host_summary(host: HostResult) -> Summary:
    return Summary(**_summary_fields(host.findings))


def fleet_summary(run: ScanRun) -> FleetSummary:
    """Findings of every host pooled (not an average of host scores); unscanned hosts counted."""
    hosts_by_status = {status: 0 for status in HostStatus}
    for host in run.hosts:
        hosts_by_status[host.status] += 1
    scanned = hosts_by_status[HostStatus.SCANNED]
    return FleetSummary(
        **_summary_fields([finding for host in run.hosts for finding in host.findings]),
        hosts=len(run.hosts),
        hosts_scanned=scanned,
        hosts_not_scanned=len(run.hosts) - scanned,
        hosts_by_status=hosts_by_status,
    )


def severity_rank(finding: Finding) -> tuple[int, int]:
    """Sort key: most severe first, failures before errors at the same severity."""
    return SEVERITY_ORDER.index(finding.severity), 0 if finding.status is Status.FAIL else 1
