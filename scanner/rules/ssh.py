"""Checks of the OpenSSH server's effective configuration (`sshd -T`, see facts/sshd.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase

from scanner.facts import Facts
from scanner.facts.sshd import SshdFacts
from scanner.models import Result
from scanner.rules.outcome import error, failed, not_applicable, passed

NOT_INSTALLED = "the OpenSSH server is not installed"
KEYBOARD_INTERACTIVE = ["kbdinteractiveauthentication", "challengeresponseauthentication"]


def _sshd(facts: Facts) -> SshdFacts:
    assert facts.sshd is not None  # the engine never calls a check without its facts
    return facts.sshd


def _expect(facts: Facts, expected: Mapping[str, Iterable[str]]) -> Result:
    """Passes when each sshd setting has one of its allowed values (case-insensitive)."""
    sshd = _sshd(facts)
    if not sshd.installed:
        return not_applicable(NOT_INSTALLED)
    seen = {key: sshd.settings.get(key) for key in expected}
    unreported = [key for key, value in seen.items() if value is None]
    if unreported:
        return error(f"sshd -T did not report {', '.join(unreported)}", **seen)
    wrong = []
    for key, allowed in expected.items():
        choices = list(allowed)
        if str(seen[key]).lower() not in {choice.lower() for choice in choices}:
            wrong.append(f"{key} is {seen[key]}, expected {' or '.join(choices)}")
    if wrong:
        return failed("; ".join(wrong), **seen)
    return passed(", ".join(f"{key} {value}" for key, value in seen.items()), **seen)


def _numbers(facts: Facts, *keys: str) -> dict[str, int] | Result:
    """The integer values of `keys`, or the Result to return when they cannot be read."""
    sshd = _sshd(facts)
    if not sshd.installed:
        return not_applicable(NOT_INSTALLED)
    seen = {key: sshd.settings.get(key) for key in keys}
    if not all(value is not None and value.isdigit() for value in seen.values()):
        return error("sshd -T did not report a number for " + ", ".join(keys), **seen)
    return {key: int(str(value)) for key, value in seen.items()}


def _forbidden(facts: Facts, key: str, patterns: list[str], extra: Iterable[str] = ()) -> Result:
    """Passes when no algorithm of list `key` (plus `extra`) matches a forbidden pattern."""
    sshd = _sshd(facts)
    if not sshd.installed:
        return not_applicable(NOT_INSTALLED)
    offered = sshd.lists.get(key)
    if not offered:
        return error(f"sshd -T did not report {key}")
    enabled = [*offered, *extra]
    lowered = [pattern.lower() for pattern in patterns]
    weak = [name for name in enabled if any(fnmatchcase(name.lower(), p) for p in lowered)]
    if weak:
        return failed(f"weak {key} enabled: {', '.join(weak)}", forbidden=weak, offered=enabled)
    return passed(f"no weak {key} among {len(enabled)} offered", offered=enabled)


def ssh_root_login_disabled(facts: Facts, allowed_values: list[str]) -> Result:
    """Passes when PermitRootLogin is one of the allowed values (default: no)."""
    allowed = list(allowed_values)
    if "prohibit-password" in allowed:
        allowed.append("without-password")  # the older name, still printed by OpenSSH 9.2
    return _expect(facts, {"permitrootlogin": allowed})


def ssh_password_authentication_disabled(
    facts: Facts, keyboard_interactive_allowed: bool
) -> Result:
    """Passes when PasswordAuthentication is off, and keyboard-interactive too when PAM
    would use it to ask for the password (unless a PAM second factor makes it allowed)."""
    settings = _sshd(facts).settings
    expected = {"passwordauthentication": ["no"]}
    if not keyboard_interactive_allowed and settings.get("usepam", "no").lower() == "yes":
        # OpenSSH < 8.7 prints ChallengeResponseAuthentication too: both must be off
        keys = [key for key in KEYBOARD_INTERACTIVE if key in settings] or KEYBOARD_INTERACTIVE[:1]
        expected.update({key: ["no"] for key in keys})
    return _expect(facts, expected)


def ssh_empty_passwords_disabled(facts: Facts) -> Result:
    """Passes when PermitEmptyPasswords is no."""
    return _expect(facts, {"permitemptypasswords": ["no"]})


def ssh_ciphers_strong(facts: Facts, forbidden_ciphers: list[str]) -> Result:
    """Passes when no offered cipher matches a forbidden pattern (CBC, 3DES, RC4, …)."""
    return _forbidden(facts, "ciphers", forbidden_ciphers)


def ssh_macs_strong(facts: Facts, forbidden_macs: list[str]) -> Result:
    """Passes when no offered MAC matches a forbidden pattern (MD5, SHA-1 non-ETM, 64-bit …)."""
    return _forbidden(facts, "macs", forbidden_macs)


def ssh_kex_strong(facts: Facts, forbidden_kex: list[str]) -> Result:
    """Passes when no key exchange offered (GSSAPI ones too when enabled) is forbidden."""
    sshd = _sshd(facts)
    gss = sshd.settings.get("gssapikeyexchange", "no").lower() == "yes"
    extra = sshd.lists.get("gssapikexalgorithms", []) if gss else []
    return _forbidden(facts, "kexalgorithms", forbidden_kex, extra)


def ssh_max_auth_tries_limited(facts: Facts, max_auth_tries: int) -> Result:
    """Passes when MaxAuthTries is at most the limit."""
    numbers = _numbers(facts, "maxauthtries")
    if isinstance(numbers, Result):
        return numbers
    tries = numbers["maxauthtries"]
    if tries > max_auth_tries:
        return failed(f"maxauthtries {tries}, limit {max_auth_tries}", maxauthtries=tries)
    return passed(f"maxauthtries {tries}", maxauthtries=tries)


def ssh_x11_forwarding_disabled(facts: Facts) -> Result:
    """Passes when X11Forwarding is no."""
    return _expect(facts, {"x11forwarding": ["no"]})


def ssh_hostbased_authentication_disabled(facts: Facts) -> Result:
    """Passes when HostbasedAuthentication is no and IgnoreRhosts is yes."""
    return _expect(facts, {"hostbasedauthentication": ["no"], "ignorerhosts": ["yes"]})


def ssh_login_grace_time_limited(facts: Facts, max_login_grace_time_s: int) -> Result:
    """Passes when LoginGraceTime is set (0 means unlimited) and at most the limit."""
    numbers = _numbers(facts, "logingracetime")
    if isinstance(numbers, Result):
        return numbers
    grace = numbers["logingracetime"]
    if grace == 0 or grace > max_login_grace_time_s:
        shown = "0 (unlimited)" if grace == 0 else f"{grace} s"
        return failed(
            f"logingracetime {shown}, limit {max_login_grace_time_s} s", logingracetime=grace
        )
    return passed(f"logingracetime {grace} s", logingracetime=grace)


def ssh_idle_timeout_configured(facts: Facts, max_idle_s: int) -> Result:
    """Passes when ClientAliveInterval x ClientAliveCountMax ends dead sessions within the limit."""
    numbers = _numbers(facts, "clientaliveinterval", "clientalivecountmax")
    if isinstance(numbers, Result):
        return numbers
    interval, count = numbers["clientaliveinterval"], numbers["clientalivecountmax"]
    evidence = {**numbers, "timeout_s": interval * count}
    if interval == 0:
        return failed("clientaliveinterval 0: sessions are never timed out", **evidence)
    if count == 0:  # since OpenSSH 8.2, 0 disables the disconnection
        return failed("clientalivecountmax 0: sessions are never timed out", **evidence)
    if interval * count > max_idle_s:
        return failed(f"sessions end after {interval * count} s, limit {max_idle_s} s", **evidence)
    return passed(f"sessions end after {interval * count} s", **evidence)


def ssh_log_level_sufficient(facts: Facts, allowed_log_levels: list[str]) -> Result:
    """Passes when LogLevel is one of the allowed levels (INFO or VERBOSE)."""
    return _expect(facts, {"loglevel": allowed_log_levels})
