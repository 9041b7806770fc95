"""Pure parsers for the authentication fact: PAM stacks, key=value and login.defs files,
`authselect current`."""

from __future__ import annotations

import re

from pydantic import BaseModel

_PAM_TYPES = {"auth", "account", "password", "session"}
_KEY_VALUE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{0,63})\s*(?:=\s*(.{0,4096}?))?\s*$")
_LOGIN_DEFS = re.compile(r"^([A-Z_][A-Z0-9_]{0,63})\s+(\S.{0,4095}?)\s*$")


class PamEntry(BaseModel):
    """One line of a PAM stack file: `password requisite pam_pwquality.so retry=3`."""

    file: str
    type: str  # auth | account | password | session ("-" prefix of optional lines dropped)
    control: str  # "requisite", "[success=1 default=ignore]"
    module: str  # file name of the module: "pam_pwquality.so"
    arguments: list[str]


def _logical_lines(text: str) -> list[str]:
    """Lines with comments removed and backslash continuations joined."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.replace("\t", " ").split("#", 1)[0].rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line and line.isprintable():
            lines.append(line)
    return lines


def parse_pam_file(path: str, text: str) -> list[PamEntry]:
    """The module lines of one PAM file; `@include` and unparseable lines are skipped."""
    entries = []
    for line in _logical_lines(text):
        match = re.match(r"^(-?)(\w+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$", line)
        if not match or match.group(2).lower() not in _PAM_TYPES:
            continue
        entries.append(
            PamEntry(
                file=path,
                type=match.group(2).lower(),
                control=" ".join(match.group(3).split()),
                module=match.group(4).rsplit("/", 1)[-1],
                arguments=_pam_arguments(match.group(5)),
            )
        )
    return entries


def _pam_arguments(text: str) -> list[str]:
    """PAM arguments; `[a b]` brackets keep spaces together as one argument."""
    return [a.strip() for a in re.findall(r"\S*\[[^\]]*\]\S*|\S+", text) if a.strip()]


def parse_key_value(text: str) -> dict[str, str]:
    """`name = value` and bare `flag` lines (pwquality.conf, faillock.conf); flags map to ""."""
    settings: dict[str, str] = {}
    for line in _logical_lines(text):
        match = _KEY_VALUE.match(line)
        if match:
            settings[match.group(1).lower()] = (match.group(2) or "").strip()
    return settings


def parse_login_defs(text: str) -> dict[str, str]:
    """`KEY value` lines of /etc/login.defs; the last value of a repeated key wins."""
    settings: dict[str, str] = {}
    for line in _logical_lines(text):
        match = _LOGIN_DEFS.match(line)
        if match:
            settings[match.group(1)] = match.group(2)
    return settings


def parse_authselect_current(text: str) -> tuple[str | None, list[str]]:
    """(profile id, enabled features) from `authselect current`; (None, []) when unconfigured."""
    profile = None
    features = []
    for line in text.splitlines()[:200]:
        line = line.strip()
        if line.startswith("Profile ID:"):
            profile = line.split(":", 1)[1].strip() or None
        elif line.startswith("- ") and profile:
            features.append(line[2:].strip())
    return profile, features
