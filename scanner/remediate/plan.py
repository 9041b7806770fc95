"""Which failed rules a fix run takes on, per host, and which it leaves alone (and why)."""

from __future__ import annotations

from collections.abc import Collection

from scanner.models import ScanRun, Status
from scanner.remediate.record import FixPlan, HostPlan, NotAttempted, PlannedRule
from scanner.rules import Rule, load_catalog


def automatable(rule: Rule, engine: str) -> bool:
    """The catalog says this engine has a remediation for the rule."""
    return bool(getattr(rule.meta.remediation, engine))


def build_plan(
    run: ScanRun,
    engine: str,
    hosts: Collection[str] | None = None,
    only: Collection[str] = (),
    allow_reboot: bool = False,
) -> FixPlan:
    """Failed rules of the chosen hosts (and rule ids or areas) that `engine` can fix.

    A rule needing a reboot is only planned with `allow_reboot`; a rule with no automated
    remediation is listed with its manual guidance and never attempted.
    """
    catalog = load_catalog()
    plan = FixPlan(engine=engine, allow_reboot=allow_reboot)  # type: ignore[arg-type]
    for host in run.hosts:
        if hosts is not None and host.name not in hosts:
            continue
        planned = []
        for finding in host.findings:
            rule = catalog.get(finding.rule_id)
            if finding.status is not Status.FAIL or rule is None:
                continue
            if only and finding.rule_id not in only and finding.area not in only:
                continue
            skip = _why_not(rule, engine, allow_reboot)
            if skip:
                plan.not_attempted.append(NotAttempted(
                    host=host.name, rule_id=rule.id, reason=skip,
                    guidance=rule.meta.remediation.manual))
                continue
            planned.append(PlannedRule(rule_id=rule.id, parameters=finding.parameters,
                                       reboot=rule.meta.remediation.reboot))
        if planned:
            plan.hosts.append(HostPlan(host=host.name, rules=planned))
    return plan


def _why_not(rule: Rule, engine: str, allow_reboot: bool) -> str:
    remediation = rule.meta.remediation
    if not (remediation.ansible or remediation.pyinfra):
        return "no automated remediation: fix it by hand (guidance below)"
    if not automatable(rule, engine):
        other = "pyinfra" if engine == "ansible" else "ansible"
        return f"no {engine} remediation (try --engine {other})"
    if remediation.reboot and not allow_reboot:
        return "the fix reboots the host: only with --allow-reboot"
    return ""


def role_variables(plan_rules: list[PlannedRule], prefix: str = "hygie_linux") -> dict[str, object]:
    """Parameters as role variables: `<prefix>_<rule_id>_<parameter>`."""
    return {
        f"{prefix}_{rule.rule_id}_{name}": value
        for rule in plan_rules
        for name, value in rule.parameters.items()
    }
