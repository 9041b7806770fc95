"""pyinfra deploys of the logging rules, twins of roles/hygie_linux/tasks/logging_*.yml: auditd
installed, enabled and started (refused in a container), audit rules files loaded with
augenrules, the journal kept on disk, logs forwarded to the profile's collector (refused
without one), log files closed to other users and rsyslog's file creation mode narrowed."""

from __future__ import annotations

import re
import shlex

from hygie_config import config_file, role_script, unit_enabled
from hygie_ops import ExactText, Lines, note, refuse, replace_file, unified, unit_on
from pyinfra import host
from pyinfra.api import deploy, operation
from pyinfra.facts.files import File
from pyinfra.operations import apt

AUDIT_RULES = "/etc/audit/rules.d"
LOAD_AUDIT_RULES = ("if auditctl -s 2>/dev/null | grep -q '^enabled 1'; then augenrules --load; "
                    "else augenrules; fi")
JOURNALD_DROPIN = "/etc/systemd/journald.conf.d/zz-hygie-persistent.conf"
JOURNALD_TEXT = ("# Hygie logging_journald_persistent (named to be read last: the last Storage= "
                 "wins)\n[Journal]\nStorage=persistent\n")
FORWARDING = "/etc/rsyslog.d/90-hygie-remote.conf"
RSYSLOGD_CHECK = "/usr/sbin/rsyslogd -N1 -f {}"
CREATE_MODE = re.compile(r"^([ \t]*)\$FileCreateMode[ \t]+[0-7]+", re.MULTILINE)


def identity_rules(watched_paths: list[str]) -> str:
    return ("# Hygie logging_audit_rules_identity: writes to the account and group files\n"
            + "".join(f"-w {path} -p wa -k identity\n" for path in watched_paths))


def privileged_rules(commands: list[str]) -> str:
    return ("# Hygie logging_audit_rules_privileged_commands: commands run with another user's "
            "rights\n"
            + "".join(f"-a always,exit -F arch={arch} -S execve -C uid!=euid -F euid=0 "
                      "-k privileged\n" for arch in ("b64", "b32"))
            + "".join(f"-a always,exit -F path={command} -F perm=x -F auid>=1000 "
                      "-F auid!=unset -k privileged\n" for command in commands))


def admin_rules(watched_paths: list[str], syscall_groups: dict[str, list[str]]) -> str:
    return ("# Hygie logging_audit_rules_admin_actions: sudoers changes, kernel modules, clock "
            "changes\n"
            + "".join(f"-w {path} -p wa -k scope\n" for path in watched_paths)
            + "".join(f"-a always,exit -F arch={arch} -S {','.join(calls)} -k {group}\n"
                      for group, calls in syscall_groups.items() for arch in ("b64", "b32")))


def forwarding_text(collector: str) -> str:
    target, port = collector, "514"
    if re.search(r":[0-9]+$", collector):
        target, port = collector.rsplit(":", 1)
    return ("# Hygie logging_remote_forwarding: every message to the collector over TCP, queued\n"
            "# (in memory, then on disk) while the collector cannot be reached\n"
            f'*.* action(type="omfwd" target="{target}" port="{port}" protocol="tcp" '
            'action.resumeRetryCount="-1" queue.type="LinkedList" queue.filename="hygie-remote" '
            'queue.maxDiskSpace="256m" queue.saveOnShutdown="on")\n')


def create_mode_text(text: str, mode: str, missing: bool) -> str:
    """rsyslog config text with its $FileCreateMode lines set to `mode` (Ansible's replace), or
    one added at the top (lineinfile insertbefore BOF) when no file sets one."""
    if missing:
        line = f"$FileCreateMode {mode}"
        return text if line in text.splitlines() else f"{line}\n{text}"
    return CREATE_MODE.sub(lambda m: f"{m.group(1)}$FileCreateMode {mode}", text)


def _auditd() -> None:
    apt.packages(name="Install the audit daemon", packages=["auditd"])


def _in_container() -> str:
    found = host.get_fact(Lines, script="systemd-detect-virt --container || true") or []
    return "" if not found or found[0].strip() == "none" else found[0].strip()


@deploy("logging_auditd_installed")
def logging_auditd_installed() -> None:
    _auditd()


@deploy("logging_auditd_enabled")
def logging_auditd_enabled() -> None:
    _auditd()
    unit_enabled(name="Start the audit daemon at boot", unit="auditd.service")


