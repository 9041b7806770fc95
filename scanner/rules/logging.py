"""Checks of the traceability rules: auditd and its rules, journald, forwarding, log files."""

from __future__ import annotations

from fnmatch import fnmatchcase

from scanner.facts import Facts
from scanner.facts.logging import LoggingFacts
from scanner.facts.logging_audit import AuditRule
from scanner.facts.logging_systemd import STATE_UNKNOWN, installed
from scanner.models import Result
from scanner.rules.outcome import error, failed, manual, passed

NOT_INSTALLED = "auditd is not installed"
FORWARDER_UNITS = {
    "rsyslog": "rsyslog.service",
    "syslog-ng": "syslog-ng.service",
    "systemd-journal-upload": "systemd-journal-upload.service",
}
RSYSLOG_DEFAULT_FILE_MODE = "0644"  # rsyslog's own default when $FileCreateMode is not set
ESCALATION_COMPARES = {"uid!=euid", "euid!=uid", "gid!=egid", "egid!=gid"}


def _logging(facts: Facts) -> LoggingFacts:
    assert facts.logging is not None  # the engine never calls a check without its facts
    return facts.logging


def _unknown(log: LoggingFacts) -> str:
    return f"{STATE_UNKNOWN}: {log.units_unreadable}"


def _rules(log: LoggingFacts) -> tuple[list[AuditRule], str]:
    """The rules in force: loaded ones when the kernel answered, else the configured ones."""
    if log.loaded_rules is not None:
        return log.loaded_rules, "auditctl -l"
    return log.configured_rules, ", ".join(log.configured_rules_files) or "no rules file"


def _canonical(path: str) -> str:
    for short, merged in (("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/")):
        path = merged + path[len(short) :] if path.startswith(short) else path
    return path.rstrip("/") or "/"


def _watched(rules: list[AuditRule], path: str, perm: str) -> bool:
    """A rule records `perm` (w or x) access to `path` or to a directory above it."""
    target = _canonical(path)
    for rule in rules:
        if rule.kind == "control" or "never" in rule.action:
            continue
        if perm not in rule.perms and (rule.perms or rule.kind == "syscall"):
            continue  # other permissions; or a path rule filtered by syscalls instead of perm=
        if any(target == w or target.startswith(w + "/") for w in map(_canonical, rule.paths)):
            return True
    return False


def _audited_syscalls(rules: list[AuditRule]) -> set[str]:
    return {
        name
        for rule in rules
        if rule.kind == "syscall" and "always" in rule.action and "never" not in rule.action
        for name in rule.syscalls
    }


def _escalation_rule(rules: list[AuditRule]) -> AuditRule | None:
    """An execve rule for commands run with another user's rights (or as root)."""
    for rule in rules:
        if "execve" not in rule.syscalls or "always" not in rule.action or "never" in rule.action:
            continue
        if ESCALATION_COMPARES & set(rule.compare) or "euid=0" in rule.fields:
            return rule
    return None


def logging_auditd_installed(facts: Facts) -> Result:
    """Passes when auditd (auditctl and /etc/audit) is installed."""
    if _logging(facts).auditd_installed:
        return passed("auditd is installed")
    return failed(NOT_INSTALLED)


def logging_auditd_enabled(facts: Facts) -> Result:
    """Passes when auditd.service is enabled at boot. Without systemd: manual, as for
    firewall_enabled_at_boot (another init's boot configuration is not read by Hygie)."""
    log = _logging(facts)
    if log.units is None:
        if not log.auditd_installed:
            return failed(NOT_INSTALLED)
        return manual(
            f"{_unknown(log)}: check how auditd is started at boot", unit_files=log.unit_files
        )
    unit = log.units.get("auditd.service")
    if unit is None:
        return failed(NOT_INSTALLED)
    if unit.enabled_at_boot:
        return passed("auditd.service is enabled", enabled=unit.enabled)
    return failed(f"auditd.service is {unit.enabled or 'not enabled'}", enabled=unit.enabled)


def logging_auditd_running(facts: Facts) -> Result:
    """Passes when auditd.service is active and the kernel audits, with auditd receiving.
    Without systemd: fails when the kernel audits to no daemon, else error (the pid it reports
    may be another audit daemon's, or a container host's auditd)."""
    log = _logging(facts)
    unit = (log.units or {}).get("auditd.service")
    if not log.auditd_installed or (log.units is not None and unit is None):
        return failed(NOT_INSTALLED)
    if unit is not None and not unit.running:
        return failed(f"auditd.service is {unit.active}", active=unit.active)
    if log.kernel_audit is None:
        return error(
            "the kernel's audit status could not be read", reason=log.kernel_audit_unreadable
        )
    status = {"enabled": log.kernel_audit.enabled, "pid": log.kernel_audit.pid}
    if status["enabled"] not in (1, 2) or status["pid"] <= 0:
        return failed("the kernel is not auditing to auditd", **status)
    if unit is None:
        return error(f"{_unknown(log)}: is pid {status['pid']} this host's auditd?", **status)
    return passed(f"auditd (pid {status['pid']}) receives the kernel's audit events", **status)


