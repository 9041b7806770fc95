"""Checks of the time synchronisation rules (facts/time_sync.py)."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.logging_systemd import STATE_UNKNOWN, UnitState
from scanner.facts.time_sync import DAEMON_UNITS, TimeSyncFacts
from scanner.models import Result, Status
from scanner.rules.outcome import error, failed, not_applicable, passed


def _time(facts: Facts) -> TimeSyncFacts:
    assert facts.time_sync is not None  # the engine never calls a check without its facts
    return facts.time_sync


def _daemons_in_use(units: dict[str, UnitState]) -> list[str]:
    return [
        daemon
        for daemon, names in DAEMON_UNITS.items()
        if any((s := units.get(u)) and (s.enabled_at_boot or s.running) for u in names)
    ]


def _count_sources(
    time: TimeSyncFacts, daemons: list[str], min_sources: int, ntp_servers: list[str] | None
) -> Result:
    sources = [s for s in time.sources if s.daemon in daemons]
    if ntp_servers:  # the profile names the organisation's servers: only they count
        sources = [s for s in sources if s.address in ntp_servers]
    if "timesyncd" in daemons and any(s.directive == "NTP" for s in sources):
        sources = [s for s in sources if s.directive != "FallbackNTP"]
    count = sum(s.counts_for for s in sources)
    evidence = {"sources": [f"{s.daemon} {s.directive} {s.address}" for s in sources]}
    if count < min_sources:
        return failed(f"{count} time source(s) configured, {min_sources} needed", **evidence)
    return passed(f"{count} time sources configured", **evidence)


def _sources_of_installed(
    time: TimeSyncFacts, min_sources: int, ntp_servers: list[str] | None
) -> Result:
    """Without unit states: each installed service's sources; a verdict only when all agree."""
    unknown = f"{STATE_UNKNOWN}: {time.units_unreadable}"
    if time.unit_files is None:
        return error(f"{unknown}: which time service is in use?")
    daemons = [d for d, names in DAEMON_UNITS.items() if any(u in time.unit_files for u in names)]
    if not daemons:
        return failed("no time synchronisation service is installed", unit_files=time.unit_files)
    verdicts = {d: _count_sources(time, [d], min_sources, ntp_servers) for d in daemons}
    summary = "; ".join(f"{daemon}: {v.message}" for daemon, v in verdicts.items())
    evidence = {
        "installed": daemons,
        "sources": [s for v in verdicts.values() for s in v.evidence["sources"]],
    }
    statuses = {v.status for v in verdicts.values()}
    if statuses == {Status.PASS}:
        return passed(f"each installed time service has enough sources ({summary})", **evidence)
    if statuses == {Status.FAIL}:
        return failed(f"no installed time service has enough sources ({summary})", **evidence)
    return error(f"{unknown}: which of {', '.join(daemons)} is in use? ({summary})", **evidence)


def time_sync_service_enabled(facts: Facts) -> Result:
    """Passes when a time synchronisation unit is enabled at boot and active. Without systemd:
    error, whether it runs is unknown (it still fails when no time service is installed)."""
    time = _time(facts)
    if time.units is None:
        if time.unit_files == {}:
            return failed("no time synchronisation service is installed", unit_files={})
        return error(f"{STATE_UNKNOWN}: {time.units_unreadable}", unit_files=time.unit_files)
    states = {unit: f"{state.enabled}/{state.active}" for unit, state in time.units.items()}
    good = [unit for unit, state in time.units.items() if state.enabled_at_boot and state.running]
    if good:
        return passed(f"{', '.join(good)} enabled and running", units=states)
    if not time.units:
        return failed("no time synchronisation service is installed", units=states)
    return failed("no time synchronisation service is both enabled and running", units=states)


def time_sources_configured(
    facts: Facts, min_sources: int, ntp_servers: list[str] | None
) -> Result:
    """Passes when the time services in use have at least `min_sources` sources configured
    (only the profile's `ntp_servers` count when it lists them). Without systemd the installed
    services stand in for those in use; error when they disagree."""
    time = _time(facts)
    if time.units is None:
        return _sources_of_installed(time, min_sources, ntp_servers)
    daemons = _daemons_in_use(time.units)
    if not daemons:
        return failed("no time synchronisation service is enabled or running")
    return _count_sources(time, daemons, min_sources, ntp_servers)


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
