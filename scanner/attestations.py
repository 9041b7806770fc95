"""Attestations: what a person declares for controls no scan can see (stub: to be written)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Attestation(BaseModel):
    control: str  # the id of the organisation rule it answers


class Attestations(BaseModel):
    """The attestations file given to a scan or an evaluation (empty when none was given)."""

    source: str = ""
    items: list[Attestation] = Field(default_factory=list)
