"""Checks of the account rules: UID 0, root's password, sudo, inactive and system accounts,
and the permissions of the files that guard them."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.accounts import AccountsFacts
from scanner.facts.accounts_sudoers import Sudoers
from scanner.facts.file_permissions import FileMode
from scanner.models import Result
from scanner.rules.outcome import failed, not_applicable, passed

NO_SUDO = "sudo is not installed"
NO_LOGIN_SHELLS = {"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false"}
CRON_DIRS = (
    "/etc/cron.d",
    "/etc/cron.hourly",
    "/etc/cron.daily",
    "/etc/cron.weekly",
    "/etc/cron.monthly",
)


def _accounts(facts: Facts) -> AccountsFacts:
    assert facts.accounts is not None  # the engine never calls a check without its facts
    return facts.accounts


def accounts_uid0_only_root(facts: Facts) -> Result:
    """Passes when root is the only account with UID 0."""
    others = sorted(u.name for u in _accounts(facts).users if u.uid == 0 and u.name != "root")
    if others:
        return failed(f"UID 0 also held by {', '.join(others)}", accounts=others)
    return passed("only root has UID 0", accounts=[])


def accounts_root_password_locked(facts: Facts) -> Result:
    """Passes when root's password is locked or disabled in /etc/shadow."""
    accounts = _accounts(facts)
    root = next((e for e in accounts.shadow if e.name == "root"), None)
    in_passwd = next((u.passwd_field for u in accounts.users if u.name == "root"), "x")
    state = root.password if root else "no shadow entry"
    if in_passwd != "x":
        return failed(f"root's password field in /etc/passwd is {in_passwd}", password=in_passwd)
    if state not in ("locked", "disabled", "invalid"):
        return failed(f"root can log in with a password ({state})", password=state)
    return passed(f"root's password is {state}", password=state)


def _global_defaults(sudoers: Sudoers) -> dict[str, tuple[bool, str | None]]:
    """name -> (on, value) of the Defaults that apply to everyone; the last one wins."""
    return {d.name: (not d.negated, d.value) for d in sudoers.defaults if not d.scope}


def accounts_sudo_logged(facts: Facts, require_logfile: bool) -> Result:
    """Passes when sudo uses a pty, keeps syslog on and (if required) writes a log file."""
    sudoers = _accounts(facts).sudoers
    if sudoers is None:
        return not_applicable(NO_SUDO)
    defaults = _global_defaults(sudoers)
    use_pty = defaults.get("use_pty", (False, None))[0]
    syslog = defaults.get("syslog", (True, None))[0]
    logfile_on, logfile = defaults.get("logfile", (False, None))
    logfile = logfile if logfile_on and logfile else None
    evidence = {"use_pty": use_pty, "syslog": syslog, "logfile": logfile}
    problems = [
        text
        for text, bad in (
            ("use_pty is off", not use_pty),
            ("syslog is turned off", not syslog),
            ("no logfile", require_logfile and not logfile),
        )
        if bad
    ]
    if problems:
        return failed("sudo: " + "; ".join(problems), **evidence)
    return passed(f"sudo uses a pty and logs to {logfile or 'syslog'}", **evidence)


def accounts_sudo_nopasswd_restricted(facts: Facts, allowed_principals: list[str]) -> Result:
    """Passes when only allowed principals may run every command through sudo without a password."""
    sudoers = _accounts(facts).sudoers
    if sudoers is None:
        return not_applicable(NO_SUDO)
    offenders: dict[str, str] = {}
    for rule in sudoers.rules:
        if any(c.nopasswd and c.command == "ALL" for c in rule.commands):
            for principal in rule.principals:
                if principal not in allowed_principals:
                    offenders[principal] = rule.file
    no_auth = _global_defaults(sudoers).get("authenticate", (True, None))[0] is False
    evidence = {"nopasswd_all": offenders, "authenticate_disabled": no_auth}
    if offenders or no_auth:
        who = "everyone (Defaults !authenticate)" if no_auth else ", ".join(sorted(offenders))
        return failed(f"sudo ALL without a password for {who}", **evidence)
    return passed("no unapproved NOPASSWD: ALL in sudoers", **evidence)


def accounts_inactive_locked(facts: Facts, max_inactive_days: int) -> Result:
    """Passes when new and existing password accounts are disabled after max_inactive_days."""
    accounts = _accounts(facts)
    raw = accounts.useradd_defaults.get("INACTIVE", "-1")
    lax = sorted(
        e.name
        for e in accounts.shadow
        if e.password == "hash"
        and (e.inactive_days is None or not 0 <= e.inactive_days <= max_inactive_days)
    )
    evidence = {"useradd_inactive": raw, "accounts_without_limit": lax}
    problems = []
    if not raw.isdigit() or int(raw) > max_inactive_days:
        problems.append(f"useradd INACTIVE is {raw}, expected 0 to {max_inactive_days}")
    if lax:
        problems.append(f"{len(lax)} accounts with a password have no inactivity limit within it")
    if problems:
        return failed("; ".join(problems), **evidence)
    return passed(f"accounts are disabled {raw} days after their password expires", **evidence)


