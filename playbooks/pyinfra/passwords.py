"""pyinfra deploys of the password rules, twins of roles/hygie_linux/tasks/passwords_*.yml:
pam_pwquality and pam_faillock through pam-auth-update profiles, pwquality.conf.d files,
login.defs and faillock.conf lines (as lineinfile), ageing and locks through usermod/chage."""

from __future__ import annotations

from hygie_accounts_ops import (
    FAILLOCK_PROBE,
    FAILLOCK_PROFILES,
    PWQUALITY_LINE,
    exact_file,
    line_in_file,
    pam_profiles,
    probe,
    probed_commands,
    pwquality_conf,
    sudo_works,
    user,
)
from hygie_ops import refuse
from pyinfra.api import deploy
from pyinfra.operations import apt

PWQUALITY_D = "/etc/security/pwquality.conf.d"


@deploy("passwords_quality_module_enabled")
def passwords_quality_module_enabled() -> None:
    apt.packages(name="Install pam_pwquality", packages=["libpam-pwquality"])
    pam_profiles(
        name="Enable the pwquality profile (pam-auth-update)",
        profiles=["pwquality"],
        present=f"grep -qE '{PWQUALITY_LINE}' /etc/pam.d/common-password",
        verify_sudo=False,
        roll_back=False,
    )


def _pwquality_setting(rule_id: str, key: str, value: int, title: str) -> None:
    _, refusals = probe("pwquality", key)
    if refusals:
        refuse(
            name=f"Refuse to set {key} where another setting overrides it",
            reason="; ".join(refusals),
        )
        return
    exact_file(
        name=title,
        path=f"{PWQUALITY_D}/hygie_{rule_id}.conf",
        content=pwquality_conf(rule_id, key, value),
        mode="0644",
    )


@deploy("passwords_min_length")
def passwords_min_length(min_length: int) -> None:
    _pwquality_setting(
        "passwords_min_length", "minlen", min_length, "Require a minimum password length"
    )


@deploy("passwords_character_classes")
def passwords_character_classes(min_classes: int) -> None:
    _pwquality_setting(
        "passwords_character_classes",
        "minclass",
        min_classes,
        "Require several character classes in passwords",
    )


@deploy("passwords_max_age")
def passwords_max_age(max_days: int) -> None:
    line_in_file(
        name="Give new accounts a maximum password age",
        path="/etc/login.defs",
        regexp=r"^\s*PASS_MAX_DAYS\s",
        line=f"PASS_MAX_DAYS\t{int(max_days)}",
    )
    probed_commands(
        name="Give existing passwords a maximum age",
        words=["maxdays", str(int(max_days))],
        commands={"*": f"chage -M {int(max_days)} {{0}}"},
        describe="every password has a maximum age within the limit",
    )


@deploy("passwords_empty_absent")
def passwords_empty_absent() -> None:
    sudo = "yes" if sudo_works() else "no"
    probed_commands(
        name="Lock the accounts with an empty password",
        words=["empty", user(), sudo],
        commands={"pwconv": "pwconv", "lock": "usermod -L {1}"},
        describe="no account has an empty password",
    )


@deploy("passwords_lockout_configured")
def passwords_lockout_configured(max_attempts: int, min_unlock_s: int) -> None:
    conf = "/etc/security/faillock.conf"
    line_in_file(
        name="Set the number of failures before a lock",
        path=conf,
        regexp=r"^\s*#?\s*deny\s*=",
        line=f"deny = {int(max_attempts)}",
    )
    line_in_file(
        name="Set how long a locked account stays locked",
        path=conf,
        regexp=r"^\s*#?\s*unlock_time\s*=",
        line=f"unlock_time = {int(min_unlock_s)}",
    )
    for path, text in FAILLOCK_PROFILES.items():
        exact_file(
            name=f"Add the pam_faillock profile {path.rsplit('/', 1)[1]}",
            path=path,
            content=text,
            mode="0644",
        )
    pam_profiles(
        name="Enable the pam_faillock profiles (pam-auth-update)",
        profiles=["hygie-faillock-preauth", "hygie-faillock"],
        present=FAILLOCK_PROBE,
        verify_sudo=sudo_works(),
        roll_back=True,
    )
