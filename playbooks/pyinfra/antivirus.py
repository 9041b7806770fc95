"""pyinfra deploys of the antivirus rules, twins of roles/hygie_linux/tasks/antivirus_*.yml:
ClamAV installed with clamd enabled at boot, clamd and freshclam running. freshclam cannot
make signatures fresh without reaching a mirror: then antivirus_signatures_fresh still fails."""

from __future__ import annotations

from pyinfra.api import deploy
from pyinfra.operations import apt, systemd

PACKAGES = ["clamav", "clamav-daemon", "clamav-freshclam"]


def _installed() -> None:
    apt.packages(name="Install ClamAV", packages=PACKAGES)


@deploy("antivirus_installed")
def antivirus_installed() -> None:
    _installed()
    systemd.service(name="Start the ClamAV daemon at boot", service="clamav-daemon.service",
                    running=None, enabled=True)


@deploy("antivirus_running")
def antivirus_running() -> None:
    _installed()
    systemd.service(name="Start the ClamAV daemon now and at boot",
                    service="clamav-daemon.service", running=True, enabled=True)


@deploy("antivirus_signatures_fresh")
def antivirus_signatures_fresh(max_signature_age_days: int) -> None:
    _installed()
    systemd.service(name="Run freshclam, which downloads signatures as it starts",
                    service="clamav-freshclam.service", running=True, enabled=True)


@deploy("antivirus_signature_updates_automatic")
def antivirus_signature_updates_automatic() -> None:
    _installed()
    systemd.service(name="Run freshclam now and at boot, so signatures update automatically",
                    service="clamav-freshclam.service", running=True, enabled=True)
