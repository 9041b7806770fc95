"""Checks of the antivirus area: an engine deployed, running, fresh and self-updating."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.antivirus import AntivirusEngine, AntivirusFacts
from scanner.models import Result
from scanner.rules.outcome import failed, manual, passed


def _antivirus(facts: Facts) -> AntivirusFacts:
    assert facts.antivirus is not None  # the engine never calls a check without its facts
    return facts.antivirus


def _installed(facts: Facts) -> list[AntivirusEngine]:
    return [engine for engine in _antivirus(facts).engines if engine.installed]


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _states(engines: list[AntivirusEngine]) -> dict[str, dict]:
    return {e.name: {"running": e.running, "enabled_at_boot": e.enabled_at_boot} for e in engines}


def antivirus_installed(facts: Facts) -> Result:
    """Passes when an antivirus engine is installed and its service starts at boot."""
    engines = _installed(facts)
    if not engines:
        return failed("no antivirus engine is installed", engines={})
    deployed = [
        e.name for e in engines if e.enabled_at_boot or (e.enabled_at_boot is None and e.running)
    ]
    if deployed:
        return passed(f"installed and set to run: {', '.join(deployed)}", engines=_states(engines))
    names = ", ".join(e.name for e in engines)
    return failed(f"installed but not enabled at boot: {names}", engines=_states(engines))


def antivirus_running(facts: Facts) -> Result:
    """Passes when an installed antivirus engine is running."""
    engines = _installed(facts)
    running = [e.name for e in engines if e.running]
    if running:
        return passed(f"running: {', '.join(running)}", engines=_states(engines))
    if not engines:
        return failed("no antivirus engine is installed", engines={})
    names = ", ".join(e.name for e in engines)
    return failed(f"installed but not running: {names}", engines=_states(engines))


def antivirus_signatures_fresh(facts: Facts, max_signature_age_days: int) -> Result:
    """Passes when every installed engine whose signatures can be read has recent ones."""
    engines = _installed(facts)
    if not engines:
        return failed("no antivirus engine is installed", signature_age_days={})
    ages = {e.name: e.signature_age_days for e in engines if e.signatures == "read"}
    missing = [e.name for e in engines if e.signatures == "missing"]
    stale = {name: age for name, age in ages.items() if (age or 0) > max_signature_age_days}
    evidence = {"signature_age_days": ages, "max_signature_age_days": max_signature_age_days}
    if missing:
        return failed(f"no signature database: {', '.join(missing)}", **evidence, missing=missing)
    if stale:
        oldest = max(age or 0 for age in stale.values())
        limit = _days(max_signature_age_days)
        return failed(f"signatures {_days(oldest)} old (limit {limit})", **evidence)
    if ages:
        newest = max(age or 0 for age in ages.values())
        return passed(f"signatures {_days(newest)} old at most", **evidence)
    names = ", ".join(e.name for e in engines)
    return manual(f"signatures managed by the agent ({names}): check its console", **evidence)


def antivirus_signature_updates_automatic(facts: Facts) -> Result:
    """Passes when freshclam runs (daemon or cron) or a running endpoint agent updates itself."""
    engines = _installed(facts)
    freshclam = _antivirus(facts).freshclam
    evidence = {
        "auto_update": {e.name: e.auto_update for e in engines},
        "freshclam": freshclam.model_dump() if freshclam else None,
    }
    automatic = [e.name for e in engines if e.auto_update]
    self_updating = [e.name for e in engines if e.auto_update is None and e.running]
    if automatic or self_updating:
        return passed(f"automatic updates: {', '.join(automatic + self_updating)}", **evidence)
    if not engines:
        return failed("no antivirus engine is installed", **evidence)
    if freshclam is None:
        return failed("no running agent updates its signatures", **evidence)
    return failed("no automatic signature update: freshclam not running, no cron job", **evidence)
