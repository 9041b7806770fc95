"""Checks of the patches area: security updates, index freshness, upgrades, reboots, automation."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.patches import AutomaticUpdates, PatchesFacts
from scanner.models import Result
from scanner.rules.outcome import failed, manual, passed

STALE_INDEX_DAYS = 7  # past this, "no pending update" is said to rest on an old index
MAX_LISTED = 30  # evidence lists at most this many packages
ACTIVE_TIMER_STATES = {"enabled", "enabled-runtime", "static", "alias", "indirect"}


def _patches(facts: Facts) -> PatchesFacts:
    assert facts.patches is not None  # the engine never calls a check without its facts
    return facts.patches


def _index_note(age_days: int | None) -> str:
    if age_days is None:
        return " (no package index: nothing can be known to be pending)"
    return f" (package index {age_days} days old)" if age_days > STALE_INDEX_DAYS else ""


def patches_security_updates_applied(facts: Facts, max_pending_security_updates: int) -> Result:
    """Passes when no more than the allowed number of security updates are pending."""
    patches = _patches(facts)
    pending = sorted(u.name for u in patches.pending_updates if u.security)
    note = _index_note(patches.index_age_days)
    evidence = {"pending_security_updates": len(pending), "index_age_days": patches.index_age_days}
    if len(pending) > max_pending_security_updates:
        return failed(
            f"{len(pending)} security updates pending{note}",
            **evidence, packages=pending[:MAX_LISTED], listed_first=min(len(pending), MAX_LISTED),
        )  # fmt: skip
    if patches.index_age_days is None:
        return failed(f"pending security updates unknown{note}", **evidence)
    return passed(f"{len(pending)} security updates pending{note}", **evidence)


def patches_package_index_fresh(facts: Facts, max_index_age_days: int) -> Result:
    """Passes when the newest package repository metadata on the host is recent enough."""
    age = _patches(facts).index_age_days
    evidence = {"index_age_days": age, "max_index_age_days": max_index_age_days}
    if age is None:
        return failed("the package index was never downloaded", **evidence)
    if age > max_index_age_days:
        return failed(f"package index is {age} days old", **evidence)
    return passed(f"package index is {age} days old", **evidence)


def patches_last_upgrade_recent(facts: Facts, max_days_since_upgrade: int) -> Result:
    """Passes when the last whole-system upgrade is recent enough (apt/dnf history)."""
    patches = _patches(facts)
    days = patches.days_since_upgrade
    partial = patches.last_partial_upgrade_at
    evidence = {
        "days_since_upgrade": days,
        "max_days_since_upgrade": max_days_since_upgrade,
        "days_since_any_package_upgrade": (
            None if partial is None else (patches.checked_at - partial) // 86400
        ),
    }
    if days is None:
        return failed("no system upgrade recorded in the package history", **evidence)
    if days > max_days_since_upgrade:
        return failed(f"last system upgrade {days} days ago", **evidence)
    return passed(f"last system upgrade {days} days ago", **evidence)


def _automatic_gaps(auto: AutomaticUpdates) -> list[str]:
    """What stops updates from being installed unattended (empty: nothing)."""
    gaps = [] if auto.installed else [f"{auto.tool} not installed"]
    timers = {u: s for u, s in auto.timers.items() if s in ACTIVE_TIMER_STATES}
    if auto.tool == "unattended-upgrades":
        for key in ("APT::Periodic::Update-Package-Lists", "APT::Periodic::Unattended-Upgrade"):
            if auto.settings.get(key, "0") in ("0", ""):
                gaps.append(f"{key} is {auto.settings.get(key, 'unset')}")
        if auto.systemd_running or not auto.cron_job:
            gaps += [f"{u} {s or 'not found'}" for u, s in auto.timers.items() if u not in timers]
        return gaps
    applies = auto.settings.get("apply_updates", "no").lower() in ("yes", "true", "1", "on")
    if "dnf-automatic-install.timer" not in timers and not (
        "dnf-automatic.timer" in timers and applies
    ):
        gaps.append("no dnf-automatic timer that installs updates is enabled")
    return gaps


def patches_automatic_updates_enabled(facts: Facts) -> Result:
    """Passes when unattended-upgrades or dnf-automatic is installed, configured and scheduled."""
    auto = _patches(facts).automatic_updates
    evidence = {"tool": auto.tool, "settings": auto.settings, "timers": auto.timers}
    gaps = _automatic_gaps(auto)
    if gaps:
        return failed(f"automatic updates not enabled: {'; '.join(gaps)}", **evidence)
    return passed(f"{auto.tool} installs updates automatically", **evidence)


def patches_reboot_not_required(facts: Facts) -> Result:
    """Passes when no reboot is pending: no reboot flag and no newer installed kernel."""
    patches = _patches(facts)
    evidence = {"running_kernel": patches.running_kernel, "newest_kernel": patches.newest_kernel}
    if patches.reboot_flag:
        return failed("a reboot is required", **evidence, packages=patches.reboot_packages)
    if patches.kernel_outdated:
        return failed(f"running kernel older than installed {patches.newest_kernel}", **evidence)
    if patches.reboot_flag is None and patches.kernel_outdated is None:
        return manual("no reboot signal available (no needs-restarting, no kernel package)")
    if patches.kernel_outdated is None:
        return passed("no reboot flag; no kernel package installed (container?)", **evidence)
    return passed("no reboot flag; the newest installed kernel is running", **evidence)
