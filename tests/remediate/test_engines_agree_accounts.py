"""The session lock, passwords and accounts deploys write the same bytes as their Ansible twins:
each copy and lineinfile task of the role runs through ansible-playbook locally on scratch
files, beside the text the pyinfra deploy computes, with the catalog's parameters and others.
Plus the guards both engines share: sudoers files checked with visudo, one probe script."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.remediate.engines import DEFAULTS, pyinfra_module, run_playbook, scratch_task
from tests.remediate.playbook_files import PYINFRA, ROLE, TASKS, module_of, tasks

ops = pyinfra_module("hygie_accounts_ops")

OTHER = {
    "hygie_linux_session_lock_shell_timeout_max_idle_s": 600,
    "hygie_linux_passwords_min_length_min_length": 12,
    "hygie_linux_passwords_character_classes_min_classes": 4,
    "hygie_linux_accounts_sudo_logged_require_logfile": False,
}
Values = dict[str, Any]
COPIES: list[tuple[str, str, Callable[[Values], str]]] = [
    (
        "session_lock_shell_timeout",
        "Close idle login shells",
        lambda v: ops.tmout_script(v["hygie_linux_session_lock_shell_timeout_max_idle_s"]),
    ),
    (
        "passwords_min_length",
        "Require a minimum password length",
        lambda v: ops.pwquality_conf(
            "passwords_min_length", "minlen", v["hygie_linux_passwords_min_length_min_length"]
        ),
    ),
    (
        "passwords_character_classes",
        "Require several character classes in passwords",
        lambda v: ops.pwquality_conf(
            "passwords_character_classes",
            "minclass",
            v["hygie_linux_passwords_character_classes_min_classes"],
        ),
    ),
    (
        "passwords_lockout_configured",
        "Add the pam_faillock preauth and account profile",
        lambda v: ops.FAILLOCK_PROFILES["/usr/share/pam-configs/hygie-faillock-preauth"],
    ),
    (
        "passwords_lockout_configured",
        "Add the pam_faillock authfail profile",
        lambda v: ops.FAILLOCK_PROFILES["/usr/share/pam-configs/hygie-faillock"],
    ),
    (
        "accounts_sudo_logged",
        "Make sudo use a pseudo-terminal and log commands",
        lambda v: ops.sudo_logging(v["hygie_linux_accounts_sudo_logged_require_logfile"]),
    ),
]
LOGIN_DEFS = "# login.defs\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\n#PASS_MAX_DAYS 1\n"
FAILLOCK = "# Deny access if ...\n# deny = 3\n#\n# unlock_time = 600\nsilent"
USERADD = "# useradd defaults\n# INACTIVE=-1\nINACTIVE=30\nSHELL=/bin/sh\n"
LINES: list[tuple[str, str, list[str]]] = [
    ("passwords_max_age", "Give new accounts a maximum password age", [LOGIN_DEFS, "", "x"]),
    ("passwords_lockout_configured", "Set the number of failures before a lock", [FAILLOCK]),
    ("passwords_lockout_configured", "Set how long a locked account stays locked", [FAILLOCK]),
    (
        "accounts_inactive_locked",
        "Disable new accounts after password inactivity",
        [USERADD, "# none\n"],
    ),
]
PYINFRA_LINES = {  # (rule, title) -> the deploy's line_in_file arguments for the values
    ("passwords_max_age", "Give new accounts a maximum password age"): lambda v: (
        r"^\s*PASS_MAX_DAYS\s",
        f"PASS_MAX_DAYS\t{v['hygie_linux_passwords_max_age_max_days']}",
    ),
    ("passwords_lockout_configured", "Set the number of failures before a lock"): lambda v: (
        r"^\s*#?\s*deny\s*=",
        f"deny = {v['hygie_linux_passwords_lockout_configured_max_attempts']}",
    ),
    ("passwords_lockout_configured", "Set how long a locked account stays locked"): lambda v: (
        r"^\s*#?\s*unlock_time\s*=",
        f"unlock_time = {v['hygie_linux_passwords_lockout_configured_min_unlock_s']}",
    ),
    ("accounts_inactive_locked", "Disable new accounts after password inactivity"): lambda v: (
        r"^\s*#?\s*INACTIVE=",
        f"INACTIVE={v['hygie_linux_accounts_inactive_locked_max_inactive_days']}",
    ),
}


def test_written_files_match_ansible(tmp_path: Path) -> None:
    play_tasks, expected = [], {}
    for label, values in (("defaults", DEFAULTS), ("other", {**DEFAULTS, **OTHER})):
        for index, (rule_id, title, text) in enumerate(COPIES):
            dest = tmp_path / f"copy-{index}-{label}"
            play_tasks.append(scratch_task(rule_id, title, dest, values))
            expected[dest] = text(values)
        for index, (rule_id, title, samples) in enumerate(LINES):
            regexp, line = PYINFRA_LINES[(rule_id, title)](values)
            for number, sample in enumerate(samples):
                dest = tmp_path / f"line-{index}-{number}-{label}"
                dest.write_text(sample)
                play_tasks.append(scratch_task(rule_id, title, dest, values))
                expected[dest] = ops.with_line(sample, regexp, line)
    run_playbook(tmp_path, play_tasks)
    for dest, text in expected.items():
        assert dest.read_text() == text, dest.name


def test_pyinfra_probes_match_the_role_defaults() -> None:
    """The regular expressions both engines grep PAM files with are the same."""
    assert DEFAULTS["hygie_linux_pwquality_line"] == ops.PWQUALITY_LINE
    assert DEFAULTS["hygie_linux_faillock_probe"] == ops.FAILLOCK_PROBE


def test_sudoers_files_are_checked_with_visudo() -> None:
    for path in TASKS.glob("*.yml"):
        for task in tasks(path):
            module = module_of(task)
            args = task[module] if isinstance(task[module], dict) else {}
            target = str(args.get("path") or args.get("dest") or "")
            if target.startswith("/etc/sudoers"):
                assert args.get("validate") == "/usr/sbin/visudo -cf %s", task["name"]
    source = (PYINFRA / "accounts.py").read_text()
    assert 'check="/usr/sbin/visudo -cf {}"' in source


def test_both_engines_run_the_same_probe_script() -> None:
    script = ROLE / "files" / "hygie_accounts_probe.sh"
    assert script == ops.PROBE
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    for rule in (
        "accounts_home_directories_protected",
        "accounts_system_accounts_no_shell",
        "passwords_empty_absent",
        "accounts_root_password_locked",
    ):
        assert any(
            "hygie_accounts_probe.sh" in str(t.get("ansible.builtin.script", ""))
            for t in tasks(TASKS / f"{rule}.yml")
        ), rule
