"""Session lock facts: the shell idle timeout (TMOUT) and the desktops' screen lock settings.

Example: {"tmout": [{"file": "/etc/profile.d/tmout.sh", "value": 900, "readonly": true,
"exported": true}], "desktops": ["gnome"], "gnome": {"idle-delay": "uint32 300",
"lock-enabled": "true", "lock-delay": "uint32 0"}, "gnome_locked_keys": [...], "kde": null}
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from scanner.facts.authentication_files import dump_files_snippet, read_dumped
from scanner.facts.base import CommandOutput, Fact, require
from scanner.facts.session_lock_parsers import (
    TmoutSetting,
    parse_dconf_locks,
    parse_gsettings,
    parse_kde_screenlocker,
    parse_tmout,
)

SHELL_STARTUP = "/etc/profile /etc/profile.d/*.sh /etc/bash.bashrc /etc/bashrc"
DESKTOP_BINARIES = {
    "gnome": "/usr/bin/gnome-shell",
    "kde": "/usr/bin/plasmashell",
    "xfce": "/usr/bin/xfce4-session",
    "cinnamon": "/usr/bin/cinnamon-session",
    "mate": "/usr/bin/mate-session",
    "lxqt": "/usr/bin/lxqt-session",
}


class KdeScreenLocker(BaseModel):
    """[Daemon] group of /etc/xdg/kscreenlockerrc (system defaults for every user)."""

    autolock: str | None  # "true"/"false"; None: not set (KDE default true)
    timeout_minutes: int | None  # None: not set (KDE default 5)
    lock_grace_seconds: int | None  # None: not set (KDE default 5)
    immutable: bool  # [Daemon][$i]: users cannot change these settings


class SessionLockFacts(BaseModel):
    tmout: list[TmoutSetting]  # every TMOUT line of the shell startup files, in order
    desktops: list[str]  # "gnome", "kde", "xfce", … installed (their session binary exists)
    gnome: dict[str, str]  # key -> value as gsettings prints it for a user without own settings
    gnome_locked_keys: list[str]  # dconf paths locked in a system db the user profile reads
    kde: KdeScreenLocker | None  # None: no /etc/xdg/kscreenlockerrc


def parse(outputs: Mapping[str, CommandOutput]) -> SessionLockFacts:
    startup = read_dumped(outputs.get("shell_startup"), "the shell startup files")
    tmout = [setting for path, text in startup.items() for setting in parse_tmout(path, text)]
    desktops = [
        line.strip()
        for line in require(outputs, "desktops").stdout.splitlines()
        if line.strip() in DESKTOP_BINARIES
    ]
    gsettings = outputs.get("gsettings")
    gnome = {}
    if gsettings is not None and not gsettings.missing:
        gnome = parse_gsettings(require(outputs, "gsettings").stdout)
    dconf = read_dumped(outputs.get("dconf"), "the dconf profile and locks")
    kde = read_dumped(outputs.get("kde"), "kscreenlockerrc")
    return SessionLockFacts(
        tmout=tmout,
        desktops=desktops,
        gnome=gnome,
        gnome_locked_keys=parse_dconf_locks(dconf),
        kde=KdeScreenLocker(**parse_kde_screenlocker(kde["/etc/xdg/kscreenlockerrc"]))
        if "/etc/xdg/kscreenlockerrc" in kde
        else None,
    )


_DETECT = "\n".join(f"[ -x {path} ] && echo {name}" for name, path in DESKTOP_BINARIES.items())

FACT = Fact(
    name="session_lock",
    linux={
        "shell_startup": dump_files_snippet(SHELL_STARTUP),
        "desktops": _DETECT + "\nexit 0",
        # What a user without own settings gets: the schema defaults and the system dconf
        # databases. The user database and dconf's runtime files point to a path that cannot
        # exist, so the scan neither reads root's own settings nor creates files.
        "gsettings": (
            "command -v gsettings >/dev/null 2>&1 || exit 127\n"
            "export XDG_CONFIG_HOME=/proc/hygie-none XDG_RUNTIME_DIR=/proc/hygie-none"
            " HOME=/proc/hygie-none\n"
            "for s in org.gnome.desktop.session org.gnome.desktop.screensaver; do\n"
            '  gsettings list-recursively "$s" 2>/dev/null | head -n 200\n'
            "done\n"
            "exit 0"
        ),
        "dconf": dump_files_snippet("/etc/dconf/profile/user /etc/dconf/db/*.d/locks/*"),
        "kde": dump_files_snippet("/etc/xdg/kscreenlockerrc"),
    },
    parse=parse,
)
