"""The facts Hygie knows how to collect, and the snapshot of one host's facts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.attestations import Attestations
from scanner.facts import (
    accounts,
    antivirus,
    authentication,
    backup,
    disk_encryption,
    file_permissions,
    firewall,
    kernel_hardening,
    logging,
    network_services,
    patches,
    removable_media,
    session_lock,
    sshd,
    system,
    time_sync,
    tls,
)
from scanner.facts.accounts import AccountsFacts
from scanner.facts.antivirus import AntivirusFacts
from scanner.facts.authentication import AuthenticationFacts
from scanner.facts.backup import BackupFacts
from scanner.facts.base import Fact
from scanner.facts.disk_encryption import DiskEncryptionFacts
from scanner.facts.file_permissions import FilePermissionsFacts
from scanner.facts.firewall import FirewallFacts
from scanner.facts.kernel_hardening import KernelHardeningFacts
from scanner.facts.logging import LoggingFacts
from scanner.facts.network_services import NetworkServicesFacts
from scanner.facts.patches import PatchesFacts
from scanner.facts.removable_media import RemovableMediaFacts
from scanner.facts.session_lock import SessionLockFacts
from scanner.facts.sshd import SshdFacts
from scanner.facts.system import SystemFacts
from scanner.facts.time_sync import TimeSyncFacts
from scanner.facts.tls import TlsFacts

FACTS: dict[str, Fact] = {
    module.FACT.name: module.FACT
    for module in (
        system,
        firewall,
        antivirus,
        patches,
        disk_encryption,
        sshd,
        accounts,
        authentication,
        session_lock,
        file_permissions,
        removable_media,
        logging,
        time_sync,
        network_services,
        kernel_hardening,
        backup,
        tls,
    )
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
    accounts: AccountsFacts | None = None
    authentication: AuthenticationFacts | None = None
    session_lock: SessionLockFacts | None = None
    file_permissions: FilePermissionsFacts | None = None
    removable_media: RemovableMediaFacts | None = None
    logging: LoggingFacts | None = None
    time_sync: TimeSyncFacts | None = None
    network_services: NetworkServicesFacts | None = None
    kernel_hardening: KernelHardeningFacts | None = None
    backup: BackupFacts | None = None
    tls: TlsFacts | None = None
    # not collected on the host: what the operator attests (organisational measures)
    attestations: Attestations = Field(default_factory=Attestations)
    errors: dict[str, FactError] = Field(default_factory=dict)


class FactsSnapshot(BaseModel):
    """A host's facts as saved with a run (`facts/<host>.json`); `hygie evaluate` reads it."""

    schema_version: str = "1.0"
    host: str
    address: str = ""
    groups: list[str] = Field(default_factory=list)  # inventory groups (waivers scope by group)
    collected_at: str = ""
    facts: Facts
