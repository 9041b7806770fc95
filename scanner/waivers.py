"""Waivers: accepted exceptions (rule, scope, justification, owner, expiry) applied to findings.

A waived finding stays in every report with status `waived` and the waiver it carries; an
expired waiver no longer applies and is announced; a waiver that matches nothing is announced.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scanner.models import AppliedWaiver, Host, HostResult, ScanRun, Status
from scanner.rules import load_catalog

WAIVABLE = (Status.FAIL, Status.ERROR)


class WaiverError(Exception):
    """A waivers file that cannot be used (names the file and the entry)."""


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    hosts: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    all_hosts: bool = Field(default=False, alias="all")
    justification: str = Field(min_length=10)
    owner: str = Field(min_length=1)
    expires: date

    @model_validator(mode="after")
    def _one_scope(self) -> Waiver:
        if not (self.hosts or self.groups or self.all_hosts):
            raise ValueError("give a scope: hosts, groups, or all: true")
        return self

    def covers(self, host: str, groups: tuple[str, ...]) -> bool:
        return self.all_hosts or host in self.hosts or bool(set(groups) & set(self.groups))


def load_waivers(path: Path) -> list[Waiver]:
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WaiverError(f"{path}: {exc.strerror}") from exc
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError on 2026-13-01
        raise WaiverError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(entries, dict) or not isinstance(entries.get("waivers"), list):
        raise WaiverError(f"{path}: expected a mapping with a `waivers:` list")
    catalog = load_catalog()
    waivers = []
    for number, entry in enumerate(entries["waivers"], start=1):
        try:
            waiver = Waiver.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "entry"
            raise WaiverError(f"{path}: waiver {number}: {where}: {first['msg']}") from exc
        if waiver.rule not in catalog:
            raise WaiverError(f"{path}: waiver {number}: no rule named {waiver.rule!r}")
        waivers.append(waiver)
    return waivers


def apply_waivers(
    run: ScanRun, waivers: list[Waiver], hosts: dict[str, Host], today: date | None = None
) -> None:
    """Waive the failed/error findings that a live waiver covers; add notices to the run."""
    today = today or date.today()
    used: set[int] = set()
    for result in run.hosts:
        groups = hosts[result.name].groups if result.name in hosts else ()
        _apply_to_host(result, waivers, groups, today, used)
    for index, waiver in enumerate(waivers):
        if waiver.expires < today:
            run.notices.append(
                f"waiver for {waiver.rule} (owner {waiver.owner}) expired on {waiver.expires}: "
                "it no longer applies"
            )
        elif index not in used:
            run.notices.append(f"waiver for {waiver.rule} (owner {waiver.owner}) matched nothing")


def _apply_to_host(
    result: HostResult, waivers: list[Waiver], groups: tuple[str, ...], today: date, used: set[int]
) -> None:
    for finding in result.findings:
        for index, waiver in enumerate(waivers):
            if waiver.rule != finding.rule_id or not waiver.covers(result.name, groups):
                continue
            if waiver.expires < today:
                continue
            used.add(index)
            if finding.status in WAIVABLE:
                finding.waiver = AppliedWaiver(
                    justification=waiver.justification,
                    owner=waiver.owner,
                    expires=waiver.expires.isoformat(),
                    original_status=finding.status,
                )
                finding.status = Status.WAIVED
            break
