"""The plain data that flows between the steps of a scan: hosts, results, findings, runs."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ExitStatus(IntEnum):
    """Process exit codes of the `hygie` command (documented in the README)."""

    OK = 0  # every checked rule passed
    FINDINGS = 1  # at least one rule failed
    HOST_ERRORS = 2  # a host could not be scanned, or a rule could not be evaluated
    USAGE = 64  # bad command line, inventory, profile or input file (sysexits EX_USAGE)
    INTERRUPTED = 130


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # a needed fact could not be collected: never counted as a pass
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"
    WAIVED = "waived"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class HostStatus(StrEnum):
    SCANNED = "scanned"
    UNREACHABLE = "unreachable"  # refused, no route, name does not resolve
    AUTH_FAILED = "auth_failed"
    HOST_KEY_UNKNOWN = "host_key_unknown"
    HOST_KEY_MISMATCH = "host_key_mismatch"
    TIMEOUT = "timeout"
    BECOME_FAILED = "become_failed"  # sudo -n refused (password needed, not a sudoer)
    ERROR = "error"  # anything else that stopped the collection


class Host(BaseModel):
    """A target as the inventory (or the command line) describes it."""

    model_config = ConfigDict(frozen=True)

    name: str
    address: str | None = None  # None: let the SSH config resolve `name`
    port: int | None = None
    user: str | None = None
    key_file: str | None = None
    connection: Literal["ssh", "local"] = "ssh"
    become: bool = False
    groups: tuple[str, ...] = ()


class Result(BaseModel):
    """What a check returns."""

    status: Status
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class AppliedWaiver(BaseModel):
    """The accepted exception a waived finding carries (status before waiving kept)."""

    justification: str
    owner: str
    expires: str  # ISO date
    original_status: Status


class Finding(BaseModel):
    """One rule evaluated on one host: the unit every report is written from."""

    rule_id: str
    area: str
    title: str
    title_fr: str
    severity: Severity
    status: Status
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    references: dict[str, list[str]] = Field(default_factory=dict)
    remediation: str = ""  # how to fix it, in words (manual guidance or what the playbook does)
    remediation_fr: str = ""  # the same in French, where the catalog has it
    automated_fix: bool = False
    waiver: AppliedWaiver | None = None  # set when status is waived: who accepted the gap, why


class HostResult(BaseModel):
    name: str
    address: str
    status: HostStatus
    reason: str = ""  # why a host could not be scanned (never a secret)
    profile: str = ""
    role: str = ""  # server | workstation, as detected
    duration_s: float = 0.0
    connections: int = 0  # SSH connections opened for this host
    round_trips: int = 0  # commands run on this host
    findings: list[Finding] = Field(default_factory=list)


class ScanRun(BaseModel):
    schema_version: str = "1.0"
    tool: str = "hygie"
    tool_version: str = ""
    started_at: datetime
    finished_at: datetime
    profile: str
    hosts: list[HostResult]
    notices: list[str] = Field(default_factory=list)  # e.g. expired or unused waivers
