"""Which failed rules a fix takes on, and the verdicts read from engine results."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from scanner.models import Finding, HostResult, HostStatus, ScanRun, Severity, Status
from scanner.remediate import command
from scanner.remediate.ansible import read_results
from scanner.remediate.plan import build_plan, role_variables
from scanner.remediate.record import TaskOutcome, Verdict, summarize
from scanner.rules import load_catalog


def finding(rule_id: str, status: Status, **parameters: object) -> Finding:
    rule = load_catalog()[rule_id]
    return Finding(rule_id=rule_id, area=rule.area, title="t", title_fr="t",
                   severity=Severity.LOW, status=status, message="",
                   parameters=parameters or dict(rule.meta.parameters))


def scan(*findings: Finding, host: str = "web1") -> ScanRun:
    now = datetime.now(UTC)
    return ScanRun(started_at=now, finished_at=now, profile="server", hosts=[
        HostResult(name=host, address="10.0.0.1", status=HostStatus.SCANNED,
                   findings=list(findings))])


@pytest.fixture
def automatable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flags as the catalog will carry them once flipped (they are data owned elsewhere)."""
    for rule_id in ("ssh_max_auth_tries_limited", "patches_reboot_not_required"):
        remediation = load_catalog()[rule_id].meta.remediation
        monkeypatch.setattr(remediation, "ansible", True)
        monkeypatch.setattr(remediation, "pyinfra", True)


def test_plan_takes_failed_automatable_rules_with_the_scan_parameters(automatable: None) -> None:
    run = scan(finding("ssh_max_auth_tries_limited", Status.FAIL, max_auth_tries=3),
               finding("ssh_x11_forwarding_disabled", Status.PASS),
               finding("disk_encryption_swap", Status.FAIL))
    plan = build_plan(run, "ansible")
    assert plan.pairs() == [("web1", "ssh_max_auth_tries_limited")]
    assert plan.hosts[0].rules[0].parameters == {"max_auth_tries": 3}
    assert role_variables(plan.hosts[0].rules) == {
        "hygie_linux_ssh_max_auth_tries_limited_max_auth_tries": 3}
    manual = [n for n in plan.not_attempted if n.rule_id == "disk_encryption_swap"]
    assert manual and manual[0].guidance, "manual rules carry their guidance"


def test_a_reboot_is_only_planned_when_allowed(automatable: None) -> None:
    run = scan(finding("patches_reboot_not_required", Status.FAIL))
    assert build_plan(run, "pyinfra").pairs() == []
    assert "--allow-reboot" in build_plan(run, "pyinfra").not_attempted[0].reason
    assert build_plan(run, "pyinfra", allow_reboot=True).pairs() == [
        ("web1", "patches_reboot_not_required")]


def test_plan_filters_hosts_and_rules(automatable: None) -> None:
    run = scan(finding("ssh_max_auth_tries_limited", Status.FAIL))
    assert build_plan(run, "ansible", hosts={"other"}).pairs() == []
    assert build_plan(run, "ansible", only={"firewall"}).pairs() == []
    assert build_plan(run, "ansible", only={"ssh"}).pairs() != []


def test_verdicts_from_task_results(automatable: None) -> None:
    plan = build_plan(scan(finding("ssh_max_auth_tries_limited", Status.FAIL),
                           finding("patches_reboot_not_required", Status.FAIL)), "ansible",
                      allow_reboot=True)
    rule, reboot = "ssh_max_auth_tries_limited", "patches_reboot_not_required"

    def task(rule_ids: list[str], status: str, **extra: object) -> TaskOutcome:
        return TaskOutcome(host="web1", rule_ids=rule_ids, task="x", status=status, **extra)

    verdicts = {o.rule_id: o.verdict for o in summarize(plan, [
        task([rule], "changed", diff="+MaxAuthTries 4"),
        task([reboot], "ok", refusal=True, message="Refused: no"),
    ], "preview")}
    assert verdicts == {rule: Verdict.WOULD_CHANGE, reboot: Verdict.REFUSED}
    failed = summarize(plan, [task([rule], "changed"), task([], "failed", message="sshd -t")],
                       "apply")
    assert failed[0].verdict is Verdict.FAILED and failed[1].verdict is Verdict.NOT_REACHED
    unchanged = summarize(plan, [task([rule], "ok"), task([reboot], "skipped")], "apply")
    assert [o.verdict for o in unchanged] == [Verdict.UNCHANGED, Verdict.UNCHANGED]


def test_callback_lines_become_task_outcomes(tmp_path) -> None:
    lines = tmp_path / "r.jsonl"
    lines.write_text(
        '{"host": "web1", "task": "r : Limit | ssh_max_auth_tries_limited", '
        '"tags": ["ssh_max_auth_tries_limited"], "status": "changed", "diff": "+a", '
        '"message": ""}\n'
        '{"host": "web1", "task": "r : Refuse | ssh_root_login_disabled", '
        '"tags": ["hygie_refusal", "ssh_root_login_disabled"], "status": "ok", "diff": "", '
        '"message": "Refused: root"}\n')
    first, second = read_results(lines)
    assert first.rule_ids == ["ssh_max_auth_tries_limited"] and not first.refusal
    assert second.rule_ids == ["ssh_root_login_disabled"] and second.refusal


def test_fix_takes_every_option_of_scan() -> None:
    from scanner.cli import build_parser

    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    scan_options = {o for a in subcommands.choices["scan"]._actions for o in a.option_strings}
    fix = command.add_parser(argparse.ArgumentParser().add_subparsers())
    fix_options = {o for a in fix._actions for o in a.option_strings}
    assert scan_options <= fix_options, scan_options - fix_options
