"""pyinfra deploys of the account rules, twins of roles/hygie_linux/tasks/accounts_*.yml: root's
password locked, sudo logging (a sudoers.d file checked with visudo), inactivity limits, no
shell for system accounts, and modes that only shrink on the files that guard accounts."""

from __future__ import annotations

import shlex

from hygie_accounts_ops import (
    NOLOGIN,
    exact_file,
    line_in_file,
    probed_commands,
    sudo_logging,
    sudo_works,
    user,
)
from pyinfra.api import deploy

CHOWN_CHMOD = {"*": "chown {2}:{3} {0} && chmod {1} {0}"}


def _restrict(title: str, max_mode: str, groups: str, paths: str) -> None:
    probed_commands(
        name=title,
        words=["modes", shlex.quote(max_mode), groups, paths],
        commands=CHOWN_CHMOD,
        describe=f"{paths} within {max_mode}",
    )


@deploy("accounts_root_password_locked")
def accounts_root_password_locked() -> None:
    sudo = "yes" if sudo_works() else "no"
    probed_commands(
        name="Lock root's password",
        words=["root", user(), sudo],
        commands={"pwconv": "pwconv", "lock": "usermod -L {1}"},
        describe="root has no usable password",
    )


@deploy("accounts_sudo_logged")
def accounts_sudo_logged(require_logfile: bool) -> None:
    exact_file(
        name="Make sudo use a pseudo-terminal and log commands",
        path="/etc/sudoers.d/zz_hygie_sudo_logging",
        content=sudo_logging(require_logfile),
        mode="0440",
        check="/usr/sbin/visudo -cf {}",
    )


@deploy("accounts_inactive_locked")
def accounts_inactive_locked(max_inactive_days: int) -> None:
    days = int(max_inactive_days)
    line_in_file(
        name="Disable new accounts after password inactivity",
        path="/etc/default/useradd",
        regexp=r"^\s*#?\s*INACTIVE=",
        line=f"INACTIVE={days}",
    )
    probed_commands(
        name="Disable existing accounts after password inactivity",
        words=["inactive", str(days)],
        commands={"*": f"usermod -f {days} {{0}}"},
        describe="every password account has an inactivity limit",
    )


@deploy("accounts_system_accounts_no_shell")
def accounts_system_accounts_no_shell(allowed_accounts: list[str]) -> None:
    probed_commands(
        name="Give system accounts no login shell",
        words=["shells", shlex.quote(",".join(allowed_accounts)), user()],
        commands={"*": f"usermod -s {NOLOGIN} {{0}}"},
        describe="system accounts have no login shell",
    )


@deploy("accounts_shadow_permissions_restricted")
def accounts_shadow_permissions_restricted(max_mode: str) -> None:
    _restrict(
        "Restrict the password hash files",
        max_mode,
        "shadow,root",
        "/etc/shadow /etc/shadow- /etc/gshadow /etc/gshadow-",
    )


@deploy("accounts_passwd_permissions_restricted")
def accounts_passwd_permissions_restricted(max_mode: str) -> None:
    _restrict(
        "Restrict the account databases",
        max_mode,
        "root",
        "/etc/passwd /etc/passwd- /etc/group /etc/group-",
    )


@deploy("accounts_sshd_config_permissions_restricted")
def accounts_sshd_config_permissions_restricted(max_mode: str) -> None:
    _restrict(
        "Make the SSH server configuration private to root",
        max_mode,
        "root",
        "/etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf",
    )


@deploy("accounts_crontab_permissions_restricted")
def accounts_crontab_permissions_restricted(max_file_mode: str, max_dir_mode: str) -> None:
    _restrict("Make the system crontab private to root", max_file_mode, "root", "/etc/crontab")
    _restrict(
        "Make the system cron directories private to root",
        max_dir_mode,
        "root",
        "/etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly",
    )


@deploy("accounts_home_directories_protected")
def accounts_home_directories_protected(max_mode: str) -> None:
    probed_commands(
        name="Close home directories to other users",
        words=["homes", shlex.quote(max_mode)],
        commands={"*": "chmod {1} {0}"},
        describe=f"home directories within {max_mode}",
    )
