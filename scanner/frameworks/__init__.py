"""The frameworks rules cite (`<key>.yml`: requirement ids and titles as FRAMEWORKS.md verifies
them), and which rules cover each requirement: automated, partial, manual or none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scanner.rules import ReferenceKey, Rule, load_catalog

FRAMEWORK_KEYS: tuple[str, ...] = get_args(ReferenceKey)
ATTESTED_AREA = "organisation"  # its rules are answered by attestations, not by a scan


class FrameworkError(Exception):
    """An unknown framework key, or a framework data file that does not validate."""


class Coverage(StrEnum):
    AUTOMATED = "automated"  # a host-scope requirement that a scan checks
    PARTIAL = "partial"  # a scan checks part of it; the rest needs a person
    MANUAL = "manual"  # only attestations answer it
    NONE = "none"  # no rule cites it


class LocalText(BaseModel):
    """A text in the source language and, where FRAMEWORKS.md gives it, in English."""

    model_config = ConfigDict(extra="forbid")
    en: str | None = None
    fr: str | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> LocalText:
        if not (self.en or self.fr):
            raise ValueError("give en, fr or both")
        return self

    def text(self, lang: str = "en") -> str:
        return (self.fr or self.en or "") if lang == "fr" else (self.en or self.fr or "")


class Requirement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: LocalText
    # host: a host scan can show it; organisation: only a person can; mixed: both
    scope: Literal["host", "organisation", "mixed"]
    section: str = ""
    level: str = ""


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    name: LocalText
    version: str
    source: str
    note: str = ""
    requirements: list[Requirement] = Field(min_length=1)

    def ids(self) -> set[str]:
        return {requirement.id for requirement in self.requirements}


@cache
def load_framework(key: str) -> Framework:
    if key not in FRAMEWORK_KEYS:
        raise FrameworkError(f"no framework {key!r} (known: {', '.join(FRAMEWORK_KEYS)})")
    text = resources.files("scanner.frameworks").joinpath(f"{key}.yml").read_text("utf-8")
    try:
        framework = Framework.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise FrameworkError(f"frameworks/{key}.yml: {exc}") from exc
    if framework.key != key:
        raise FrameworkError(f"frameworks/{key}.yml: key is {framework.key!r}")
    if len(framework.ids()) != len(framework.requirements):
        raise FrameworkError(f"frameworks/{key}.yml: duplicate requirement ids")
    return framework


def load_frameworks() -> dict[str, Framework]:
    return {key: load_framework(key) for key in FRAMEWORK_KEYS}


def is_attested(rule: Rule) -> bool:
    """A rule answered by an attestation rather than by what a scan sees."""
    return rule.area == ATTESTED_AREA


@dataclass(frozen=True)
class RequirementCoverage:
    requirement: Requirement
    automated_rules: tuple[str, ...]  # rule ids, catalog order
    attested_rules: tuple[str, ...]
    coverage: Coverage

    @property
    def rules(self) -> tuple[str, ...]:
        return (*self.automated_rules, *self.attested_rules)


def _coverage(scope: str, automated: bool, attested: bool) -> Coverage:
    if automated:
        return Coverage.AUTOMATED if scope == "host" else Coverage.PARTIAL
    return Coverage.MANUAL if attested else Coverage.NONE


def _cited_ids(rule: Rule, framework_key: str) -> list[str]:
    return next((ids for key, ids in rule.meta.references.items() if key == framework_key), [])


def coverage(framework_key: str, rules: Iterable[Rule] | None = None) -> list[RequirementCoverage]:
    """Per requirement, the rules whose references cite it and how well they cover it:
    automated (host scope, cited by an automated rule), partial (mixed or organisation scope
    cited by an automated rule, with or without attestations), manual (attestations only), none.
    """
    framework = load_framework(framework_key)
    rules = list(load_catalog().values() if rules is None else rules)
    result = []
    for requirement in framework.requirements:
        citing = [r for r in rules if requirement.id in _cited_ids(r, framework_key)]
        automated = tuple(r.id for r in citing if not is_attested(r))
        attested = tuple(r.id for r in citing if is_attested(r))
        kind = _coverage(requirement.scope, bool(automated), bool(attested))
        result.append(RequirementCoverage(requirement, automated, attested, kind))
    return result


def coverage_counts(items: Iterable[RequirementCoverage]) -> dict[Coverage, int]:
    counts = dict.fromkeys(Coverage, 0)
    for item in items:
        counts[item.coverage] += 1
    return counts


def unknown_references(rules: Iterable[Rule] | None = None) -> list[tuple[str, str, str]]:
    """(rule id, framework key, identifier) for every cited id the framework data lacks:
    an id that FRAMEWORKS.md does not verify, or one that was mistyped or guessed."""
    rules = load_catalog().values() if rules is None else rules
    frameworks = load_frameworks()
    return [
        (rule.id, key, identifier)
        for rule in rules
        for key, identifiers in rule.meta.references.items()
        for identifier in identifiers
        if identifier not in frameworks[key].ids()
    ]
