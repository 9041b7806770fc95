"""Removable media facts: usb-storage blocking, USBGuard, automounters, removable mounts.

Example: {"usb_storage_directives": [{"file": "/etc/modprobe.d/usb.conf", "directive": "install",
"argument": "/bin/false"}], "usb_storage_in_kernel": false, "usbguard_installed": false, …}
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.logging_systemd import UnitState, unit_states, units_snippet
from scanner.facts.removable_media_parsers import (
    GnomeSetting,
    ModprobeDirective,
    MountEntry,
    parse_dconf,
    parse_kernel_module,
    parse_modprobe,
    parse_mounts,
    parse_usbguard_policy,
)


class RemovableMediaFacts(BaseModel):
    usb_storage_directives: list[ModprobeDirective]  # effective modprobe.d lines for usb-storage
    usb_storage_in_kernel: bool  # /sys/module/usb_storage exists: loaded now, or built in
    usbguard_installed: bool
    usbguard_implicit_policy: str | None  # ImplicitPolicyTarget from usbguard-daemon.conf
    # usbguard, autofs (the installed ones); None: unknown, units_unreadable says why
    units: dict[str, UnitState] | None = Field(default_factory=dict)
    units_unreadable: str | None = None
    unit_files: dict[str, str] | None = None  # when units is None: unit -> unit file state
    gnome_installed: bool
    gnome_settings: list[GnomeSetting]  # media-handling keys from system dconf databases in use
    removable_devices: list[str]  # block devices flagged removable or attached over USB
    removable_mounts: list[MountEntry]  # fstab entries and mounts of removable media


def parse(outputs: Mapping[str, CommandOutput]) -> RemovableMediaFacts:
    directives = parse_modprobe(require(outputs, "modprobe_usb_storage").stdout)
    in_kernel = parse_kernel_module(require(outputs, "kernel_module").stdout)
    usbguard = outputs.get("usbguard_policy")
    if usbguard is None:
        raise CollectionError("usbguard_policy: no output")
    policy = None
    if not usbguard.missing:
        if usbguard.rc != 0:
            raise CollectionError(
                "reading /etc/usbguard/usbguard-daemon.conf needs root: scan as root or with become"
                if "Permission denied" in usbguard.stderr
                else f"usbguard_policy exited with {usbguard.rc}",
                usbguard.stderr,
            )
        policy = parse_usbguard_policy(usbguard.stdout)
    gnome_installed, gnome_settings = parse_dconf(require(outputs, "dconf").stdout)
    units = unit_states(outputs, "units")
    devices, mounts = parse_mounts(require(outputs, "mounts").stdout)
    return RemovableMediaFacts(
        usb_storage_directives=directives,
        usb_storage_in_kernel=in_kernel,
        usbguard_installed=not usbguard.missing,
        usbguard_implicit_policy=policy,
        units=units.states,
        units_unreadable=units.unreadable,
        unit_files=units.unit_files,
        gnome_installed=gnome_installed,
        gnome_settings=gnome_settings,
        removable_devices=devices,
        removable_mounts=mounts,
    )


_MODPROBE_USB_STORAGE = r"""
for d in /etc /run /usr/local/lib /usr/lib /lib; do
  for f in "$d"/modprobe.d/*.conf; do
    [ -f "$f" ] || continue
    grep -H -E '^[[:space:]]*(install|blacklist)[[:space:]]+usb[-_]storage([[:space:]]|$)' "$f"
  done
done | head -n 200
exit 0
"""
_USBGUARD_POLICY = r"""
[ -x /usr/sbin/usbguard-daemon ] || [ -x /usr/bin/usbguard-daemon ] || exit 127
f=/etc/usbguard/usbguard-daemon.conf
[ -e "$f" ] || exit 0
grep -E '^[[:space:]]*ImplicitPolicyTarget[[:space:]]*=' "$f"
[ $? -le 1 ]
"""
_DCONF = r"""
for f in /usr/bin/gnome-shell /usr/bin/nautilus; do [ -x "$f" ] && echo "gnome $f"; done
[ -f /etc/dconf/profile/user ] && grep -H '^[[:space:]]*system-db:' /etc/dconf/profile/user
for f in /etc/dconf/db/*.d/* /etc/dconf/db/*.d/locks/*; do
  [ -f "$f" ] || continue
  awk -v f="$f" '/^[[:space:]]*\[/ {s=$0}
    /automount|autorun-never/ {print "key\t" f "\t" s "\t" $0}' "$f"
done | head -n 200
exit 0
"""
_MOUNTS = r"""
for d in /sys/block/*; do
  [ -e "$d/removable" ] || continue
  case $(readlink -f "$d") in */usb[0-9]*) u=usb;; *) u=-;; esac
  echo "device ${d##*/} $(cat "$d/removable" 2>/dev/null) $u"
done
awk '$1 ~ "^/dev/" || $2 ~ "^/(run/)?media/" {print "mounted", $1, $2, $3, $4}' /proc/self/mounts |
  head -n 500
[ -r /etc/fstab ] && awk '$1 !~ "^#" && NF >= 4 {print "fstab", $1, $2, $3, $4}' /etc/fstab |
  head -n 500
exit 0
"""

FACT = Fact(
    name="removable_media",
    linux={
        "modprobe_usb_storage": _MODPROBE_USB_STORAGE,
        "kernel_module": "[ -d /sys/module/usb_storage ] && echo present || echo absent",
        "usbguard_policy": _USBGUARD_POLICY,
        "units": units_snippet(["usbguard.service", "autofs.service"]),
        "dconf": _DCONF,
        "mounts": _MOUNTS,
    },
    parse=parse,
)
