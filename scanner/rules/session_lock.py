"""Checks of the session lock rules: shell TMOUT and the desktops' screen lock."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.session_lock import SessionLockFacts
from scanner.models import Result
from scanner.rules.outcome import failed, manual, not_applicable, passed

GNOME_LOCKS = (
    "/org/gnome/desktop/session/idle-delay",
    "/org/gnome/desktop/screensaver/lock-enabled",
    "/org/gnome/desktop/screensaver/lock-delay",
)
KDE_DEFAULT_TIMEOUT_MIN, KDE_DEFAULT_GRACE_S = 5, 5


def _lock(facts: Facts) -> SessionLockFacts:
    assert facts.session_lock is not None  # the engine never calls a check without its facts
    return facts.session_lock


def session_lock_shell_timeout(facts: Facts, max_idle_s: int) -> Result:
    """Passes when TMOUT is set to 1..max_idle_s everywhere it is set, readonly and exported."""
    settings = _lock(facts).tmout
    values = sorted({s.value for s in settings if s.value is not None})
    evidence = {
        "tmout": values,
        "files": sorted({s.file for s in settings}),
        "readonly": any(s.readonly for s in settings),
        "exported": any(s.exported for s in settings),
    }
    problems = []
    if not values:
        problems.append("TMOUT is not set to a number in the shell startup files")
    elif values[0] == 0 or values[-1] > max_idle_s:
        problems.append(f"TMOUT {values[-1] if values[0] else 0} s, expected 1 to {max_idle_s} s")
    if not evidence["readonly"]:
        problems.append("TMOUT is not readonly")
    if not evidence["exported"]:
        problems.append("TMOUT is not exported")
    if problems:
        return failed("; ".join(problems), **evidence)
    return passed(f"idle shells close after {values[-1]} s", **evidence)


def _uint(value: str | None) -> int | None:
    """300 from gsettings' "uint32 300" (or "300")."""
    number = (value or "").split()[-1:] or [""]
    return int(number[0]) if number[0].isdigit() else None


def _gnome_problems(lock: SessionLockFacts, max_idle_s: int, max_lock_delay_s: int) -> list[str]:
    if not lock.gnome:
        return ["GNOME settings could not be read (gsettings or the schemas are missing)"]
    problems = []
    idle, delay = _uint(lock.gnome.get("idle-delay")), _uint(lock.gnome.get("lock-delay"))
    if idle is None or not 0 < idle <= max_idle_s:
        problems.append(f"GNOME idle-delay {idle}, expected 1 to {max_idle_s} s")
    if lock.gnome.get("lock-enabled") != "true":
        problems.append("GNOME lock-enabled is not true")
    if delay is None or delay > max_lock_delay_s:
        problems.append(f"GNOME lock-delay {delay}, expected at most {max_lock_delay_s} s")
    unlocked = [key.rsplit("/", 1)[1] for key in GNOME_LOCKS if key not in lock.gnome_locked_keys]
    if unlocked:
        problems.append("users can change GNOME " + ", ".join(unlocked) + " (no dconf lock)")
    return problems


def _kde_problems(lock: SessionLockFacts, max_idle_s: int, max_lock_delay_s: int) -> list[str]:
    if lock.kde is None:
        return ["KDE screen locker not configured system-wide (/etc/xdg/kscreenlockerrc)"]
    problems = []
    timeout = lock.kde.timeout_minutes or KDE_DEFAULT_TIMEOUT_MIN
    grace = lock.kde.lock_grace_seconds
    if (lock.kde.autolock or "true").lower() == "false":
        problems.append("KDE Autolock is false")
    if lock.kde.timeout_minutes == 0 or timeout * 60 > max_idle_s:
        problems.append(f"KDE Timeout {timeout} min, expected at most {max_idle_s // 60} min")
    if (KDE_DEFAULT_GRACE_S if grace is None else grace) > max_lock_delay_s:
        problems.append(f"KDE LockGrace {grace} s, expected at most {max_lock_delay_s} s")
    if not lock.kde.immutable:
        problems.append("users can change the KDE lock settings ([Daemon] is not [$i])")
    return problems


def session_lock_graphical_idle(facts: Facts, max_idle_s: int, max_lock_delay_s: int) -> Result:
    """Passes when every GNOME/KDE desktop installed locks idle sessions, enforced system-wide."""
    lock = _lock(facts)
    if not lock.desktops:
        return not_applicable("no graphical desktop is installed")
    problems = []
    if "gnome" in lock.desktops:
        problems += _gnome_problems(lock, max_idle_s, max_lock_delay_s)
    if "kde" in lock.desktops:
        problems += _kde_problems(lock, max_idle_s, max_lock_delay_s)
    evidence = {
        "desktops": lock.desktops,
        "gnome": lock.gnome,
        "gnome_locked_keys": lock.gnome_locked_keys,
        "kde": lock.kde.model_dump() if lock.kde else None,
    }
    if problems:
        return failed("; ".join(problems), **evidence)
    others = [d for d in lock.desktops if d not in ("gnome", "kde")]
    if others:
        return manual(f"check the screen lock of {', '.join(others)} by hand", **evidence)
    return passed("idle desktop sessions lock, and users cannot change it", **evidence)