@deploy("logging_auditd_running")
def logging_auditd_running() -> None:
    container = _in_container()
    if container:
        refuse(name="Refuse to start auditd in a container",
               reason=f"this host is a container ({container}); the kernel takes audit "
                      "requests from its initial namespaces only, so auditd cannot run here. "
                      "Audit the host that runs the container.")
        return
    _auditd()
    unit_on(name="Start the audit daemon now and at boot", unit="auditd.service")


def _audit_rules(title: str, file: str, content: str) -> None:
    _auditd()
    config_file(name=title, path=f"{AUDIT_RULES}/{file}", content=content, mode=640,
                then=LOAD_AUDIT_RULES)


@deploy("logging_audit_rules_identity")
def logging_audit_rules_identity(watched_paths: list[str]) -> None:
    _audit_rules("Audit changes to accounts and groups", "50-hygie-identity.rules",
                 identity_rules(watched_paths))


@deploy("logging_audit_rules_privileged_commands")
def logging_audit_rules_privileged_commands(commands: list[str]) -> None:
    _audit_rules("Audit the use of privileged commands", "50-hygie-privileged.rules",
                 privileged_rules(commands))


@deploy("logging_audit_rules_admin_actions")
def logging_audit_rules_admin_actions(watched_paths: list[str],
                                      syscall_groups: dict[str, list[str]]) -> None:
    _audit_rules("Audit administration actions", "50-hygie-admin.rules",
                 admin_rules(watched_paths, syscall_groups))


@deploy("logging_journald_persistent")
def logging_journald_persistent() -> None:
    config_file(name="Keep the system journal on disk", path=JOURNALD_DROPIN,
                content=JOURNALD_TEXT, then="systemctl restart systemd-journald.service")


@deploy("logging_remote_forwarding")
def logging_remote_forwarding(collector: str | None) -> None:
    if not collector:
        refuse(name="Refuse to forward logs without a collector",
               reason="the profile names no log collector. Set the parameter collector of "
                      'logging_remote_forwarding ("host:port") in a tailoring file, or '
                      "configure forwarding by hand.")
        return
    if host.get_fact(File, path="/usr/sbin/syslog-ng"):
        refuse(name="Refuse to replace syslog-ng",
               reason="syslog-ng is this host's log daemon and Hygie configures rsyslog only. "
                      "Add a network() destination for the collector to syslog-ng by hand.")
        return
    apt.packages(name="Install rsyslog", packages=["rsyslog"])
    config_file(name="Send a copy of every message to the collector", path=FORWARDING,
                content=forwarding_text(collector), check=RSYSLOGD_CHECK,
                then="systemctl restart rsyslog.service")
    unit_on(name="Run rsyslog now and at boot", unit="rsyslog.service")


@operation()
def log_file_modes(changes: list[str]):
    """chmod each `MODE PATH` the probe printed (o-rwx, or o-w for allowed login records)."""
    if not changes:
        host.noop("no log file is open to other users")
        return
    note("\n".join(f"chmod {change}" for change in changes))
    for change in changes:
        mode, path = change.split(" ", 1)
        yield f"chmod {mode} {shlex.quote(path)}"


@operation()
def rsyslog_create_mode(files: list[str], missing: bool, mode: str):
    """Narrow rsyslog's $FileCreateMode (each file checked with rsyslogd -N1), then restart."""
    changed = []
    for path in files or (["/etc/rsyslog.conf"] if missing else []):
        current = host.get_fact(ExactText, path=path) or ""
        wanted = create_mode_text(current, mode, missing)
        if wanted != current:
            changed.append(unified(current, wanted, path))
            yield from replace_file(path, wanted, RSYSLOGD_CHECK)
    if not changed:
        host.noop(f"rsyslog creates files {mode} at most")
        return
    note("".join(changed))
    yield "systemctl restart rsyslog.service"


@deploy("logging_files_protected")
def logging_files_protected(world_readable_allowed: list[str], max_file_create_mode: str) -> None:
    found = role_script("log_files_exposed.sh", max_file_create_mode, *world_readable_allowed)
    log_file_modes(name="Take other users' rights off the log files",
                   changes=[line for line in found if line.startswith("o-")])
    files = [line.split(" ", 1)[1] for line in found if line.startswith("create_mode ")]
    if files or "create_mode_missing" in found:
        rsyslog_create_mode(name="Create rsyslog files no more open than the profile allows",
                            files=files, missing="create_mode_missing" in found,
                            mode=max_file_create_mode)
