"""Attestations: what a named person declares, with evidence, for measures no scan can see.
The file is YAML (docs/tailoring.md); organisation rules read it from `Facts.attestations`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Answer = Literal["yes", "no", "partial"]


class AttestationError(Exception):
    """An attestations file that cannot be used (names the file and the entry number)."""


class Attestation(BaseModel):
    """One answer to one organisation control, for all hosts or for some hosts or groups."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    control: str  # the id of the organisation rule it answers
    answer: Answer
    by: str = Field(min_length=3)  # "name, role" of the person who attests
    date: date
    evidence: str = Field(min_length=3)  # what proves it: document reference, audit report…
    comment: str = ""
    hosts: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    all_hosts: bool = Field(default=False, alias="all")

    @field_validator("answer", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted yes/no as a boolean
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value

    @property
    def everywhere(self) -> bool:
        """No scope given, or `all: true`: the attestation holds for every host."""
        return self.all_hosts or not (self.hosts or self.groups)

    def specificity(self, host: str, groups: tuple[str, ...] | list[str]) -> int | None:
        """How closely it targets a host: 2 by name, 1 by group, 0 everywhere, None not at all."""
        if host in self.hosts:
            return 2
        if set(groups) & set(self.groups):
            return 1
        return 0 if self.everywhere else None

    def scope_label(self) -> str:
        if self.everywhere:
            return "all hosts"
        return ", ".join([*self.hosts, *(f"group {g}" for g in self.groups)])


class Attestations(BaseModel):
    """The attestations file given to a scan or an evaluation (empty when none was given)."""

    source: str = ""
    as_of: date | None = None  # the day attestation ages are counted to (None: today)
    items: list[Attestation] = Field(default_factory=list)

    def for_host(self, host: str, groups: tuple[str, ...] | list[str] = ()) -> Attestations:
        """The attestations that hold for one host: per control, the most specific scope wins
        (host over group over all), then the most recent date."""
        best: dict[str, tuple[tuple[int, date], Attestation]] = {}
        for item in self.items:
            specificity = item.specificity(host, groups)
            if specificity is None:
                continue
            rank = (specificity, item.date)
            if item.control not in best or rank >= best[item.control][0]:
                best[item.control] = (rank, item)
        return self.model_copy(update={"items": [item for _, item in best.values()]})

    def answer_for(self, control: str) -> Attestation | None:
        """The most recent attestation of a control (a host's set has at most one per control)."""
        answers = [item for item in self.items if item.control == control]
        return max(answers, key=lambda item: item.date) if answers else None

    def reference_day(self) -> date:
        return self.as_of or date.today()


def organisation_controls() -> list[str]:
    """The rule ids an attestation may answer: the rules that read the `attestations` fact."""
    from scanner.rules import load_catalog  # imported here: the catalog imports this module

    return [rule.id for rule in load_catalog().values() if "attestations" in rule.meta.facts]


def load_attestations(path: Path | str, today: date | None = None) -> Attestations:
    """Read and validate an attestations file; errors name the file and the entry number."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AttestationError(f"{path}: {exc.strerror}") from exc
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError on a bad date
        raise AttestationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("attestations"), list):
        raise AttestationError(f"{path}: expected a mapping with an `attestations:` list")
    extra = sorted(set(document) - {"attestations"})
    if extra:
        raise AttestationError(f"{path}: unknown top-level keys {extra} (only `attestations:`)")
    controls = organisation_controls()
    today = today or date.today()
    items: list[Attestation] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, entry in enumerate(document["attestations"], start=1):
        item = _validated(path, number, entry)
        if item.control not in controls:
            raise AttestationError(
                f"{path}: attestation {number}: no organisation rule named {item.control!r} "
                f"(known: {', '.join(controls)})"
            )
        if item.date > today:
            raise AttestationError(
                f"{path}: attestation {number}: date {item.date} is in the future"
            )
        key = (item.control, item.date, item.everywhere, tuple(item.hosts), tuple(item.groups))
        if key in seen:
            raise AttestationError(
                f"{path}: attestation {number} repeats attestation {seen[key]} "
                "(same control, date and scope)"
            )
        seen[key] = number
        items.append(item)
    return Attestations(source=str(path), items=items)


def _validated(path: Path, number: int, entry: Any) -> Attestation:
    if not isinstance(entry, dict):
        raise AttestationError(f"{path}: attestation {number}: expected a mapping, got {entry!r}")
    try:
        return Attestation.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "entry"
        raise AttestationError(f"{path}: attestation {number}: {where}: {first['msg']}") from exc