def logging_audit_rules_identity(facts: Facts, watched_paths: list[str]) -> Result:
    """Passes when every account and group file is watched for writes."""
    log = _logging(facts)
    if not log.auditd_installed:
        return failed(NOT_INSTALLED)
    rules, source = _rules(log)
    unwatched = [path for path in watched_paths if not _watched(rules, path, "w")]
    if unwatched:
        return failed(f"not audited: {', '.join(unwatched)}", unwatched=unwatched, source=source)
    return passed(f"{len(watched_paths)} account files audited", source=source)


def logging_audit_rules_privileged_commands(facts: Facts, commands: list[str]) -> Result:
    """Passes when execve under another user's rights, or each listed command, is audited."""
    log = _logging(facts)
    if not log.auditd_installed:
        return failed(NOT_INSTALLED)
    rules, source = _rules(log)
    escalation = _escalation_rule(rules)
    if escalation is not None:
        return passed("execve with elevated rights is audited", rule=escalation.text, source=source)
    unwatched = [command for command in commands if not _watched(rules, command, "x")]
    if unwatched:
        return failed(f"not audited: {', '.join(unwatched)}", unwatched=unwatched, source=source)
    return passed(f"{', '.join(commands)} executions are audited", source=source)


def logging_audit_rules_admin_actions(
    facts: Facts, watched_paths: list[str], syscall_groups: dict[str, list[str]]
) -> Result:
    """Passes when the sudoers files are watched and each syscall group is audited."""
    log = _logging(facts)
    if not log.auditd_installed:
        return failed(NOT_INSTALLED)
    rules, source = _rules(log)
    audited = _audited_syscalls(rules)
    missing = [path for path in watched_paths if not _watched(rules, path, "w")]
    missing += [group for group, names in syscall_groups.items() if not audited & set(names)]
    if missing:
        return failed(f"not audited: {', '.join(missing)}", missing=missing, source=source)
    return passed(
        "sudoers changes and " + ", ".join(syscall_groups) + " are audited", source=source
    )


def logging_journald_persistent(facts: Facts) -> Result:
    """Passes when journald keeps the journal on disk."""
    log = _logging(facts)
    evidence = {
        "storage": log.journald_storage,
        "set_in": log.journald_storage_file,
        "var_log_journal": log.journal_directory_exists,
    }
    if log.journald_storage == "persistent" or (
        log.journald_storage == "auto" and log.journal_directory_exists
    ):
        return passed(f"Storage={log.journald_storage}, journal kept on disk", **evidence)
    return failed(f"Storage={log.journald_storage}: the journal is not kept on disk", **evidence)


def _host_of(target: str) -> str:
    host, sep, port = target.rpartition(":")
    return host if sep and port.isdigit() else target


def logging_remote_forwarding(facts: Facts, collector: str | None) -> Result:
    """Passes when a running, enabled log daemon forwards logs to a remote collector (to the
    profile's `collector` host when it names one). Without systemd: error when forwarding is
    configured (whether its daemon runs is unknown)."""
    log = _logging(facts)
    seen = [f"{f.daemon} -> {f.target} ({f.protocol})" for f in log.forwarders]
    forwarders = [
        f for f in log.forwarders if not collector or _host_of(f.target) == _host_of(collector)
    ]
    if seen and not forwarders:
        return failed(f"logs are not forwarded to the collector {collector}", forwarders=seen)
    if seen and log.units is None:
        return error(f"{_unknown(log)}: is the forwarding daemon running?", forwarders=seen)
    for forwarder in forwarders:
        unit = (log.units or {}).get(FORWARDER_UNITS[forwarder.daemon])
        if unit and unit.enabled_at_boot and unit.running:
            return passed(f"{forwarder.daemon} forwards to {forwarder.target}", forwarders=seen)
    if seen:
        return failed(
            "forwarding is configured but its daemon is not enabled and running", forwarders=seen
        )
    return failed("no log forwarding configured", forwarders=seen)


def logging_files_protected(
    facts: Facts, world_readable_allowed: list[str], max_file_create_mode: str
) -> Result:
    """Passes when no log file is world-writable or needlessly world-readable, and rsyslog
    creates files no more open than the limit. Without systemd, rsyslog's unit file tells whether
    it is installed; error only when nothing does and its default mode alone is in doubt."""
    log = _logging(facts)
    exposed = {
        f.path: f.mode
        for f in log.exposed_log_files
        if int(f.mode, 8) & 0o002
        or not any(fnmatchcase(f.path, pattern) for pattern in world_readable_allowed)
    }
    evidence: dict[str, object] = {"exposed": exposed}
    problems = [f"{len(exposed)} log file(s) open to all users"] if exposed else []
    rsyslog = installed(log.units, log.unit_files, "rsyslog.service")
    if rsyslog or (rsyslog is None and log.rsyslog_file_create_mode is not None):
        mode = log.rsyslog_file_create_mode or RSYSLOG_DEFAULT_FILE_MODE
        evidence["rsyslog_file_create_mode"] = mode
        if int(mode, 8) & ~int(max_file_create_mode, 8):
            problems.append(f"rsyslog creates files {mode}, more than {max_file_create_mode}")
    if problems:
        return failed("; ".join(problems), **evidence)
    if rsyslog is None and log.rsyslog_file_create_mode is None:
        return error(f"{_unknown(log)}: is rsyslog installed, with its 0644 default?", **evidence)
    return passed("log files are not open to all users", **evidence)
