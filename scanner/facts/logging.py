"""Logging facts: auditd and its rules, journald storage, log forwarding, /var/log exposure.

Example: {"auditd_installed": true, "units": {"auditd.service": {"enabled": "enabled", "active":
"active"}}, "kernel_audit": {"enabled": 1, "pid": 947}, "journald_storage": "persistent", …}
Needs root: /etc/audit is readable by root only, and auditctl talks to the kernel as root.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.logging_audit import (
    AuditRule,
    AuditStatus,
    parse_auditctl_status,
    parse_loaded_rules,
    parse_rules_files,
)
from scanner.facts.logging_syslog import (
    LogFile,
    LogForwarder,
    parse_forwarding,
    parse_journald_storage,
    parse_log_files,
)
from scanner.facts.logging_systemd import UnitState, unit_states, units_snippet

NEEDS_ROOT = 77  # the snippets' exit code for "run me as root"
LOG_UNITS = "auditd.service rsyslog.service syslog-ng.service systemd-journal-upload.service"


class LoggingFacts(BaseModel):
    auditd_installed: bool
    units: dict[str, UnitState] | None  # the installed ones among LOG_UNITS; None: unknown
    units_unreadable: str | None = None  # why units is None: "systemd is not running …"
    unit_files: dict[str, str] | None = None  # when units is None: unit -> unit file state
    kernel_audit: AuditStatus | None  # `auditctl -s`; None when not installed or unreadable
    kernel_audit_unreadable: str | None  # why the kernel refused (e.g. inside a container)
    loaded_rules: list[AuditRule] | None  # `auditctl -l`; None when it could not be read
    configured_rules: list[AuditRule]  # /etc/audit/rules.d/*.rules (else audit.rules)
    configured_rules_files: list[str]
    journald_storage: str  # effective Storage= ("auto" when unset)
    journald_storage_file: str | None
    journal_directory_exists: bool  # /var/log/journal (Storage=auto then keeps logs on disk)
    forwarders: list[LogForwarder]
    rsyslog_file_create_mode: str | None  # last $FileCreateMode / fileCreateMode, "0640"
    exposed_log_files: list[LogFile]  # world-readable or -writable files under /var/log


def _auditctl(out: CommandOutput | None, name: str) -> tuple[str | None, str | None]:
    """(stdout, None) when auditctl answered; (None, reason) when the kernel refused it."""
    if out is None:
        raise CollectionError(f"{name}: no output")
    if out.rc == NEEDS_ROOT:
        raise CollectionError("auditctl needs root: scan as root or with become", out.stderr)
    if out.rc != 0:
        reason = out.stderr.strip().splitlines()[-1][:200] if out.stderr.strip() else ""
        return None, f"auditctl exited with {out.rc}" + (f": {reason}" if reason else "")
    return out.stdout, None


def parse(outputs: Mapping[str, CommandOutput]) -> LoggingFacts:
    status_out = outputs.get("auditctl_status")
    installed = status_out is not None and not status_out.missing
    kernel_audit: AuditStatus | None = None
    unreadable: str | None = None
    loaded: list[AuditRule] | None = None
    configured: list[AuditRule] = []
    files: list[str] = []
    if installed:
        status_text, unreadable = _auditctl(status_out, "auditctl_status")
        kernel_audit = parse_auditctl_status(status_text) if status_text is not None else None
        rules_text, _ = _auditctl(outputs.get("auditctl_rules"), "auditctl_rules")
        loaded = parse_loaded_rules(rules_text) if rules_text is not None else None
        configured, files = parse_rules_files(require(outputs, "audit_rules_files").stdout)
    elif (rules_files := outputs.get("audit_rules_files")) and rules_files.rc == NEEDS_ROOT:
        raise CollectionError("reading /etc/audit needs root: scan as root or with become")
    units = unit_states(outputs, "units")
    storage, storage_file, journal_dir = parse_journald_storage(require(outputs, "journald").stdout)
    forwarders, file_mode = parse_forwarding(require(outputs, "forwarding").stdout)
    return LoggingFacts(
        auditd_installed=installed,
        units=units.states,
        units_unreadable=units.unreadable,
        unit_files=units.unit_files,
        kernel_audit=kernel_audit,
        kernel_audit_unreadable=unreadable,
        loaded_rules=loaded,
        configured_rules=configured,
        configured_rules_files=files,
        journald_storage=storage,
        journald_storage_file=storage_file,
        journal_directory_exists=journal_dir,
        forwarders=forwarders,
        rsyslog_file_create_mode=file_mode,
        exposed_log_files=parse_log_files(require(outputs, "log_files").stdout),
    )


_AUDITCTL = r"""
a=$(command -v auditctl) || { [ -x /sbin/auditctl ] && a=/sbin/auditctl; } || exit 127
[ "$(id -u)" = 0 ] || { echo "auditctl needs root" >&2; exit 77; }
"""
_AUDIT_RULES_FILES = r"""
[ -d /etc/audit ] || exit 127
[ "$(id -u)" = 0 ] || { echo "reading /etc/audit needs root" >&2; exit 77; }
for f in /etc/audit/rules.d/*.rules /etc/audit/audit.rules; do
  [ -f "$f" ] && grep -H -v -E '^[[:space:]]*(#|$)' "$f"
done | head -n 5000
exit 0
"""
_JOURNALD = r"""
for f in /etc/systemd/journald.conf /usr/lib/systemd/journald.conf.d/*.conf \
  /usr/local/lib/systemd/journald.conf.d/*.conf /run/systemd/journald.conf.d/*.conf \
  /etc/systemd/journald.conf.d/*.conf; do
  [ -f "$f" ] && grep -H -E '^[[:space:]]*Storage[[:space:]]*=' "$f"
done
[ -d /var/log/journal ] && echo "journal_dir /var/log/journal"
exit 0
"""
# Only forwarding statements and file-mode lines are printed: other actions (ommysql …) can
# hold passwords. A URL's user:password@ is cut before it leaves the host.
_FORWARDING = r"""
for f in /etc/rsyslog.conf /etc/rsyslog.d/*.conf; do
  [ -f "$f" ] || continue
  awk -v f="$f" '
    /^[[:space:]]*#/ { next }
    st != "" || /action[[:space:]]*\(/ {
      st = st " " $0
      if ($0 ~ /\)/) {
        if (tolower(st) ~ /omfwd|omrelp/) print "rsyslog_action\t" f "\t" st
        st = ""
      }
      next
    }
    /[[:space:]]@/ || tolower($0) ~ /filecreatemode/ { print "rsyslog_line\t" f "\t" $0 }' "$f"
done
for f in /etc/syslog-ng/syslog-ng.conf /etc/syslog-ng/conf.d/*.conf; do
  [ -f "$f" ] || continue
  awk -v f="$f" '
    /^[[:space:]]*#/ { next }
    st != "" || /^[[:space:]]*destination[[:space:]]/ {
      st = st " " $0
      if ($0 ~ /};/) { print "syslogng_destination\t" f "\t" st; st = "" }
    }' "$f"
done
for f in /etc/systemd/journal-upload.conf /etc/systemd/journal-upload.conf.d/*.conf; do
  [ -f "$f" ] || continue
  grep -E '^[[:space:]]*URL[[:space:]]*=' "$f" |
    sed -e 's|//[^/@]*@|//|' -e "s|^|journal_upload\t$f\t|"
done
exit 0
"""
_LOG_FILES = r"""
[ -d /var/log ] || exit 0
find /var/log -xdev -type d ! \( -readable -executable \) -printf 'unreadable %p\n' -quit
find /var/log -xdev -type f -perm /o+rw -printf '%m %u %g %p\n' 2>/dev/null | head -n 500
exit 0
"""

FACT = Fact(
    name="logging",
    linux={
        "auditctl_status": _AUDITCTL + 'exec "$a" -s',
        "auditctl_rules": _AUDITCTL + 'exec "$a" -l',
        "audit_rules_files": _AUDIT_RULES_FILES,
        "units": units_snippet(LOG_UNITS.split()),
        "journald": _JOURNALD,
        "forwarding": _FORWARDING,
        "log_files": _LOG_FILES,
    },
    parse=parse,
)
