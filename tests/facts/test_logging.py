"""Logging fact parsers against recorded outputs (auditctl on RHEL 6/7 from insights-core, the
Debian 12 dev machine's auditd/rsyslog/journald defaults), written edge cases, hostile input,
and the snippets run for real on this machine."""

from __future__ import annotations

import pytest

from scanner.facts.base import CollectionError
from scanner.facts.logging import FACT, parse
from scanner.facts.logging_audit import (
    parse_audit_rule,
    parse_auditctl_status,
    parse_loaded_rules,
    parse_rules_files,
)
from scanner.facts.logging_syslog import (
    parse_forwarding,
    parse_journald_storage,
    parse_log_files,
)


def test_auditctl_status_recorded(recorded) -> None:
    rhel7 = parse_auditctl_status(recorded("logging/rhel7_auditctl_s.txt"))
    assert (rhel7.enabled, rhel7.pid, rhel7.failure, rhel7.lost, rhel7.backlog_limit) == (
        1, 947, 1, 0, 320,
    )  # fmt: skip
    rhel6 = parse_auditctl_status(recorded("logging/rhel6_auditctl_s.txt"))
    assert (rhel6.enabled, rhel6.pid, rhel6.lost, rhel6.backlog_limit) == (1, 1483, 3, 8192)
    debian = parse_auditctl_status(recorded("logging/debian12_auditctl_s.txt"))
    assert (debian.enabled, debian.pid, debian.backlog_limit) == (0, 0, 64)


def test_auditctl_rules_recorded(recorded) -> None:
    assert parse_loaded_rules(recorded("logging/rhel_auditctl_l_no_rules.txt")) == []
    assert parse_loaded_rules(recorded("logging/debian12_auditctl_l.txt")) == []
    rules = parse_loaded_rules(recorded("logging/rhel_auditctl_l_rules_excerpt.txt"))
    assert len(rules) == 9  # the blank line is skipped
    watch = rules[0]
    assert (watch.kind, watch.paths, watch.perms, watch.key) == (
        "watch", ["/etc/selinux"], "wa", "MAC-policy",
    )  # fmt: skip
    chown = rules[-1]
    assert (chown.kind, chown.action, chown.syscalls, chown.key) == (
        "syscall", "always,exit", ["chown"], "access",
    )  # fmt: skip
    assert chown.fields == ["arch=b64", "exit=-EPERM", "auid>=1000", "auid!=-1"]


def test_rules_files_recorded_debian_default(recorded) -> None:
    rules, files = parse_rules_files(recorded("logging/debian12_default_rules_files.txt"))
    assert files == ["/etc/audit/rules.d/audit.rules"]  # audit.rules is built from rules.d
    assert [rule.text for rule in rules] == ["-D", "-b 8192", "--backlog_wait_time 60000", "-f 1"]
    assert {rule.kind for rule in rules} == {"control"}


def test_rules_files_without_rules_d() -> None:
    rules, files = parse_rules_files("/etc/audit/audit.rules:-w /etc/passwd -p wa\n")
    assert files == ["/etc/audit/audit.rules"]
    assert rules[0].paths == ["/etc/passwd"]


def test_audit_rule_shapes() -> None:
    rule = parse_audit_rule("-a always,exit -F arch=b64 -S execve -C uid!=euid -F euid=0 -k priv")
    assert rule is not None
    assert (rule.syscalls, rule.compare, rule.fields, rule.key) == (
        ["execve"], ["uid!=euid"], ["arch=b64", "euid=0"], "priv",
    )  # fmt: skip
    rule = parse_audit_rule("-a exit,always -S adjtimex -S settimeofday,clock_settime")
    assert rule is not None and rule.syscalls == ["adjtimex", "settimeofday", "clock_settime"]
    rule = parse_audit_rule("-a always,exit -F dir=/etc/sudoers.d/ -F perm=wa -F key=scope")
    assert rule is not None and (rule.paths, rule.perms) == (["/etc/sudoers.d/"], "wa")
    assert parse_audit_rule("-e 2") is not None
    assert parse_audit_rule("-x unknown option") is None
    assert parse_audit_rule("## a comment") is None


