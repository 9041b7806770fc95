"""Removable media fact parsers: a recorded Debian 12 VM's block devices and mounts, written
modprobe.d / dconf / USBGuard shapes, hostile input, and the snippets run on this machine."""

from __future__ import annotations

import pytest

from scanner.facts.base import CollectionError
from scanner.facts.removable_media import FACT, parse
from scanner.facts.removable_media_parsers import (
    parse_dconf,
    parse_kernel_module,
    parse_modprobe,
    parse_mounts,
    parse_usbguard_policy,
)


def test_debian12_vm_mounts_have_no_removable_media(recorded) -> None:
    assert parse_mounts(recorded("removable_media/debian12_vm_mounts.txt")) == ([], [])


def test_mounts_removable_partitions_and_media_dirs() -> None:
    text = (
        "device sda 0 -\ndevice sdb 0 usb\ndevice mmcblk0 1 -\n"
        "mounted /dev/sda1 / ext4 rw\n"
        "mounted /dev/sdb2 /srv/usbdisk ext4 rw,nosuid\n"
        "mounted /dev/mmcblk0p1 /mnt/sd vfat rw\n"
        "fstab LABEL=KEY /run/media/bob/KEY vfat noauto\n"
    )
    devices, mounts = parse_mounts(text)
    assert devices == ["sdb", "mmcblk0"]
    assert [(m.origin, m.mountpoint, m.options) for m in mounts] == [
        ("mounted", "/srv/usbdisk", ["rw", "nosuid"]),
        ("mounted", "/mnt/sd", ["rw"]),
        ("fstab", "/run/media/bob/KEY", ["noauto"]),
    ]


def test_modprobe_same_name_in_etc_hides_usr_lib() -> None:
    text = (
        "/usr/lib/modprobe.d/usb.conf:install usb-storage /bin/false\n"
        "/etc/modprobe.d/usb.conf:blacklist usb_storage\n"
        "/etc/modprobe.d/usb.conf:  install   usb-storage   /bin/true  \n"
        "/tmp/modprobe.d/x.conf:install usb-storage /bin/false\n"
        "/etc/modprobe.d/y.conf:install usb-storage-extra /bin/false\n"
    )
    assert [(d.file, d.directive, d.argument) for d in parse_modprobe(text)] == [
        ("/etc/modprobe.d/usb.conf", "blacklist", ""),
        ("/etc/modprobe.d/usb.conf", "install", "/bin/true"),
    ]


def test_dconf_profile_databases_and_locks() -> None:
    text = (
        "/etc/dconf/profile/user:system-db:local\n"
        "key\t/etc/dconf/db/local.d/00\t[org/gnome/desktop/media-handling]\tautomount=false\n"
        "key\t/etc/dconf/db/gdm.d/00\t[org/gnome/desktop/media-handling]\tautorun-never=true\n"
        "key\t/etc/dconf/db/gdm.d/locks/x\t\t/org/gnome/desktop/media-handling/autorun-never\n"
        "key\t/etc/dconf/db/local.d/locks/x\t\t/org/gnome/desktop/media-handling/automount\n"
    )
    gnome, settings = parse_dconf(text)
    assert gnome is False
    assert [(s.key, s.value, s.locked) for s in settings] == [
        ("automount", "false", True),
        ("automount-open", None, False),
        ("autorun-never", None, False),  # set in the gdm database: not the user profile's
    ]


def test_usbguard_and_kernel_module() -> None:
    conf = "ImplicitPolicyTarget=allow\n  ImplicitPolicyTarget = block\nImplicitPolicyTarget=<b>\n"
    assert parse_usbguard_policy(conf) == "block"
    assert parse_usbguard_policy("") is None
    assert parse_kernel_module("present\n") is True
    assert parse_kernel_module("absent\n") is False
    with pytest.raises(CollectionError, match="unexpected output"):
        parse_kernel_module("<html>")


def test_hostile_input() -> None:
    junk = "\x00\xff\x1b[31m<b>device sdb 1 usb</b>\nmounted /dev/\x00 /media/x vfat rw\n" * 3
    assert parse_mounts(junk) == ([], [])
    assert parse_modprobe(junk + "/etc/modprobe.d/a.conf:install usb-storage \x00\n") == []
    assert parse_dconf(junk)[0] is False
    with pytest.raises(CollectionError, match="more than 500 kB"):
        parse_mounts("device sdb 1 usb\n" * 50_000)


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """Parsed, with unit states where systemd runs, else the reason they are unknown."""
    outputs = on_this_machine(FACT)
    assert outputs["mounts"].rc == 0 and outputs["modprobe_usb_storage"].rc == 0
    parse_mounts(outputs["mounts"].stdout)
    try:
        facts = parse(outputs)
    except CollectionError as exc:  # usbguard-daemon.conf, when not root
        assert "needs root" in exc.message, exc.message
        return
    assert isinstance(facts.usb_storage_in_kernel, bool)
    assert (facts.units is None) == (facts.units_unreadable is not None)
