"""Disk encryption: mounted volumes and swap areas, each traced down to an encrypted device or not.

e.g. Volume(mountpoint="/", source="/dev/mapper/vg-root", fstype="ext4", kind="block",
device="dm-1", fixed=True, encrypted_by="dm-0"); Volume(mountpoint="/", kind="overlay", …)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.disk_encryption_lsblk import BlockDevice, parse_lsblk
from scanner.facts.disk_encryption_sources import (
    CryptMapping,
    CrypttabEntry,
    MountEntry,
    parse_blkid,
    parse_cryptsetup_status,
    parse_crypttab,
    parse_luks_check,
    parse_mountinfo,
    parse_swaps,
)

# Not volumes: kernel interfaces, memory, read-only images. Overlays other than / sit on a
# filesystem that is judged itself (e.g. /var/lib/docker). fuse.* is user space.
IGNORED_FSTYPES = {
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "pstore", "bpf",
    "tracefs", "debugfs", "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc",
    "efivarfs", "selinuxfs", "rpc_pipefs", "nsfs", "tmpfs", "ramfs", "squashfs", "iso9660",
    "udf", "rootfs", "devfs", "none",
}  # fmt: skip
# Data stored on another machine: its encryption is that machine's (not judged here).
NETWORK_FSTYPES = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "9p", "virtiofs"}
# Kernel and runtime trees: a mount there (e.g. the lab's log file bound on /dev/console) is
# not a data volume; removable disks under /run/media still are.
SYSTEM_TREES = ("/dev/", "/proc/", "/sys/", "/run/")
_MAX_DEPTH = 16


class Volume(BaseModel):
    """A mounted filesystem. `fixed`: local and not removable, i.e. what the rules judge."""

    mountpoint: str
    source: str
    fstype: str
    kind: Literal["block", "overlay", "network", "other"]  # other: zfs, btrfs subvolume… at /
    device: str | None = None  # kname of the block device it is mounted from
    removable: bool = False  # on a device (or a parent) with RM=1 or on USB
    fixed: bool
    encrypted_by: str | None = None  # kname of the dm-crypt device under it, if every path has one


class SwapArea(BaseModel):
    path: str
    kind: Literal["partition", "file", "zram"]  # zram: compressed RAM, never written to disk
    device: str | None = None  # kname of the device (partition) or of the file's filesystem
    encrypted_by: str | None = None
    random_key: bool = False  # its crypttab entry takes a fresh random key at each boot


class DiskEncryptionFacts(BaseModel):
    volumes: list[Volume]
    swaps: list[SwapArea]
    block_devices: list[BlockDevice]
    crypttab: list[CrypttabEntry]
    luks_devices: list[str]  # devices with a LUKS header (lsblk FSTYPE or blkid), open or not
    crypt_mappings: list[CryptMapping]  # open dm-crypt mappings (needs root; else empty)


_LSBLK_COLUMNS = "NAME,KNAME,MAJ:MIN,TYPE,FSTYPE,RM,HOTPLUG,TRAN,PKNAME,SIZE,RO"
SNIPPETS = {
    # -J needs util-linux >= 2.27 (Debian 9, RHEL 8); -P works on RHEL 7; plain lsblk on older.
    "lsblk": "command -v lsblk >/dev/null 2>&1 || exit 127\n"
    f"lsblk -J -b -o {_LSBLK_COLUMNS} 2>/dev/null && exit 0\n"
    f"lsblk -P -b -o {_LSBLK_COLUMNS} 2>/dev/null && exit 0\nlsblk",
    "mounts": "cat /proc/self/mountinfo",
    "swaps": "cat /proc/swaps",
    "crypttab": "[ -e /etc/crypttab ] || exit 0; cat /etc/crypttab",
    # Reading a LUKS header needs root: unprivileged, isLuks says "other" (see crypttab_luks).
    "crypttab_luks": "command -v cryptsetup >/dev/null 2>&1 || exit 127\n"
    "[ -r /etc/crypttab ] || exit 0\n"
    "grep -v '^[[:space:]]*#' /etc/crypttab | head -n 50 | while read -r name src rest; do\n"
    '  [ -n "$src" ] || continue\n'
    "  case $src in UUID=*) dev=/dev/disk/by-uuid/${src#UUID=} ;;\n"
    "    PARTUUID=*) dev=/dev/disk/by-partuuid/${src#PARTUUID=} ;;\n"
    "    LABEL=*) dev=/dev/disk/by-label/${src#LABEL=} ;; *) dev=$src ;; esac\n"
    '  if [ ! -e "$dev" ]; then echo "missing $src"\n'
    '  elif cryptsetup isLuks "$dev" 2>/dev/null; then echo "luks $src"\n'
    '  else echo "other $src"; fi\n'
    "done; exit 0",
    # blkid probes as root; unprivileged it only reads its cache (then LUKS may go unseen).
    "blkid": "command -v blkid >/dev/null 2>&1 || exit 127\n"
    'blkid; rc=$?; [ "$rc" -eq 2 ] && rc=0; exit "$rc"',
    "cryptsetup": "command -v cryptsetup >/dev/null 2>&1 || exit 127\n"
    'for d in /sys/block/dm-*/dm; do [ -r "$d/uuid" ] || continue\n'
    '  case $(cat "$d/uuid") in CRYPT-*) cryptsetup --readonly status "$(cat "$d/name")" ;; esac\n'
    "done; exit 0",
}


class _Devices:
    """The lsblk graph, with lookups by major:minor and by /dev path."""

    def __init__(self, devices: list[BlockDevice]) -> None:
        self.by_kname = {d.kname: d for d in devices}
        self.by_majmin = {d.majmin: d for d in devices}
        self.by_path: dict[str, BlockDevice] = {}
        for d in devices:
            for path in (f"/dev/{d.kname}", f"/dev/{d.name}", f"/dev/mapper/{d.name}"):
                self.by_path.setdefault(path, d)

    def find(self, majmin: str, source: str) -> BlockDevice | None:
        by_number = None if majmin.startswith("0:") else self.by_majmin.get(majmin)
        return by_number or self.by_path.get(source)

    def crypt_layer(self, kname: str, depth: int = 0) -> str | None:
        """The dm-crypt device under `kname`, when every path down to the disks crosses one."""
        device = self.by_kname.get(kname)
        if device is None or depth > _MAX_DEPTH:
            return None
        if device.type == "crypt":
            return kname
        layers = [self.crypt_layer(parent, depth + 1) for parent in device.parents]
        return layers[0] if layers and all(layers) else None

    def removable(self, kname: str, depth: int = 0) -> bool:
        device = self.by_kname.get(kname)
        if device is None or depth > _MAX_DEPTH:
            return False
        if device.removable or device.transport == "usb":
            return True
        return any(self.removable(parent, depth + 1) for parent in device.parents)


def _volume(mount: MountEntry, devices: _Devices) -> Volume | None:
    fstype = mount.fstype
    if fstype in IGNORED_FSTYPES or (fstype.startswith("fuse") and fstype != "fuse.sshfs"):
        return None
    in_system_tree = mount.mountpoint.startswith(SYSTEM_TREES)
    if in_system_tree and not mount.mountpoint.startswith("/run/media/"):
        return None
    if fstype in NETWORK_FSTYPES or fstype == "fuse.sshfs":
        return Volume(
            mountpoint=mount.mountpoint, source=mount.source, fstype=fstype, kind="network",
            fixed=False,
        )  # fmt: skip
    device = devices.find(mount.majmin, mount.source)
    if device:
        removable = devices.removable(device.kname)
        crypt = devices.crypt_layer(device.kname)
        return Volume(
            mountpoint=mount.mountpoint, source=mount.source, fstype=fstype, kind="block",
            device=device.kname, removable=removable, fixed=not removable, encrypted_by=crypt,
        )  # fmt: skip
    if mount.mountpoint != "/" and (fstype == "overlay" or not mount.source.startswith("/dev/")):
        return None
    return Volume(
        mountpoint=mount.mountpoint, source=mount.source, fstype=fstype,
        kind="overlay" if fstype == "overlay" else "other", fixed=True,
    )  # fmt: skip


def _swap(path: str, swap_type: str, volumes: list[Volume], devices: _Devices) -> SwapArea:
    if path.startswith("/dev/zram"):
        return SwapArea(path=path, kind="zram")
    if swap_type == "partition":
        device = devices.by_path.get(path)
        kname = device.kname if device else None
        crypt = devices.crypt_layer(kname) if kname else None
        return SwapArea(path=path, kind="partition", device=kname, encrypted_by=crypt)
    holders = [v for v in volumes if path.startswith(v.mountpoint.rstrip("/") + "/")]
    holder = max(holders, key=lambda v: len(v.mountpoint), default=None)
    return SwapArea(
        path=path, kind="file", device=holder.device if holder else None,
        encrypted_by=holder.encrypted_by if holder else None,
    )  # fmt: skip


def _optional(outputs: Mapping[str, CommandOutput], name: str) -> str:
    """Output of a helper tool that may be absent (exit 127): empty text then."""
    out = outputs.get(name)
    return "" if out is not None and out.missing else require(outputs, name).stdout


def parse(outputs: Mapping[str, CommandOutput]) -> DiskEncryptionFacts:
    lsblk = outputs.get("lsblk")
    if lsblk is not None and lsblk.missing:
        raise CollectionError("lsblk is not installed: block devices cannot be traced")
    block_devices = parse_lsblk(require(outputs, "lsblk").stdout)
    devices = _Devices(block_devices)
    mounts = parse_mountinfo(require(outputs, "mounts").stdout)
    if not mounts:
        raise CollectionError("mounts: /proc/self/mountinfo listed no mount")
    volumes = [v for v in (_volume(m, devices) for m in mounts) if v]
    crypttab = parse_crypttab(require(outputs, "crypttab").stdout)
    luks_check = parse_luks_check(_optional(outputs, "crypttab_luks"))
    for entry in crypttab:
        entry.luks_header = luks_check.get(entry.source)
    random_names = {entry.name for entry in crypttab if entry.random_key}
    swaps = []
    for swap_entry in parse_swaps(require(outputs, "swaps").stdout):
        swap = _swap(swap_entry.path, swap_entry.type, volumes, devices)
        layer = devices.by_kname.get(swap.encrypted_by or "")
        swap.random_key = (
            swap.kind == "partition" and layer is not None and layer.name in random_names
        )
        swaps.append(swap)
    blkid_types = parse_blkid(_optional(outputs, "blkid"))
    luks = {path for path, kind in blkid_types.items() if kind == "crypto_LUKS"}
    luks |= {f"/dev/{d.kname}" for d in block_devices if d.fstype == "crypto_LUKS"}
    return DiskEncryptionFacts(
        volumes=volumes,
        swaps=swaps,
        block_devices=block_devices,
        crypttab=crypttab,
        luks_devices=sorted(luks),
        crypt_mappings=parse_cryptsetup_status(_optional(outputs, "cryptsetup")),
    )


FACT = Fact(name="disk_encryption", linux=SNIPPETS, parse=parse)
