"""The score and summaries: severity-weighted, errors against, unscored statuses left out."""

from __future__ import annotations

from scanner.models import Finding, HostResult, HostStatus, Severity, Status
from scanner.report.demo import demo_run
from scanner.report.score import SEVERITY_WEIGHT, fleet_summary, host_summary, score


def make(severity: str, status: str, area: str = "ssh") -> Finding:
    return Finding(rule_id=f"{area}_x_{status}", area=area, title="T", title_fr="T",
                   severity=Severity(severity), status=Status(status), message="m")


def test_weights_are_the_documented_ones():
    assert SEVERITY_WEIGHT == {"low": 1, "medium": 2, "high": 3, "critical": 5}


def test_score_weighs_passes_by_severity():
    # 5 (critical pass) / (5 + 1 low fail + 2 medium fail) = 62.5 %
    findings = [make("critical", "pass"), make("low", "fail"), make("medium", "fail")]
    assert score(findings) == 62.5


def test_errors_count_against_the_score():
    assert score([make("high", "pass"), make("high", "error")]) == 50.0


def test_not_applicable_manual_and_waived_are_left_out():
    findings = [make("low", "pass"), make("critical", "not_applicable"),
                make("critical", "manual"), make("critical", "waived")]
    assert score(findings) == 100.0


def test_nothing_scored_has_no_score():
    assert score([]) is None
    assert score([make("high", "not_applicable")]) is None


def test_score_rounds_to_one_decimal():
    assert score([make("low", "pass"), make("low", "fail"), make("low", "fail")]) == 33.3


def test_host_summaries_of_the_demo_fleet():
    web, db, workstation, nas, lab = (host_summary(host) for host in demo_run().hosts)
    assert web.score == 15.4  # 2 / (3 + 5 + 3 + 2)
    assert web.area_scores == {"firewall": 0.0, "ssh": 0.0, "antivirus": 0.0, "patches": 100.0,
                               "disk_encryption": None}
    assert web.by_status == {"pass": 1, "fail": 2, "error": 1, "not_applicable": 1,
                             "manual": 0, "waived": 0}
    assert web.failed_by_severity == {"critical": 1, "high": 1, "medium": 0, "low": 0}
    assert web.errors == 1 and web.findings == 5
    assert db.score == 84.6  # 11 / 13; the waived high finding is left out
    assert db.area_scores["disk_encryption"] is None
    assert workstation.score == 100.0
    assert nas.score is None and nas.findings == 0 and lab.score is None


def test_fleet_summary_pools_findings_and_counts_hosts():
    summary = fleet_summary(demo_run())
    assert summary.score == 64.9  # (2 + 11 + 11) / (13 + 13 + 11), not a mean of host scores
    assert summary.area_scores == {"firewall": 66.7, "ssh": 50.0, "antivirus": 66.7,
                                   "patches": 66.7, "disk_encryption": 100.0}
    assert summary.failed_by_severity == {"critical": 1, "high": 1, "medium": 1, "low": 0}
    assert summary.by_status["waived"] == 1 and summary.errors == 1
    assert (summary.hosts, summary.hosts_scanned, summary.hosts_not_scanned) == (5, 3, 2)
    assert summary.hosts_by_status[HostStatus.UNREACHABLE] == 1
    assert summary.hosts_by_status[HostStatus.TIMEOUT] == 1
    assert summary.hosts_by_status[HostStatus.AUTH_FAILED] == 0


def test_a_fleet_with_no_scanned_host_has_no_score():
    host = HostResult(name="a", address="a", status=HostStatus.AUTH_FAILED, reason="denied")
    run = demo_run().model_copy(update={"hosts": [host]})
    summary = fleet_summary(run)
    assert summary.score is None and summary.hosts_not_scanned == 1