def accounts_system_accounts_no_shell(facts: Facts, allowed_accounts: list[str]) -> Result:
    """Passes when no system account other than the allowed ones has a login shell."""
    assert facts.authentication is not None
    raw = facts.authentication.login_defs.get("UID_MIN", "1000")
    uid_min = int(raw) if raw.isdigit() else 1000
    shells = {
        u.name: u.shell or "/bin/sh"
        for u in _accounts(facts).users
        if (u.uid < uid_min or u.uid == 65534)
        and u.name not in allowed_accounts
        and (u.shell or "/bin/sh") not in NO_LOGIN_SHELLS
    }
    if shells:
        return failed(
            f"{len(shells)} system accounts have a login shell", accounts=shells, uid_min=uid_min
        )
    return passed("system accounts have no login shell", accounts={}, uid_min=uid_min)


def _problem(path: str, seen: FileMode, max_mode: str, owners: set[str], groups: set[str]) -> str:
    """Why a file is too open ("" when it is fine)."""
    extra = seen.bits & ~int(max_mode, 8) & 0o7777
    problems = [
        f"mode {seen.mode} (max {max_mode})" if extra else "",
        f"owner {seen.owner}" if seen.owner not in owners else "",
        f"group {seen.group}" if seen.group not in groups else "",
    ]
    return f"{path}: " + ", ".join(p for p in problems if p) if any(problems) else ""


def _check_files(facts: Facts, limits: dict[str, str], groups: set[str], required: str) -> Result:
    """Passes when each existing path of `limits` is within its max mode, owned by root."""
    assert facts.file_permissions is not None
    files = facts.file_permissions.files
    present = {path: files[path] for path in limits if path in files}
    if required and required not in present:
        return failed(f"{required} does not exist", files={})
    evidence = {path: f"{f.mode} {f.owner}:{f.group}" for path, f in present.items()}
    problems = [_problem(p, f, limits[p], {"root"}, groups) for p, f in present.items()]
    if any(problems):
        return failed("; ".join(p for p in problems if p), files=evidence)
    return passed(f"{', '.join(present)} restricted", files=evidence)


def accounts_shadow_permissions_restricted(facts: Facts, max_mode: str) -> Result:
    """Passes when /etc/shadow and /etc/gshadow (and backups) are root:shadow, max_mode at most."""
    paths = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-")
    return _check_files(facts, dict.fromkeys(paths, max_mode), {"root", "shadow"}, "/etc/shadow")


def accounts_passwd_permissions_restricted(facts: Facts, max_mode: str) -> Result:
    """Passes when /etc/passwd and /etc/group (and backups) are root:root, max_mode at most."""
    paths = ("/etc/passwd", "/etc/passwd-", "/etc/group", "/etc/group-")
    return _check_files(facts, dict.fromkeys(paths, max_mode), {"root"}, "/etc/passwd")


def accounts_sshd_config_permissions_restricted(facts: Facts, max_mode: str) -> Result:
    """Passes when sshd_config and sshd_config.d/*.conf are root:root, max_mode at most."""
    assert facts.file_permissions is not None
    paths = [
        p
        for p in facts.file_permissions.files
        if p == "/etc/ssh/sshd_config" or p.startswith("/etc/ssh/sshd_config.d/")
    ]
    if "/etc/ssh/sshd_config" not in paths:
        return not_applicable("there is no /etc/ssh/sshd_config")
    return _check_files(facts, dict.fromkeys(paths, max_mode), {"root"}, "")


def accounts_crontab_permissions_restricted(
    facts: Facts, max_file_mode: str, max_dir_mode: str
) -> Result:
    """Passes when /etc/crontab and the /etc/cron.* directories are root's alone."""
    assert facts.file_permissions is not None
    limits = {"/etc/crontab": max_file_mode, **dict.fromkeys(CRON_DIRS, max_dir_mode)}
    if not set(limits) & set(facts.file_permissions.files):
        return not_applicable("no system crontab (cron is not installed)")
    return _check_files(facts, limits, {"root"}, "")


def accounts_home_directories_protected(facts: Facts, max_mode: str) -> Result:
    """Passes when every user's home directory is owned by them and within max_mode."""
    assert facts.file_permissions is not None
    homes = facts.file_permissions.home_directories
    if not homes:
        return not_applicable("no user account has a home directory")
    problems = [_problem(h.path, h, max_mode, {h.user}, {h.group}) for h in homes]
    evidence = {h.path: f"{h.mode} {h.owner}:{h.group}" for h in homes}
    if any(problems):
        return failed("; ".join(p for p in problems if p), homes=evidence)
    return passed(f"{len(homes)} home directories protected", homes=evidence)
