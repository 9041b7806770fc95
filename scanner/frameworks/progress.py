"""How far the hosts of a scan run are from a framework: the findings of each requirement's
covering rules, counted per status across hosts, and per host the requirements met or not."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from scanner.frameworks import RequirementCoverage
from scanner.models import HostResult, ScanRun, Status


class HostStanding(StrEnum):
    """Where one host stands on one requirement, from the findings of its covering rules."""

    MET = "met"  # every covering finding passed (or was waived / not applicable)
    GAP = "gap"  # at least one covering rule failed
    ERROR = "error"  # none failed, but one could not be checked
    TO_ATTEST = "to_attest"  # none failed, but an attestation is missing
    NOT_CHECKED = "not_checked"  # no covering rule ran on this host


@dataclass(frozen=True)
class RequirementStatus:
    """The findings of a requirement's covering rules, counted by status across hosts."""

    item: RequirementCoverage
    statuses: Counter[Status]


@dataclass(frozen=True)
class HostProgress:
    host: str
    standings: Counter[HostStanding]

    @property
    def checked(self) -> int:
        return sum(n for s, n in self.standings.items() if s is not HostStanding.NOT_CHECKED)


def standing(host: HostResult, rule_ids: tuple[str, ...]) -> HostStanding:
    statuses = {f.status for f in host.findings if f.rule_id in rule_ids}
    if Status.FAIL in statuses:
        return HostStanding.GAP
    if Status.ERROR in statuses:
        return HostStanding.ERROR
    if Status.MANUAL in statuses:
        return HostStanding.TO_ATTEST
    if statuses & {Status.PASS, Status.WAIVED}:
        return HostStanding.MET
    return HostStanding.NOT_CHECKED  # no finding, or only not_applicable ones


def requirement_statuses(
    items: list[RequirementCoverage], run: ScanRun
) -> list[RequirementStatus]:
    result = []
    for item in items:
        statuses: Counter[Status] = Counter(
            finding.status
            for host in run.hosts
            for finding in host.findings
            if finding.rule_id in item.rules
        )
        result.append(RequirementStatus(item, statuses))
    return result


def host_progress(items: list[RequirementCoverage], run: ScanRun) -> list[HostProgress]:
    """Per scanned host, how many of the framework's requirements stand where."""
    return [
        HostProgress(host.name, Counter(standing(host, item.rules) for item in items))
        for host in run.hosts
        if host.findings
    ]
