"""pyinfra deploys of the SSH rules, one per rule id, twins of the Ansible tasks files
roles/hygie_linux/tasks/<rule_id>.yml: the same marked blocks at the top of sshd_config,
validated with sshd -t before they replace it, then sshd reloaded."""

from __future__ import annotations

import json
import shlex

from hygie_ops import ROLE, refuse, session, sshd_block
from pyinfra import host
from pyinfra.api import deploy
from pyinfra.facts.server import Command


@deploy("ssh_root_login_disabled")
def ssh_root_login_disabled(allowed_values: list[str]) -> None:
    if session()["user"] == "root":
        refuse(name="Refuse to restrict root login while connected as root",
               reason=f"this connection logs in as root; setting PermitRootLogin "
                      f"{allowed_values[0]} would lock it out. Connect as an administrator "
                      "with sudo and run the fix again.")
        return
    sshd_block(name="Disable root login over SSH", marker="hygie ssh_root_login_disabled",
               block=f"PermitRootLogin {allowed_values[0]}")


@deploy("ssh_password_authentication_disabled")
def ssh_password_authentication_disabled(keyboard_interactive_allowed: bool) -> None:
    refusal = password_refusal()
    if refusal:
        refuse(name="Refuse to turn off SSH passwords that the connecting user may need",
               reason=f"{refusal}; turning password logins off could lock "
                      f"{session()['user']} out. Install a key for every SSH user, connect "
                      "with it, and run the fix again.")
        return
    block = "PasswordAuthentication no\n"
    if not keyboard_interactive_allowed:
        block += "KbdInteractiveAuthentication no\n"
    sshd_block(name="Turn off SSH password authentication",
               marker="hygie ssh_password_authentication_disabled", block=block)


def password_refusal() -> str:
    """Why turning passwords off could lock out the connecting user ('' when it cannot)."""
    if host.data.get("ssh_password"):
        return "the inventory gives a password for this host"
    current = session()
    script = (ROLE / "files" / "ssh_login_methods.sh").read_text()
    args = f"{shlex.quote(current['user'])} {shlex.quote(current['client'])}"
    output = host.get_fact(Command, command=f"sh -s {args} "
                                            f"<<'HYGIE_EOF'\n{script}\nHYGIE_EOF")
    login = json.loads(output)
    if login["method"] in ("password", "keyboard-interactive"):
        return f"sshd logged this session as a {login['method']} login"
    if int(login["keys"]) == 0 and login["key_command"] == "no" and login["user_ca"] == "no":
        return f"{current['user']} has no authorized SSH key"
    return ""


@deploy("ssh_empty_passwords_disabled")
def ssh_empty_passwords_disabled() -> None:
    sshd_block(name="Refuse empty passwords over SSH", marker="hygie ssh_empty_passwords_disabled",
               block="PermitEmptyPasswords no")


@deploy("ssh_ciphers_strong")
def ssh_ciphers_strong(forbidden_ciphers: list[str]) -> None:
    sshd_block(name="Remove forbidden ciphers from the SSH server",
               marker="hygie ssh_ciphers_strong", block=f"Ciphers -{','.join(forbidden_ciphers)}")


@deploy("ssh_macs_strong")
def ssh_macs_strong(forbidden_macs: list[str]) -> None:
    sshd_block(name="Remove forbidden MACs from the SSH server", marker="hygie ssh_macs_strong",
               block=f"MACs -{','.join(forbidden_macs)}")


@deploy("ssh_kex_strong")
def ssh_kex_strong(forbidden_kex: list[str]) -> None:
    sshd_block(name="Remove forbidden key exchanges from the SSH server",
               marker="hygie ssh_kex_strong", block=f"KexAlgorithms -{','.join(forbidden_kex)}")


@deploy("ssh_max_auth_tries_limited")
def ssh_max_auth_tries_limited(max_auth_tries: int) -> None:
    sshd_block(name="Limit SSH authentication attempts", marker="hygie ssh_max_auth_tries_limited",
               block=f"MaxAuthTries {max_auth_tries}")


@deploy("ssh_x11_forwarding_disabled")
def ssh_x11_forwarding_disabled() -> None:
    sshd_block(name="Disable SSH X11 forwarding", marker="hygie ssh_x11_forwarding_disabled",
               block="X11Forwarding no")


@deploy("ssh_hostbased_authentication_disabled")
def ssh_hostbased_authentication_disabled() -> None:
    sshd_block(name="Disable SSH host-based authentication",
               marker="hygie ssh_hostbased_authentication_disabled",
               block="HostbasedAuthentication no\nIgnoreRhosts yes\n")


@deploy("ssh_login_grace_time_limited")
def ssh_login_grace_time_limited(max_login_grace_time_s: int) -> None:
    sshd_block(name="Limit the SSH login grace time", marker="hygie ssh_login_grace_time_limited",
               block=f"LoginGraceTime {max_login_grace_time_s}")


@deploy("ssh_idle_timeout_configured")
def ssh_idle_timeout_configured(max_idle_s: int) -> None:
    interval = max(min(300, max_idle_s // 3), 1)
    sshd_block(name="End SSH sessions whose client stopped answering",
               marker="hygie ssh_idle_timeout_configured",
               block=f"ClientAliveInterval {interval}\nClientAliveCountMax 3\n")


@deploy("ssh_log_level_sufficient")
def ssh_log_level_sufficient(allowed_log_levels: list[str]) -> None:
    level = "VERBOSE" if "VERBOSE" in allowed_log_levels else allowed_log_levels[0]
    sshd_block(name="Log SSH logins", marker="hygie ssh_log_level_sufficient",
               block=f"LogLevel {level}")
