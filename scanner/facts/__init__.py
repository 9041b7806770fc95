"""The facts Hygie knows how to collect, and the snapshot of one host's facts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.facts import antivirus, disk_encryption, firewall, patches, sshd, system
from scanner.facts.base import Fact
from scanner.facts.antivirus import AntivirusFacts
from scanner.facts.disk_encryption import DiskEncryptionFacts
from scanner.facts.firewall import FirewallFacts
from scanner.facts.patches import PatchesFacts
from scanner.facts.sshd import SshdFacts
from scanner.facts.system import SystemFacts

FACTS: dict[str, Fact] = {
    module.FACT.name: module.FACT
    for module in (system, firewall, antivirus, patches, disk_encryption, sshd)
}


class FactError(BaseModel):
    """Why a fact could not be collected on a host (shown as the evidence of `error` results)."""

    message: str
    stderr: str = ""


class Facts(BaseModel):
    """Everything collected on one host. A fact is either parsed or listed in `errors`."""

    system: SystemFacts | None = None
    firewall: FirewallFacts | None = None
    antivirus: AntivirusFacts | None = None
    patches: PatchesFacts | None = None
    disk_encryption: DiskEncryptionFacts | None = None
    sshd: SshdFacts | None = None
    errors: dict[str, FactError] = Field(default_factory=dict)


class FactsSnapshot(BaseModel):
    """A host's facts as saved with a run (`facts/<host>.json`); `hygie evaluate` reads it."""

    schema_version: str = "1.0"
    host: str
    address: str = ""
    collected_at: str = ""
    facts: Facts
