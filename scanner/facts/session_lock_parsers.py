"""Pure parsers for the session lock fact: TMOUT lines of shell startup files, gsettings
output, dconf profile and lock files, KDE's kscreenlockerrc."""

from __future__ import annotations

import re

from pydantic import BaseModel

GNOME_SCHEMAS = ("org.gnome.desktop.session", "org.gnome.desktop.screensaver")
GNOME_KEYS = ("idle-delay", "lock-enabled", "lock-delay", "idle-activation-enabled")
_LEADING_KEYWORDS = {"then", "do", "else", "{", "(", "!"}
_DECLARE = {"export", "readonly", "declare", "typeset", "local"}


class TmoutSetting(BaseModel):
    """One statement that sets or flags TMOUT: `readonly TMOUT=900; export TMOUT` gives two."""

    file: str
    line: int
    value: int | None  # seconds; None: no value here, or not a plain number (`${TMOUT:-900}`)
    raw: str  # the value as written ("" when none)
    readonly: bool
    exported: bool


def _statements(line: str) -> list[list[str]]:
    code = re.split(r"(?:^|\s)#", line, maxsplit=1)[0]
    return [part.split() for part in re.split(r";|&&|\|\|", code) if part.split()]


def parse_tmout(path: str, text: str) -> list[TmoutSetting]:
    """The TMOUT statements of one shell file, read as the shell would (no evaluation)."""
    found = []
    for number, line in enumerate(text.splitlines()[:20_000], start=1):
        if "TMOUT" not in line or not line.replace("\t", " ").isprintable():
            continue
        for words in _statements(line):
            while words and words[0] in _LEADING_KEYWORDS:
                words = words[1:]
            if not words:
                continue
            command, flags, args = words[0], "", words
            if command in _DECLARE:
                flags = {"export": "x", "readonly": "r"}.get(command, "")
                args = words[1:]
                flags += "".join(a[1:] for a in args if a.startswith("-"))
            for arg in args:
                name, sep, raw = arg.partition("=")
                if name != "TMOUT" or (arg is words[0] and not sep):
                    continue
                raw = raw.strip("'\"")
                found.append(
                    TmoutSetting(
                        file=path,
                        line=number,
                        value=int(raw) if raw.isdigit() and len(raw) < 10 else None,
                        raw=raw,
                        readonly="r" in flags,
                        exported="x" in flags,
                    )
                )
    return found


def parse_gsettings(text: str) -> dict[str, str]:
    """The screen lock keys of `gsettings list-recursively` (`schema key value` lines)."""
    settings = {}
    for line in text.splitlines()[:50_000]:
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[0] not in GNOME_SCHEMAS or parts[1] not in GNOME_KEYS:
            continue
        if parts[2].isprintable() and len(parts[2]) < 200:
            settings[parts[1]] = parts[2].strip()
    return settings


def parse_dconf_locks(files: dict[str, str]) -> list[str]:
    """Keys locked in the system databases that /etc/dconf/profile/user makes users read."""
    profile = files.get("/etc/dconf/profile/user", "")
    databases = {
        line.split(":", 1)[1].strip()
        for line in profile.splitlines()
        if line.strip().startswith("system-db:")
    }
    locked = []
    for path, text in files.items():
        match = re.fullmatch(r"/etc/dconf/db/([^/]+)\.d/locks/[^/]+", path)
        if not match or match.group(1) not in databases:
            continue
        for line in text.splitlines()[:10_000]:
            key = line.strip()
            if key.startswith("/") and key.isprintable() and key not in locked:
                locked.append(key)
    return locked


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def parse_kde_screenlocker(text: str) -> dict[str, object]:
    """Autolock, Timeout, LockGrace of the [Daemon] group, and whether it is immutable ([$i])."""
    group, immutable, values = "", False, {}
    for raw in text.splitlines()[:10_000]:
        line = raw.strip()
        if line == "[$i]" and not group:
            immutable = True  # the whole file is immutable
        elif line.startswith("["):
            group = line
            if line.startswith("[Daemon]") and line.endswith("[$i]"):
                immutable = True
        elif group.startswith("[Daemon]") and "=" in line:
            key, _, value = line.partition("=")
            values[key.split("[", 1)[0].strip()] = value.strip()
    return {
        "autolock": values.get("Autolock"),
        "timeout_minutes": _int(values.get("Timeout")),
        "lock_grace_seconds": _int(values.get("LockGrace")),
        "immutable": immutable,
    }