def test_journald_recorded_debian_default(recorded) -> None:
    assert parse_journald_storage(recorded("logging/debian12_journald.txt")) == ("auto", None, True)


def test_journald_dropins_override_main_file() -> None:
    text = (
        "/etc/systemd/journald.conf:Storage=volatile\n"
        "/usr/lib/systemd/journald.conf.d/50-vendor.conf:Storage=none\n"
        "/etc/systemd/journald.conf.d/50-vendor.conf:Storage=persistent\n"
        "/run/systemd/journald.conf.d/90-late.conf:Storage=auto\n"
        "/srv/elsewhere.conf:Storage=none\n"
    )
    assert parse_journald_storage(text) == (
        "auto", "/run/systemd/journald.conf.d/90-late.conf", False,
    )  # fmt: skip


def test_forwarding_recorded_debian_default(recorded) -> None:
    assert parse_forwarding(recorded("logging/debian12_forwarding.txt")) == ([], "0640")


def test_forwarding_written_shapes() -> None:
    text = (
        'rsyslog_action\t/etc/rsyslog.d/a.conf\t action(type="omfwd" Target="10.0.0.9"'
        ' Port="514" Protocol="TCP")\n'
        'rsyslog_action\t/etc/rsyslog.d/b.conf\t action(type="omrelp" target="relp.example.org")\n'
        'rsyslog_action\t/etc/rsyslog.d/c.conf\t action(type="omfile" file="/var/log/x")\n'
        "rsyslog_line\t/etc/rsyslog.conf\t$ActionQueueType LinkedList\n"
        "rsyslog_line\t/etc/rsyslog.conf\tmail.* user@example.org\n"
        "journal_upload\t/etc/systemd/journal-upload.conf\tURL=http://collector\n"
    )
    forwarders, mode = parse_forwarding(text)
    assert [(f.daemon, f.target, f.protocol) for f in forwarders] == [
        ("rsyslog", "10.0.0.9:514", "tcp"),
        ("rsyslog", "relp.example.org", "relp"),
        ("systemd-journal-upload", "collector", "http"),
    ]
    assert mode is None


def test_log_files_recorded(recorded) -> None:
    files = parse_log_files(recorded("logging/debian12_log_files.txt"))
    assert {f.path: f.mode for f in files} == {
        "/var/log/fontconfig.log": "0644",
        "/var/log/faillog": "0644",
        "/var/log/lastlog": "0664",
        "/var/log/alternatives.log": "0644",
        "/var/log/apt/eipp.log.xz": "0644",
        "/var/log/apt/history.log": "0644",
        "/var/log/dpkg.log": "0644",
        "/var/log/wtmp": "0664",
    }
    assert files[2].group == "utmp"


def test_hostile_input() -> None:
    junk = "\x00\xff\x1b[31m<script>alert(1)</script>\n" * 3
    with pytest.raises(CollectionError, match="no enabled/pid"):
        parse_auditctl_status(junk)
    assert parse_loaded_rules(junk) == []
    assert parse_rules_files(junk) == ([], [])
    assert parse_forwarding(junk + "rsyslog_line\tf\t*.* @@\x00evil\n") == ([], None)
    assert parse_log_files(junk + "644 root root /var/log/\x00x\n") == []
    assert parse_journald_storage(junk) == ("auto", None, False)
    with pytest.raises(CollectionError, match="more than 2 MB"):
        parse_loaded_rules("-w /etc/passwd -p wa\n" * 200_000)
    with pytest.raises(CollectionError, match="larger than 1 MB"):
        parse_log_files("644 root root /var/log/x\n" * 100_000)


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """Parsed as root, with unit states where systemd runs, else the reason they are unknown."""
    outputs = on_this_machine(FACT)
    for key, output in outputs.items():
        assert output.rc in {0, 1, 77, 127}, (key, output.stderr)
    try:
        facts = parse(outputs)
    except CollectionError as exc:  # not root
        assert "needs root" in exc.message, exc.message
        return
    assert facts.journald_storage in {"auto", "persistent", "volatile", "none"}
    assert (facts.units is None) == (facts.units_unreadable is not None)
