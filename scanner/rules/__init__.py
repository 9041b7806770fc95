"""The rule catalog: `<area>.yml` metadata bound to the same-named functions in `<area>.py`."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.facts import FACTS, Facts
from scanner.models import Result, Severity, Status
from scanner.rules.outcome import error

ReferenceKey = Literal[
    "anssi_hygiene",
    "anssi_bp028",
    "cnil_guide",
    "iso27001_2022",
    "hds",
    "gdpr",
    "hipaa",
    "cis_controls_v8",
    "nis2",
]


class Titles(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str
    fr: str


class Remediation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ansible: bool = False
    pyinfra: bool = False
    manual: str  # what a person does, in words: shown in reports and by `hygie fix`
    manual_fr: str = ""  # the same in French (French reports fall back to `manual`)
    reboot: bool = False
    disruption: Literal["low", "medium", "high"] = "low"


class RuleMeta(BaseModel):
    """A rule's metadata as written in `rules/<area>.yml` (fields in DESIGN.md order)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)+$")
    title: Titles
    severity: Severity
    platforms: list[Literal["linux", "windows", "macos"]]
    facts: list[str]
    description: str
    rationale: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    references: dict[ReferenceKey, list[str]] = Field(default_factory=dict)
    remediation: Remediation


Check = Callable[..., Result]


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    area: str
    check: Check

    @property
    def id(self) -> str:
        return self.meta.id


class CatalogError(Exception):
    """The rule catalog itself is inconsistent (a bug in Hygie, caught by the test suite)."""


AREAS = (
    "firewall",
    "antivirus",
    "patches",
    "disk_encryption",
    "ssh",
    "session_lock",
    "passwords",
    "accounts",
    "removable_media",
    "logging",
    "time",
    "services",
    "kernel",
    "tls",
    "backup",
    "organisation",
)


def _load_area(area: str) -> list[Rule]:
    text = resources.files("scanner.rules").joinpath(f"{area}.yml").read_text(encoding="utf-8")
    module = importlib.import_module(f"scanner.rules.{area}")
    rules = []
    for entry in yaml.safe_load(text) or []:
        try:
            meta = RuleMeta.model_validate(entry)
        except ValidationError as exc:
            raise CatalogError(f"rules/{area}.yml: {entry.get('id', '?')}: {exc}") from exc
        check = getattr(module, meta.id, None)
        if not callable(check):
            raise CatalogError(f"rules/{area}.py has no function {meta.id}()")
        unknown = [name for name in meta.facts if name not in FACTS and name != "attestations"]
        if unknown:
            raise CatalogError(f"{meta.id}: unknown facts {unknown}")
        expected = ["facts", *meta.parameters]
        actual = list(inspect.signature(check).parameters)
        if actual != expected:
            raise CatalogError(f"{meta.id}(): parameters {actual}, metadata says {expected}")
        rules.append(Rule(meta=meta, area=area, check=check))
    return rules


@cache
def load_catalog() -> dict[str, Rule]:
    """Every rule, by id, in catalog order."""
    catalog: dict[str, Rule] = {}
    for area in AREAS:
        for rule in _load_area(area):
            if rule.id in catalog:
                raise CatalogError(f"duplicate rule id {rule.id}")
            catalog[rule.id] = rule
    return catalog


def evaluate(rule: Rule, facts: Facts, parameters: dict[str, Any] | None = None) -> Result:
    """Run one check; a missing fact or a crashing check is an `error`, never a pass."""
    missing = {}
    for name in rule.meta.facts:
        if name in facts.errors:
            missing[name] = facts.errors[name].model_dump(exclude_defaults=True)
        elif getattr(facts, name) is None:
            missing[name] = {"message": "not collected"}
    if missing:
        return error("a needed fact could not be collected", **missing)
    values = {**rule.meta.parameters, **(parameters or {})}
    try:
        result = rule.check(facts, **values)
    except Exception as exc:  # a check bug must not stop the scan of the fleet
        return error(f"check failed: {type(exc).__name__}: {exc}")
    if result.status is Status.WAIVED:
        return error("checks do not waive; waivers are applied after evaluation")
    return result
