"""Authentication facts: the PAM stacks, password quality, lockout and login.defs settings.

Example: {"pam": [{"file": "/etc/pam.d/common-password", "type": "password",
"control": "requisite", "module": "pam_pwquality.so", "arguments": ["retry=3"]}, …],
"pwquality": {"minlen": "14"}, "faillock": {"deny": "5"}, "login_defs": {"PASS_MAX_DAYS": "365"}}
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from scanner.facts.authentication_files import dump_files_snippet, read_dumped
from scanner.facts.authentication_parsers import (
    PamEntry,
    parse_authselect_current,
    parse_key_value,
    parse_login_defs,
    parse_pam_file,
)
from scanner.facts.base import CollectionError, CommandOutput, Fact

# The stacks every service includes: Debian/Ubuntu common-*, RHEL system-auth/password-auth.
PAM_STACKS = (
    "/etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/common-password"
    " /etc/pam.d/system-auth /etc/pam.d/password-auth"
)
# libpwquality reads pwquality.conf.d/*.conf (sorted) first, then pwquality.conf.
PWQUALITY_FILES = "/etc/security/pwquality.conf.d/*.conf /etc/security/pwquality.conf"


class AuthenticationFacts(BaseModel):
    pam_files: list[str]  # stack files found, in the order read
    pam: list[PamEntry]  # their module lines, in order
    pwquality_files: list[str]
    pwquality: dict[str, str]  # merged settings of the files (PAM arguments not merged)
    faillock_conf: dict[str, str] | None  # /etc/security/faillock.conf; None: no such file
    login_defs: dict[str, str]  # /etc/login.defs KEY value (empty when the file is absent)
    authselect_profile: str | None  # RHEL: `authselect current`; None: absent or unconfigured
    authselect_features: list[str]


def parse(outputs: Mapping[str, CommandOutput]) -> AuthenticationFacts:
    stacks = read_dumped(outputs.get("pam_stacks"), "the PAM stacks")
    pam = [entry for path, text in stacks.items() for entry in parse_pam_file(path, text)]
    pwquality_files = read_dumped(outputs.get("pwquality"), "pwquality.conf")
    pwquality: dict[str, str] = {}
    for text in pwquality_files.values():
        pwquality.update(parse_key_value(text))
    faillock = read_dumped(outputs.get("faillock"), "faillock.conf")
    login_defs = read_dumped(outputs.get("login_defs"), "/etc/login.defs")
    profile, features = None, []
    authselect = outputs.get("authselect")
    if authselect is not None and not authselect.missing:
        unconfigured = "No existing configuration detected" in authselect.stdout
        if authselect.rc != 0 and not unconfigured:
            raise CollectionError(
                f"authselect current exited with {authselect.rc}", authselect.stdout[-2000:]
            )
        profile, features = parse_authselect_current(authselect.stdout)
    return AuthenticationFacts(
        pam_files=list(stacks),
        pam=pam,
        pwquality_files=list(pwquality_files),
        pwquality=pwquality,
        faillock_conf=(
            parse_key_value(faillock["/etc/security/faillock.conf"]) if faillock else None
        ),
        login_defs=parse_login_defs(login_defs.get("/etc/login.defs", "")),
        authselect_profile=profile,
        authselect_features=features,
    )


FACT = Fact(
    name="authentication",
    linux={
        "pam_stacks": dump_files_snippet(PAM_STACKS),
        "pwquality": dump_files_snippet(PWQUALITY_FILES),
        "faillock": dump_files_snippet("/etc/security/faillock.conf"),
        "login_defs": dump_files_snippet("/etc/login.defs"),
        "authselect": (
            # its complaint when unconfigured goes to stderr on some releases: keep it with stdout
            "command -v authselect >/dev/null 2>&1 || exit 127\nexec authselect current 2>&1"
        ),
    },
    parse=parse,
)
