"""Pure parsers of the removable_media fact's outputs: modprobe.d lines, USBGuard policy,
dconf keyfiles and locks, block devices and mounts (see removable_media.py for the commands)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from scanner.facts.base import CollectionError

MAX_OUTPUT = 500_000
# modprobe reads /etc before /run before /usr/local/lib before /usr/lib: a file of the same
# name in an earlier directory hides the later one (/lib is /usr/lib on merged-/usr systems).
_MODPROBE_DIRS = ["/etc/", "/run/", "/usr/local/lib/", "/usr/lib/", "/lib/"]
_DIRECTIVE = re.compile(r"^\s*(install|blacklist)\s+usb[-_]storage(?:\s+(.{0,300}))?$")
_MEDIA_KEY = re.compile(r"^\s*(automount|automount-open|autorun-never)\s*=\s*(\S{1,20})\s*$")
_MEDIA_SECTION = "[org/gnome/desktop/media-handling]"
_LOCK = re.compile(
    r"^\s*/org/gnome/desktop/media-handling/(automount|automount-open|autorun-never)\s*$"
)
_DB_FILE = re.compile(r"^/etc/dconf/db/([A-Za-z0-9_.-]{1,64})\.d/(locks/)?[^/\t]{1,255}$")
_PARTITION = re.compile(r"^(.*\d)p\d+$|^(\D+)\d+$")
REMOVABLE_PREFIXES = ("/media/", "/run/media/")


class ModprobeDirective(BaseModel):
    file: str
    directive: Literal["install", "blacklist"]
    argument: str  # for install: the command run instead of loading the module


class GnomeSetting(BaseModel):
    key: str  # automount, automount-open, autorun-never (org.gnome.desktop.media-handling)
    value: str | None  # from the first system database of the user profile that sets it
    locked: bool  # a lock file of a database in the profile names the key


class MountEntry(BaseModel):
    origin: Literal["fstab", "mounted"]
    source: str
    mountpoint: str
    fstype: str
    options: list[str]


def _checked(text: str, what: str) -> str:
    if len(text) > MAX_OUTPUT:
        raise CollectionError(f"{what} printed more than 500 kB")
    return text


def parse_modprobe(text: str) -> list[ModprobeDirective]:
    """Effective usb-storage lines from `grep -H` over modprobe.d (same-name files hidden)."""
    kept: dict[str, tuple[int, str, list[ModprobeDirective]]] = {}  # name -> (rank, path, lines)
    for line in _checked(text, "modprobe.d").splitlines():
        path, sep, content = line.partition(":")
        match = _DIRECTIVE.match(content)
        rank = next((i for i, d in enumerate(_MODPROBE_DIRS) if path.startswith(d)), None)
        if not sep or not match or rank is None or not content.isprintable():
            continue
        directive: Literal["install", "blacklist"] = (
            "install" if match.group(1) == "install" else "blacklist"
        )
        entry = ModprobeDirective(
            file=path, directive=directive, argument=(match.group(2) or "").strip()
        )
        name = path.rsplit("/", 1)[-1]
        known = kept.get(name)
        if known is None or rank < known[0]:
            kept[name] = (rank, path, [entry])
        elif known[1] == path:
            known[2].append(entry)
    return [entry for name in sorted(kept) for entry in kept[name][2]]


def parse_kernel_module(text: str) -> bool:
    """Whether /sys/module/usb_storage exists (`present` / `absent`)."""
    word = text.strip()
    if word not in {"present", "absent"}:
        raise CollectionError("unexpected output while looking for /sys/module/usb_storage")
    return word == "present"


def parse_usbguard_policy(text: str) -> str | None:
    """The last ImplicitPolicyTarget value (allow, block, reject), or None when unset."""
    value = None
    for line in _checked(text, "usbguard-daemon.conf").splitlines():
        key, sep, rest = line.partition("=")
        if sep and key.strip() == "ImplicitPolicyTarget" and rest.strip().isalpha():
            value = rest.strip()[:20]
    return value


def parse_dconf(text: str) -> tuple[bool, list[GnomeSetting]]:
    """(GNOME installed, media-handling settings of the databases the user profile reads)."""
    gnome, databases = False, []
    values: dict[str, dict[str, tuple[str, str]]] = {}  # db -> key -> (file, value)
    locks: set[tuple[str, str]] = set()
    for line in _checked(text, "dconf").splitlines():
        if line.startswith("gnome "):
            gnome = True
        elif line.startswith("/etc/dconf/profile/user:"):
            name = line.split(":", 1)[1].strip().removeprefix("system-db:").strip()
            if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name):
                databases.append(name)
        elif line.startswith("key\t") and line.count("\t") == 3:
            _, path, section, content = line.split("\t")
            db = _DB_FILE.match(path)
            if not db:
                continue
            if db.group(2):
                lock = _LOCK.match(content)
                if lock:
                    locks.add((db.group(1), lock.group(1)))
                continue
            setting = _MEDIA_KEY.match(content)
            if setting and section.strip() == _MEDIA_SECTION:
                known = values.setdefault(db.group(1), {}).get(setting.group(1))
                if known is None or path >= known[0]:  # dconf reads keyfiles in name order
                    values[db.group(1)][setting.group(1)] = (path, setting.group(2))
    settings = []
    for key in ("automount", "automount-open", "autorun-never"):
        value = next((values[db][key][1] for db in databases if key in values.get(db, {})), None)
        locked = any((db, key) in locks for db in databases)
        settings.append(GnomeSetting(key=key, value=value, locked=locked))
    return gnome, settings


def _disk_of(device: str) -> str:
    match = _PARTITION.match(device)
    return (match.group(1) or match.group(2)) if match else device


def parse_mounts(text: str) -> tuple[list[str], list[MountEntry]]:
    """(removable or USB block devices, fstab entries and mounts of them or under /media)."""
    removable: list[str] = []
    entries: list[tuple[Literal["fstab", "mounted"], list[str]]] = []
    for line in _checked(text, "mounts").splitlines():
        fields = line.split()
        if not line.isprintable():
            continue
        if len(fields) == 4 and fields[0] == "device":
            if fields[2] == "1" or fields[3] == "usb":
                removable.append(fields[1])
        elif len(fields) == 5 and fields[0] in {"fstab", "mounted"}:
            entries.append(("fstab" if fields[0] == "fstab" else "mounted", fields[1:]))
    mounts = []
    for origin, (source, mountpoint, fstype, options) in entries:
        device = source.removeprefix("/dev/")
        on_removable = source.startswith("/dev/") and (
            device in removable or _disk_of(device) in removable
        )
        if on_removable or mountpoint.startswith(REMOVABLE_PREFIXES):
            mounts.append(
                MountEntry(
                    origin=origin,
                    source=source,
                    mountpoint=mountpoint,
                    fstype=fstype,
                    options=options.split(","),
                )
            )
    return removable, mounts
