"""Checks of the time synchronisation rules (facts/time_sync.py)."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.time_sync import DAEMON_UNITS, TimeSyncFacts
from scanner.models import Result
from scanner.rules.outcome import error, failed, not_applicable, passed


def _time(facts: Facts) -> TimeSyncFacts:
    assert facts.time_sync is not None  # the engine never calls a check without its facts
    return facts.time_sync


def _daemons_in_use(time: TimeSyncFacts) -> list[str]:
    return [
        daemon
        for daemon, units in DAEMON_UNITS.items()
        if any((s := time.units.get(u)) and (s.enabled_at_boot or s.running) for u in units)
    ]


def time_sync_service_enabled(facts: Facts) -> Result:
    """Passes when a time synchronisation unit is enabled at boot and active."""
    units = _time(facts).units
    states = {unit: f"{state.enabled}/{state.active}" for unit, state in units.items()}
    good = [unit for unit, state in units.items() if state.enabled_at_boot and state.running]
    if good:
        return passed(f"{', '.join(good)} enabled and running", units=states)
    if not units:
        return failed("no time synchronisation service is installed", units=states)
    return failed("no time synchronisation service is both enabled and running", units=states)


def time_sources_configured(facts: Facts, min_sources: int) -> Result:
    """Passes when the time services in use have at least `min_sources` sources configured."""
    time = _time(facts)
    daemons = _daemons_in_use(time)
    if not daemons:
        return failed("no time synchronisation service is enabled or running")
    sources = [s for s in time.sources if s.daemon in daemons]
    if "timesyncd" in daemons and any(s.directive == "NTP" for s in sources):
        sources = [s for s in sources if s.directive != "FallbackNTP"]
    count = sum(s.counts_for for s in sources)
    evidence = {"sources": [f"{s.daemon} {s.directive} {s.address}" for s in sources]}
    if count < min_sources:
        return failed(f"{count} time source(s) configured, {min_sources} needed", **evidence)
    return passed(f"{count} time sources configured", **evidence)


def time_synchronised(facts: Facts) -> Result:
    """Passes when chronyd (or else the kernel clock, via timedatectl) reports synchronisation."""
    time = _time(facts)
    assert facts.system is not None
    if facts.system.virtualization_kind == "container":
        return not_applicable(f"container ({facts.system.virtualization}): the clock is the host's")
    if time.chrony_leap_status is not None:
        evidence = {"leap_status": time.chrony_leap_status, "reference": time.chrony_reference}
        if time.chrony_leap_status == "Normal":
            return passed(f"chronyd synchronised to {time.chrony_reference}", **evidence)
        return failed(f"chronyd leap status: {time.chrony_leap_status}", **evidence)
    if time.ntp_synchronized is None:
        return error("synchronisation status unreadable", reason=time.ntp_status_unreadable)
    if time.ntp_synchronized:
        return passed("the kernel clock is synchronised", ntp_synchronized=True)
    return failed("the kernel clock is not synchronised", ntp_synchronized=False)
