"""Checks of the password rules: pam_pwquality, ageing, hashing, empty passwords, faillock."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.accounts import AccountsFacts
from scanner.facts.authentication import AuthenticationFacts
from scanner.facts.authentication_parsers import PamEntry
from scanner.models import Result
from scanner.rules.outcome import failed, passed

NOT_ENFORCING = {"optional", "sufficient"}
CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")
PWQUALITY_DEFAULT_MINLEN = 8
FAILLOCK_DEFAULTS = {"deny": "3", "unlock_time": "600"}
PAM_UNIX_SCHEMES = {
    "md5": "$1$",
    "bigcrypt": "des",
    "sha256": "$5$",
    "blowfish": "$2b$",
    "sha512": "$6$",
    "yescrypt": "$y$",
    "gost_yescrypt": "$gy$",
}
NO_PWQUALITY = "pam_pwquality is not in the password stack"


def _auth(facts: Facts) -> AuthenticationFacts:
    assert facts.authentication is not None  # the engine never calls a check without its facts
    return facts.authentication


def _accounts(facts: Facts) -> AccountsFacts:
    assert facts.accounts is not None
    return facts.accounts


def _modules(auth: AuthenticationFacts, kind: str, module: str) -> list[PamEntry]:
    return [e for e in auth.pam if e.type == kind and e.module == module]


def _arguments(entries: list[PamEntry]) -> dict[str, str]:
    found = (arg.partition("=") for entry in entries for arg in entry.arguments)
    return {key: value for key, sep, value in found if sep}


def _pwquality(auth: AuthenticationFacts) -> dict[str, int] | None:
    """Effective integer pwquality settings, or None when no enforcing pam_pwquality line."""
    entries = [
        e for e in _modules(auth, "password", "pam_pwquality.so") if e.control not in NOT_ENFORCING
    ]
    if not entries:
        return None
    merged = {**auth.pwquality, **_arguments(entries)}
    return {k: int(v) for k, v in merged.items() if v.lstrip("-").isdigit() and len(v) < 10}


def passwords_quality_module_enabled(facts: Facts) -> Result:
    """Passes when pam_pwquality.so enforces its verdict in a password stack."""
    auth = _auth(facts)
    entries = _modules(auth, "password", "pam_pwquality.so")
    lines = {e.file: f"{e.control} {e.module} {' '.join(e.arguments)}".strip() for e in entries}
    if not entries:
        return failed(NO_PWQUALITY, pam_files=auth.pam_files)
    if _pwquality(auth) is None:
        return failed("pam_pwquality is only optional in the password stack", lines=lines)
    return passed("pam_pwquality checks new passwords", lines=lines)


def passwords_min_length(facts: Facts, min_length: int) -> Result:
    """Passes when pam_pwquality accepts no password shorter than min_length."""
    settings = _pwquality(_auth(facts))
    if settings is None:
        return failed(NO_PWQUALITY)
    minlen = settings.get("minlen", PWQUALITY_DEFAULT_MINLEN)
    bonus = sum(max(settings.get(credit, 0), 0) for credit in CREDITS)
    shortest = max(6, minlen - bonus)
    evidence = {"minlen": minlen, "credit_bonus": bonus, "shortest_accepted": shortest}
    if shortest < min_length:
        return failed(
            f"passwords of {shortest} characters are accepted, expected at least {min_length}",
            **evidence,
        )
    return passed(f"passwords need at least {shortest} characters", **evidence)


def passwords_character_classes(facts: Facts, min_classes: int) -> Result:
    """Passes when pam_pwquality requires at least min_classes character classes."""
    settings = _pwquality(_auth(facts))
    if settings is None:
        return failed(NO_PWQUALITY)
    required = [credit for credit in CREDITS if settings.get(credit, 0) < 0]
    classes = max(settings.get("minclass", 0), len(required))
    evidence = {
        "minclass": settings.get("minclass", 0),
        "required_by_credits": required,
        "classes_required": classes,
    }
    if classes < min_classes:
        return failed(f"{classes} character classes required, expected {min_classes}", **evidence)
    return passed(f"{classes} character classes required", **evidence)


def passwords_max_age(facts: Facts, max_days: int) -> Result:
    """Passes when login.defs and every account with a password cap its age at max_days."""
    raw = _auth(facts).login_defs.get("PASS_MAX_DAYS", "99999")
    default = int(raw) if raw.lstrip("-").isdigit() else None
    lax = sorted(
        e.name
        for e in _accounts(facts).shadow
        if e.password == "hash" and (e.max_days is None or e.max_days < 0 or e.max_days > max_days)
    )
    evidence = {"PASS_MAX_DAYS": raw, "accounts_over_limit": lax}
    problems = []
    if default is None or default < 0 or default > max_days:
        problems.append(f"PASS_MAX_DAYS is {raw}, expected at most {max_days}")
    if lax:
        problems.append(f"{len(lax)} accounts with a password have no maximum age within it")
    if problems:
        return failed("; ".join(problems), **evidence)
    return passed(f"passwords expire after {default} days at most", **evidence)


def _pam_unix_schemes(auth: AuthenticationFacts) -> list[str]:
    """The hashing options (md5, sha512, yescrypt, …) given to pam_unix in password stacks."""
    entries = _modules(auth, "password", "pam_unix.so")
    return sorted({arg for e in entries for arg in e.arguments if arg in PAM_UNIX_SCHEMES})


def passwords_hashing_strong(
    facts: Facts, strong_methods: list[str], strong_schemes: list[str]
) -> Result:
    """Passes when new passwords get a strong scheme and every stored hash already uses one."""
    auth = _auth(facts)
    method = auth.login_defs.get("ENCRYPT_METHOD", "DES")
    pam_options = _pam_unix_schemes(auth)
    weak_pam = [o for o in pam_options if PAM_UNIX_SCHEMES[o] not in strong_schemes]
    weak: dict[str, list[str]] = {}
    for entry in _accounts(facts).shadow:
        if entry.scheme and entry.scheme not in strong_schemes:
            weak.setdefault(entry.scheme, []).append(entry.name)
    evidence = {"ENCRYPT_METHOD": method, "pam_unix_options": pam_options, "weak_hashes": weak}
    problems = []
    if method.upper() not in {m.upper() for m in strong_methods}:
        problems.append(f"ENCRYPT_METHOD is {method}")
    if weak_pam:
        problems.append(f"pam_unix hashes with {', '.join(weak_pam)}")
    if weak:
        problems.append(f"{sum(map(len, weak.values()))} stored passwords use a weak scheme")
    if problems:
        return failed("; ".join(problems), **evidence)
    return passed(f"passwords hashed with {method}, no weak hash stored", **evidence)


def passwords_empty_absent(facts: Facts) -> Result:
    """Passes when no account has an empty password field in /etc/shadow or /etc/passwd."""
    accounts = _accounts(facts)
    empty = sorted(
        {e.name for e in accounts.shadow if e.password == "empty"}
        | {u.name for u in accounts.users if u.passwd_field == "empty"}
    )
    if empty:
        return failed(f"{len(empty)} accounts have an empty password", accounts=empty)
    return passed("no account has an empty password", accounts=[])


def passwords_lockout_configured(facts: Facts, max_attempts: int, min_unlock_s: int) -> Result:
    """Passes when pam_faillock locks an account after at most max_attempts failures."""
    auth = _auth(facts)
    entries = [e for e in _modules(auth, "auth", "pam_faillock.so") if e.control != "optional"]
    modes = sorted({a for e in entries for a in e.arguments if a in ("preauth", "authfail")})
    if modes != ["authfail", "preauth"]:
        return failed(
            "pam_faillock is not in the auth stack (preauth and authfail)",
            pam_files=auth.pam_files,
            faillock_modes=modes,
        )
    settings = {**FAILLOCK_DEFAULTS, **(auth.faillock_conf or {}), **_arguments(entries)}
    deny, unlock = settings["deny"], settings["unlock_time"]
    evidence = {"deny": deny, "unlock_time": unlock}
    problems = []
    if not deny.isdigit() or not 0 < int(deny) <= max_attempts:
        problems.append(f"deny is {deny}, expected 1 to {max_attempts}")
    if unlock != "never" and (not unlock.isdigit() or 0 < int(unlock) < min_unlock_s):
        problems.append(f"unlock_time is {unlock} s, expected 0 or at least {min_unlock_s}")
    if problems:
        return failed("; ".join(problems), **evidence)
    duration = "until an administrator unlocks them" if unlock in ("0", "never") else f"{unlock} s"
    return passed(f"accounts lock after {deny} failures, {duration}", **evidence)
