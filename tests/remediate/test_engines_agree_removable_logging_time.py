"""The removable media, logging and time deploys write the same bytes as their Ansible twins:
each file-writing task of the role (its real content template) runs through ansible-playbook
locally into scratch files, beside the text the pyinfra deploy computes, with the catalog's
parameters and with other values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.remediate.engines import DEFAULTS, area_deploys, role_task, run_playbook, scratch_task

media, logs, clock = (area_deploys(a) for a in ("removable_media", "logging", "time"))
OTHER = {
    "hygie_linux_removable_media_usb_storage_blocked_blocking_commands": ["/bin/true"],
    "hygie_linux_logging_audit_rules_identity_watched_paths": ["/etc/passwd"],
    "hygie_linux_logging_audit_rules_privileged_commands_commands": [
        "/usr/bin/sudo",
        "/usr/bin/pkexec",
    ],
    "hygie_linux_logging_audit_rules_admin_actions_watched_paths": ["/etc/sudoers.d"],
    "hygie_linux_logging_audit_rules_admin_actions_syscall_groups": {"modules": ["init_module"]},
    "hygie_linux_logging_remote_forwarding_collector": "logs.example.org",
    "hygie_linux_time_sources_configured_ntp_servers": [
        "ntp1.example.org",
        "10.0.0.1",
        "ntp3.example.org",
    ],
}
# the parameters whose default is none (their fixes are refused then)
NEEDED = {
    "hygie_linux_logging_remote_forwarding_collector": "10.1.2.3:6514",
    "hygie_linux_time_sources_configured_ntp_servers": ["a.example", "b.example"],
}
CASES: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    (
        "removable_media_usb_storage_blocked",
        "Stop the usb-storage driver from loading",
        lambda v: media.usb_storage_text(
            v["hygie_linux_removable_media_usb_storage_blocked_blocking_commands"][0]
        ),
    ),
    (
        "removable_media_automount_disabled",
        "Turn off media automount and autorun for every user",
        lambda v: media.DCONF_FILES["/etc/dconf/db/local.d/00-hygie-media-handling"],
    ),
    (
        "removable_media_automount_disabled",
        "Lock the media automount and autorun settings",
        lambda v: media.DCONF_FILES["/etc/dconf/db/local.d/locks/00-hygie-media-handling"],
    ),
    (
        "removable_media_automount_disabled",
        "Create the dconf profile of users when missing",
        lambda v: media.dconf_profile_text(None),
    ),
    (
        "logging_audit_rules_identity",
        "Audit changes to accounts and groups",
        lambda v: logs.identity_rules(v["hygie_linux_logging_audit_rules_identity_watched_paths"]),
    ),
    (
        "logging_audit_rules_privileged_commands",
        "Audit the use of privileged commands",
        lambda v: logs.privileged_rules(
            v["hygie_linux_logging_audit_rules_privileged_commands_commands"]
        ),
    ),
    (
        "logging_audit_rules_admin_actions",
        "Audit administration actions",
        lambda v: logs.admin_rules(
            v["hygie_linux_logging_audit_rules_admin_actions_watched_paths"],
            v["hygie_linux_logging_audit_rules_admin_actions_syscall_groups"],
        ),
    ),
    (
        "logging_journald_persistent",
        "Keep the system journal on disk",
        lambda v: logs.JOURNALD_TEXT,
    ),
    (
        "logging_remote_forwarding",
        "Send a copy of every message to the collector",
        lambda v: logs.forwarding_text(v["hygie_linux_logging_remote_forwarding_collector"]),
    ),
    (
        "time_sources_configured",
        "List the profile's NTP servers for chrony",
        lambda v: clock.chrony_sources_text(v["hygie_linux_time_sources_configured_ntp_servers"]),
    ),
    (
        "time_sources_configured",
        "List the profile's NTP servers for systemd-timesyncd",
        lambda v: clock.timesyncd_text(v["hygie_linux_time_sources_configured_ntp_servers"]),
    ),
]
RSYSLOG_CONF = (
    '#  /etc/rsyslog.conf\nmodule(load="imuxsock")\n$FileOwner root\n'
    "  $FileCreateMode 0644\n$DirCreateMode 0755\n$FileCreateMode 0666 # again\n"
    "*.* /var/log/syslog\n"
)
PROFILES = {"user-db:user\n": "", "user-db:user": "", "user-db:user\nsystem-db:local\n": ""}


def test_config_files_match_ansible(tmp_path: Path) -> None:
    expected, play_tasks = {}, []
    for index, (rule_id, title, render) in enumerate(CASES):
        for label, values in (
            ("defaults", {**DEFAULTS, **NEEDED}),
            ("other", {**DEFAULTS, **OTHER}),
        ):
            # set_fact of time_sources_configured.yml: the servers the copy tasks read
            variables = {
                **values,
                "hygie_linux_time_servers": values[
                    "hygie_linux_time_sources_configured_ntp_servers"
                ],
            }
            dest = tmp_path / f"{index}-{label}"
            play_tasks.append(scratch_task(rule_id, title, dest, variables))
            expected[dest] = render(values)
    run_playbook(tmp_path, play_tasks)
    for dest, text in expected.items():
        assert dest.read_text() == text, dest.name


def test_rsyslog_create_mode_and_dconf_profile_match_ansible(tmp_path: Path) -> None:
    mode = DEFAULTS["hygie_linux_logging_files_protected_max_file_create_mode"]
    replaced, added = tmp_path / "replaced.conf", tmp_path / "added.conf"
    without = RSYSLOG_CONF.replace("  $FileCreateMode 0644\n", "").replace(
        "$FileCreateMode 0666 # again\n", ""
    )
    replaced.write_text(RSYSLOG_CONF)
    added.write_text(without)
    replace = role_task(
        "logging_files_protected", "Create rsyslog files no more open than the profile allows"
    )
    insert = role_task(
        "logging_files_protected", "Set rsyslog's file creation mode at the top of rsyslog.conf"
    )
    variables = {"hygie_linux_logging_files_protected_max_file_create_mode": mode}
    replace_args = {k: v for k, v in replace["ansible.builtin.replace"].items() if k != "validate"}
    insert_args = {k: v for k, v in insert["ansible.builtin.lineinfile"].items() if k != "validate"}
    line = role_task(
        "removable_media_automount_disabled",
        'Read the system database "local" in the dconf profile of users',
    )
    line_args = line["ansible.builtin.lineinfile"]
    profiles = {tmp_path / f"profile{i}": text for i, text in enumerate(PROFILES)}
    for path, text in profiles.items():
        path.write_text(text)
    run_playbook(
        tmp_path,
        [
            {"ansible.builtin.replace": {**replace_args, "path": str(replaced)}, "vars": variables},
            {"ansible.builtin.lineinfile": {**insert_args, "path": str(added)}, "vars": variables},
            *({"ansible.builtin.lineinfile": {**line_args, "path": str(p)}} for p in profiles),
        ],
    )
    assert replaced.read_text() == logs.create_mode_text(RSYSLOG_CONF, mode, missing=False)
    assert "$FileCreateMode 0644" not in replaced.read_text()
    assert added.read_text() == logs.create_mode_text(without, mode, missing=True)
    assert logs.create_mode_text(added.read_text(), mode, missing=True) == added.read_text()
    for path, text in profiles.items():
        assert path.read_text() == media.dconf_profile_text(text), path.name
