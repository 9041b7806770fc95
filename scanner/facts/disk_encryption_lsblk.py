"""Parsers of `lsblk` in its three shapes: JSON (-J), pairs (-P, util-linux < 2.27), plain table.

e.g. BlockDevice(name="luks-3676", kname="dm-0", majmin="253:0", type="crypt",
parents=["nvme0n1p3"])
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from scanner.facts.base import CollectionError

_PAIR = re.compile(r'([A-Z][A-Z:_-]*)="((?:[^"\\]|\\.)*)"')
_HEX_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")
_TREE_CHARS = "├└│─|`- "
_DM_SUFFIX = re.compile(r"^\((dm-\d+)\)$")


class BlockDevice(BaseModel):
    name: str
    kname: str  # kernel name: sda2, dm-0, nvme0n1p3
    majmin: str  # "253:0": joins /proc/self/mountinfo
    type: str  # disk, part, lvm, crypt, raid1, loop, rom, mpath…
    fstype: str | None = None  # crypto_LUKS, ext4, swap…; empty without udev (containers)
    removable: bool = False
    hotplug: bool | None = None
    transport: str | None = None  # usb, sata, nvme…
    parents: list[str] = []  # knames of the devices this one is built on
    size_bytes: int | None = None
    read_only: bool = False


def _unescape(value: str) -> str:
    return _HEX_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true")


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _size(value: Any) -> int | None:
    return int(value) if isinstance(value, int) or str(value).isdigit() else None


def _add(devices: dict[str, BlockDevice], device: BlockDevice) -> None:
    """A device seen under several parents (multipath, RAID, LVM over PVs) keeps them all."""
    known = devices.get(device.kname)
    if known is None:
        devices[device.kname] = device
    else:
        known.parents.extend(p for p in device.parents if p not in known.parents)


def _from_fields(fields: dict[str, Any], parent: str | None) -> BlockDevice | None:
    name, kname, majmin = (
        _text(fields.get("name")),
        _text(fields.get("kname")),
        fields.get("maj:min"),
    )
    if not name or not isinstance(majmin, str):
        return None
    parent = parent or _text(fields.get("pkname"))
    return BlockDevice(
        name=name,
        kname=kname or name,
        majmin=majmin.strip(),
        type=_text(fields.get("type")) or "",
        fstype=_text(fields.get("fstype")),
        removable=_flag(fields.get("rm")),
        hotplug=_flag(fields["hotplug"]) if "hotplug" in fields else None,
        transport=_text(fields.get("tran")),
        parents=[parent] if parent else [],
        size_bytes=_size(fields.get("size")),
        read_only=_flag(fields.get("ro")),
    )


def parse_lsblk_json(text: str) -> list[BlockDevice]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CollectionError(f"lsblk: output is not JSON ({exc.__class__.__name__})") from None
    roots = data.get("blockdevices") if isinstance(data, dict) else None
    if not isinstance(roots, list):
        raise CollectionError("lsblk: no 'blockdevices' list in the JSON output")
    devices: dict[str, BlockDevice] = {}
    stack: list[tuple[Any, str | None, int]] = [(node, None, 0) for node in roots]
    while stack:
        node, parent, depth = stack.pop()
        if not isinstance(node, dict) or depth > 32:  # not what lsblk prints: do not guess
            raise CollectionError("lsblk: unexpected JSON shape (a device is not an object)")
        device = _from_fields({str(k).lower(): v for k, v in node.items()}, parent)
        if device is None:
            continue
        _add(devices, device)
        children = node.get("children")
        if isinstance(children, list):
            stack.extend((child, device.kname, depth + 1) for child in children)
    return sorted(devices.values(), key=lambda d: d.kname)


def parse_lsblk_pairs(text: str) -> list[BlockDevice]:
    """`lsblk -P` lines: NAME="sda2" KNAME="sda2" MAJ:MIN="8:2" … PKNAME="sda"."""
    devices: dict[str, BlockDevice] = {}
    for line in text.splitlines():
        fields = {k.lower(): _unescape(v) for k, v in _PAIR.findall(line)}
        device = _from_fields(fields, None)
        if device:
            _add(devices, device)
    return sorted(devices.values(), key=lambda d: d.kname)


def parse_lsblk_table(text: str) -> list[BlockDevice]:
    """Plain `lsblk` (NAME MAJ:MIN RM SIZE RO TYPE MOUNTPOINT): parents from the tree drawing."""
    lines = text.splitlines()
    header = lines[0].split() if lines else []
    if not header or header[0] != "NAME":
        raise CollectionError("lsblk: unexpected table header")
    devices: dict[str, BlockDevice] = {}
    stack: list[tuple[int, str]] = []  # (indent, kname) of the current branch
    for line in lines[1:]:
        stripped = line.lstrip(_TREE_CHARS)
        indent = len(line) - len(stripped)
        tokens = _unescape(stripped).split()
        if not tokens:
            continue
        name, kname = tokens[0], tokens[0]
        if len(tokens) > 1 and (dm := _DM_SUFFIX.match(tokens[1])):
            kname, tokens = dm[1], [name, *tokens[2:]]
        fields: dict[str, Any] = dict(
            zip((h.lower() for h in header[1:]), tokens[1:], strict=False)
        )
        fields.update(name=name, kname=kname, size=None)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        device = _from_fields(fields, stack[-1][1] if stack else None)
        if device:
            _add(devices, device)
            stack.append((indent, device.kname))
    return sorted(devices.values(), key=lambda d: d.kname)


def parse_lsblk(text: str) -> list[BlockDevice]:
    """Whichever shape the snippet's fallback chain produced."""
    start = text.lstrip()
    if start.startswith("{"):
        return parse_lsblk_json(text)
    if start.startswith('NAME="'):
        return parse_lsblk_pairs(text)
    return parse_lsblk_table(start)
