"""Parsers of /proc/self/mountinfo, /proc/swaps, /etc/crypttab, `blkid`, `cryptsetup status`.

e.g. "cryptswap /dev/sda3 /dev/urandom swap,cipher=aes-xts-plain64"
-> CrypttabEntry(name="cryptswap", source="/dev/sda3", key_file="/dev/urandom", random_key=True)
"""

from __future__ import annotations

import re

from pydantic import BaseModel

_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")
_BLKID_LINE = re.compile(r"^(/[^:\s]+):\s(.*)$")
_BLKID_PAIR = re.compile(r'([A-Z_]+)="((?:[^"\\]|\\.)*)"')
_STATUS_HEADER = re.compile(r"^(/\S+) is (active|inactive)")
RANDOM_KEYS = {"/dev/urandom", "/dev/random", "/dev/hw_random"}


class MountEntry(BaseModel):
    majmin: str
    root: str  # the part of the filesystem mounted ("/" unless a bind mount of a sub-tree)
    mountpoint: str
    fstype: str
    source: str


class SwapEntry(BaseModel):
    path: str
    type: str  # partition | file


class CrypttabEntry(BaseModel):
    name: str  # the /dev/mapper/<name> it opens
    source: str  # device, UUID=…, PARTUUID=…
    key_file: str  # "none" = passphrase asked at boot
    options: list[str]
    random_key: bool  # a fresh random key at each boot (swap, /tmp): data unreadable after
    luks_header: bool | None = None  # `cryptsetup isLuks` on the source; None: not checked/absent


class CryptMapping(BaseModel):
    """`cryptsetup status <name>` of an open dm-crypt mapping."""

    path: str
    active: bool
    type: str | None = None  # LUKS1, LUKS2, PLAIN
    cipher: str | None = None
    device: str | None = None


def unescape_octal(value: str) -> str:
    """The kernel writes spaces in mount paths as \\040."""
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m[1], 8)), value)


def parse_mountinfo(text: str) -> list[MountEntry]:
    """`36 35 98:0 / /data rw,noatime shared:1 - ext4 /dev/sdb1 rw` -> one entry per line."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 6 or len(tail) < 2 or ":" not in fields[2]:
            continue
        mounts.append(
            MountEntry(
                majmin=fields[2],
                root=unescape_octal(fields[3]),
                mountpoint=unescape_octal(fields[4]),
                fstype=tail[0],
                source=unescape_octal(tail[1]),
            )
        )
    return mounts


def parse_swaps(text: str) -> list[SwapEntry]:
    """/proc/swaps after its header: Filename Type Size Used Priority."""
    swaps = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 2 and fields[0].startswith("/"):
            path = unescape_octal(fields[0]).removesuffix("(deleted)")
            swaps.append(SwapEntry(path=path, type=fields[1]))
    return swaps


def parse_crypttab(text: str) -> list[CrypttabEntry]:
    """/etc/crypttab: name source [key file] [options]; comments and blank lines skipped."""
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 2 or fields[0].startswith("#"):
            continue
        key_file = fields[2] if len(fields) > 2 else "none"
        options = fields[3].split(",") if len(fields) > 3 else []
        entries.append(
            CrypttabEntry(
                name=fields[0],
                source=fields[1],
                key_file=key_file,
                options=options,
                random_key=key_file in RANDOM_KEYS,
            )
        )
    return entries


def parse_luks_check(text: str) -> dict[str, bool | None]:
    """Lines "luks|other|missing <source>" -> source -> has a LUKS header (None: no such file)."""
    verdicts: dict[str, bool | None] = {}
    for line in text.splitlines():
        verdict, _, source = line.strip().partition(" ")
        if source and verdict in ("luks", "other", "missing"):
            verdicts[source] = {"luks": True, "other": False}.get(verdict)
    return verdicts


def parse_blkid(text: str) -> dict[str, str]:
    """`blkid` lines -> device path -> TYPE (devices without a TYPE are left out)."""
    types = {}
    for line in text.splitlines():
        match = _BLKID_LINE.match(line.strip())
        if match:
            fields = dict(_BLKID_PAIR.findall(match[2]))
            if fields.get("TYPE"):
                types[match[1]] = fields["TYPE"]
    return types


def parse_cryptsetup_status(text: str) -> list[CryptMapping]:
    """One or more `cryptsetup status` outputs, one block per mapping."""
    mappings: list[CryptMapping] = []
    for line in text.splitlines():
        header = _STATUS_HEADER.match(line)
        if header:
            mappings.append(CryptMapping(path=header[1], active=header[2] == "active"))
            continue
        key, sep, value = line.strip().partition(":")
        if not sep or not mappings or not line[:1].isspace():
            continue
        field = {"type": "type", "cipher": "cipher", "device": "device"}.get(key.strip())
        if field:
            setattr(mappings[-1], field, value.strip() or None)
    return mappings
