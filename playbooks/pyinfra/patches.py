"""pyinfra deploys of the patches rules, twins of roles/hygie_linux/tasks/patches_*.yml: apt
index refreshed when old, pending updates installed, unattended-upgrades on; a reboot only when
the run allows it (hygie fix --allow-reboot)."""

from __future__ import annotations

from io import StringIO

from hygie_ops import apt_index, apt_upgrade, refuse, unit_on
from pyinfra import host
from pyinfra.api import deploy
from pyinfra.facts.files import File
from pyinfra.operations import apt, files, server

AUTO_UPGRADES = 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'


@deploy("patches_package_index_fresh")
def patches_package_index_fresh(max_index_age_days: int) -> None:
    apt_index(name="Download the package index", max_age_days=max_index_age_days)


@deploy("patches_security_updates_applied")
def patches_security_updates_applied(max_pending_security_updates: int) -> None:
    apt_upgrade(name="Install the pending updates (apt-get upgrade --with-new-pkgs, "
                     "local config kept)")


@deploy("patches_last_upgrade_recent")
def patches_last_upgrade_recent(max_days_since_upgrade: int) -> None:
    apt_upgrade(name="Install the pending updates (apt-get upgrade --with-new-pkgs, "
                     "local config kept)")


@deploy("patches_automatic_updates_enabled")
def patches_automatic_updates_enabled() -> None:
    apt.packages(name="Install unattended-upgrades", packages=["unattended-upgrades"])
    files.put(name="Turn on the daily index update and unattended upgrade",
              src=StringIO(AUTO_UPGRADES), dest="/etc/apt/apt.conf.d/20auto-upgrades",
              user="root", group="root", mode="644")
    for timer in ("apt-daily.timer", "apt-daily-upgrade.timer"):
        unit_on(name=f"Enable {timer}", unit=timer)


@deploy("patches_reboot_not_required")
def patches_reboot_not_required() -> None:
    if host.get_fact(File, path="/run/reboot-required") is None:
        return
    if not host.data.get("hygie_allow_reboot"):
        refuse(name="Refuse to reboot without permission",
               reason="a reboot is required, and this run does not allow reboots "
                      "(hygie fix --allow-reboot). Plan a maintenance window.")
        return
    server.reboot(name="Reboot to run the updated packages", reboot_timeout=900)
