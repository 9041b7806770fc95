"""The fix run as data: the plan, what each task did or would do, and the verdict per host and
rule. Written as fix.json beside the scan's reports; `hygie fix` prints it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from scanner.models import Status

REFUSAL_TAG = "hygie_refusal"  # a task with this tag that runs means "refused, not attempted"


class PlannedRule(BaseModel):
    rule_id: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    reboot: bool = False


class HostPlan(BaseModel):
    host: str
    rules: list[PlannedRule]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.rule_id for rule in self.rules)


class NotAttempted(BaseModel):
    """A failed rule that the fix leaves alone, and why (manual guidance when there is some)."""

    host: str
    rule_id: str
    reason: str
    guidance: str = ""


class FixPlan(BaseModel):
    engine: Literal["ansible", "pyinfra"]
    allow_reboot: bool = False
    hosts: list[HostPlan] = Field(default_factory=list)
    not_attempted: list[NotAttempted] = Field(default_factory=list)

    def pairs(self) -> list[tuple[str, str]]:
        return [(h.host, rule.rule_id) for h in self.hosts for rule in h.rules]


class TaskOutcome(BaseModel):
    """One task (Ansible) or operation (pyinfra) on one host, as the engine reported it."""

    host: str
    rule_ids: list[str] = Field(default_factory=list)  # empty: host-level (handler, connection)
    task: str
    status: Literal["ok", "changed", "failed", "skipped", "unreachable"]
    refusal: bool = False
    diff: str = ""
    message: str = ""


class Verdict(StrEnum):
    WOULD_CHANGE = "would_change"
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # nothing to do, or nothing the fix can do (see the re-scan)
    REFUSED = "refused"  # a guard stopped it: the message says why
    FAILED = "failed"
    NOT_REACHED = "not_reached"  # the host stopped before this rule (an earlier failure)
    UNREACHABLE = "unreachable"


class RuleOutcome(BaseModel):
    host: str
    rule_id: str
    verdict: Verdict
    message: str = ""
    diff: str = ""
    tasks: list[TaskOutcome] = Field(default_factory=list)


class EngineRun(BaseModel):
    mode: Literal["preview", "apply"]
    duration_s: float
    rc: int
    log: str = ""  # file name of the engine's own output, beside fix.json
    outcomes: list[RuleOutcome] = Field(default_factory=list)


class FixRun(BaseModel):
    schema_version: str = "1.0"
    engine: Literal["ansible", "pyinfra"]
    started_at: datetime
    finished_at: datetime | None = None
    source: str  # the scan run folder the failed rules come from
    plan: FixPlan
    preview: EngineRun | None = None
    apply: EngineRun | None = None
    rescan_s: float | None = None
    before: dict[str, dict[str, Status]] = Field(default_factory=dict)  # host -> rule -> status
    after: dict[str, dict[str, Status]] = Field(default_factory=dict)
    still_failing: list[str] = Field(default_factory=list)  # "host rule_id"


def summarize(plan: FixPlan, tasks: list[TaskOutcome], mode: str) -> list[RuleOutcome]:
    """The verdict of each planned (host, rule) from the tasks the engine reported."""
    outcomes = []
    for host, rule_id in plan.pairs():
        mine = [t for t in tasks if t.host == host and rule_id in t.rule_ids]
        host_level = [t for t in tasks if t.host == host and not t.rule_ids]
        outcomes.append(_verdict(host, rule_id, mine, host_level, mode))
    return outcomes


def _verdict(host: str, rule_id: str, mine: list[TaskOutcome], host_level: list[TaskOutcome],
             mode: str) -> RuleOutcome:
    def outcome(verdict: Verdict, message: str = "") -> RuleOutcome:
        diff = "\n".join(f"• {_short(t.task)}" + (f"\n{t.diff}" if t.diff else "")
                         for t in mine if t.status == "changed")
        return RuleOutcome(host=host, rule_id=rule_id, verdict=verdict, message=message,
                           diff=diff, tasks=mine)

    failed = [t for t in mine if t.status == "failed"]
    if failed:
        return outcome(Verdict.FAILED, f"{failed[0].task}: {failed[0].message}".strip())
    refused = [t for t in mine if t.refusal and t.status in ("ok", "changed")]
    if refused:
        return outcome(Verdict.REFUSED, refused[0].message)
    if any(t.status == "unreachable" for t in [*mine, *host_level]):
        return outcome(Verdict.UNREACHABLE, next(t.message for t in [*mine, *host_level]
                                                 if t.status == "unreachable"))
    changed = any(t.status == "changed" for t in mine)
    broken = [t for t in host_level if t.status == "failed"]
    if changed and broken:  # e.g. the sshd reload handler after this rule's change
        return outcome(Verdict.FAILED, f"{broken[0].task}: {broken[0].message}".strip())
    if changed:
        return outcome(Verdict.WOULD_CHANGE if mode == "preview" else Verdict.CHANGED)
    if not mine:
        why = f"{broken[0].task}: {broken[0].message}".strip() if broken else ""
        return outcome(Verdict.NOT_REACHED, why or "no task of this rule ran on the host")
    return outcome(Verdict.UNCHANGED)


def _short(task: str) -> str:
    """A task name without its role prefix (`hygie_linux : `) and rule id (`| rule_id`)."""
    parts = task.split(" : ", 1)[-1].split(" | ")
    return " | ".join(part for part in parts if " " in part) or parts[0]
