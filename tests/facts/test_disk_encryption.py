"""Disk encryption parsers against recorded lsblk/blkid/cryptsetup outputs, hostile input, and
the snippets run for real on this machine (Debian 12 VM, no LUKS)."""

from __future__ import annotations

import json

import pytest

from scanner.facts.base import CollectionError
from scanner.facts.disk_encryption import FACT, parse
from scanner.facts.disk_encryption_lsblk import parse_lsblk
from scanner.facts.disk_encryption_sources import (
    parse_blkid,
    parse_cryptsetup_status,
    parse_crypttab,
    parse_luks_check,
    parse_mountinfo,
    parse_swaps,
)


def _graph(text: str) -> dict[str, tuple[str, str, list[str], bool]]:
    return {d.kname: (d.majmin, d.type, d.parents, d.removable) for d in parse_lsblk(text)}


def test_lsblk_table_centos7_recorded(recorded) -> None:
    assert _graph(recorded("disk_encryption/lsblk--jc-centos77.txt")) == {
        "sda": ("8:0", "disk", [], False),
        "sda1": ("8:1", "part", ["sda"], False),
        "sda2": ("8:2", "part", ["sda"], False),
        "centos-root": ("253:0", "lvm", ["sda2"], False),
        "centos-swap": ("253:1", "lvm", ["sda2"], False),
        "sr0": ("11:0", "rom", [], True),
    }


def test_lsblk_table_rhel6_multipath_recorded(recorded) -> None:
    graph = _graph(recorded("disk_encryption/lsblk--insights-rhel6-multipath.txt"))
    assert graph["dm-0"] == ("253:0", "lvm", ["sda2"], False)  # "vg_root-lv_root (dm-0)"
    assert graph["dm-7"] == ("253:7", "lvm", ["dm-4", "dm-5", "dm-6"], False)
    assert graph["dm-2"] == ("253:2", "mpath", ["sdb", "sde"], False)
    assert len(graph) == 19


def test_lsblk_table_rhel7_and_ubuntu1804_recorded(recorded) -> None:
    rhel7 = _graph(recorded("disk_encryption/lsblk--insights-rhel7-vm.txt"))
    assert rhel7["rhel-root"] == ("253:0", "lvm", ["vda2"], False)
    assert rhel7["sda1"] == ("8:1", "part", ["sda"], False)
    ubuntu = _graph(recorded("disk_encryption/lsblk--jc-ubuntu1804.txt"))
    assert ubuntu["sda2"] == ("8:2", "part", ["sda"], False)
    assert ubuntu["fd0"] == ("2:0", "disk", [], True)
    assert ubuntu["loop11"] == ("7:11", "loop", [], False)


def test_lsblk_json_pairs_and_table_debian12_agree(recorded) -> None:
    expected: dict[str, tuple[str, str, list[str], bool]] = {
        "vda": ("254:0", "disk", [], False),
        "zram0": ("253:0", "disk", [], False),
    }
    for name in ("lsblk-J", "lsblk-P", "lsblk"):
        assert _graph(recorded(f"disk_encryption/{name}--devmachine-debian12.txt")) == expected
    vda = parse_lsblk(recorded("disk_encryption/lsblk-J--devmachine-debian12.txt"))[0]
    assert (vda.size_bytes, vda.hotplug, vda.transport) == (274877906944, False, None)


def test_mountinfo_debian12_recorded(recorded) -> None:
    mounts = parse_mountinfo(recorded("disk_encryption/mountinfo--devmachine-debian12.txt"))
    root = next(m for m in mounts if m.mountpoint == "/")
    assert (root.majmin, root.fstype, root.source, root.root) == ("254:0", "ext4", "/dev/vda", "/")
    netns = next(m for m in mounts if m.mountpoint == "/run/netns")
    assert netns.root == "/run/netns"  # a bind mount of a sub-tree of the same disk
    assert len(mounts) == 21


def test_blkid_fedora_luks_recorded(recorded) -> None:
    types = parse_blkid(recorded("disk_encryption/blkid-with-luks--insights-fedora.txt"))
    assert types["/dev/nvme0n1p3"] == "crypto_LUKS"
    assert types["/dev/loop0"] == "crypto_LUKS"
    assert types["/dev/mapper/luks-d32e910a-c65a-4bc7-8cb8-8b0a4ec50dce"] == "LVM2_member"
    assert types["/dev/zram0"] == "swap"
    assert len(types) == 6


@pytest.mark.parametrize(
    ("name", "path", "active", "kind", "device"),
    [
        ("active", "/dev/mapper/dm-crypto-plain", True, "PLAIN", "/dev/sdc3"),
        ("active-luks1", "/dev/mapper/dm-crypto-luks1", True, "LUKS1", "/dev/sdc1"),
        ("active-luks2", "/dev/mapper/dm-crypto-luks2", True, "LUKS2", "/dev/sdc2"),
        ("inactive", "/dev/mapper/dm-crypto-plain", False, None, None),
    ],
)
def test_cryptsetup_status_recorded(recorded, name, path, active, kind, device) -> None:
    [mapping] = parse_cryptsetup_status(
        recorded(f"disk_encryption/cryptsetup-status-{name}--kolide.txt")
    )
    assert (mapping.path, mapping.active, mapping.type, mapping.device) == (
        path,
        active,
        kind,
        device,
    )
    if active:
        assert mapping.cipher and mapping.cipher.startswith("aes-")


def test_cryptsetup_status_error_recorded(recorded) -> None:
    assert (
        parse_cryptsetup_status(recorded("disk_encryption/cryptsetup-status-error--kolide.txt"))
        == []
    )


def test_swaps_crypttab_and_luks_check() -> None:
    swaps = parse_swaps(
        "Filename Type Size Used Priority\n"
        "/swap\\040file file 10 0 -2\n/dev/dm-1 partition 5 0 -3\n"
    )
    assert [(s.path, s.type) for s in swaps] == [("/swap file", "file"), ("/dev/dm-1", "partition")]
    [entry] = parse_crypttab("# comment\n\ncryptswap /dev/sda3 /dev/urandom swap,size=512\n")
    assert (entry.key_file, entry.options, entry.random_key) == (
        "/dev/urandom",
        ["swap", "size=512"],
        True,
    )
    [short] = parse_crypttab("data UUID=1234\n")
    assert (short.key_file, short.random_key) == ("none", False)
    assert parse_luks_check("luks /srv/vault.img\nother /dev/sdb\nmissing UUID=x\njunk\n") == {
        "/srv/vault.img": True, "/dev/sdb": False, "UUID=x": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    "junk",
    [
        "\x00\x01\xfe\xff" * 1000,
        "<html><script>alert(1)</script></html>",
        "x" * 2_000_000,
        "- " * 5000,
    ],
)
def test_hostile_input_does_not_crash(junk: str) -> None:
    for parser in (
        parse_mountinfo,
        parse_swaps,
        parse_crypttab,
        parse_blkid,
        parse_cryptsetup_status,
    ):
        parser(junk)  # tolerant: skips what it does not understand
    with pytest.raises(CollectionError):
        parse_lsblk(junk)
    with pytest.raises(CollectionError):
        parse_lsblk('{"blockdevices": ' + "[" * 5000 + "]" * 5000 + "}")


def test_deeply_nested_lsblk_json_is_an_error_not_a_guess() -> None:
    """Real stacks are a few levels deep (disk, part, crypt, lvm); 100 is no lsblk output."""
    node: dict = {"name": "leaf", "maj:min": "1:1", "type": "part"}
    for level in range(100):
        node = {"name": f"n{level}", "maj:min": f"2:{level}", "type": "disk", "children": [node]}
    with pytest.raises(CollectionError, match="unexpected JSON shape"):
        parse_lsblk(json.dumps({"blockdevices": [node]}))
    shallow = node
    for _ in range(95):
        shallow = shallow["children"][0]
    assert len(parse_lsblk(json.dumps({"blockdevices": [shallow]}))) == 6


def test_snippets_run_for_real_on_this_machine(on_this_machine) -> None:
    """Every snippet is valid sh and the outputs parse (this machine: / on /dev/vda, no LUKS)."""
    outputs = on_this_machine(FACT, timeout=60)
    facts = parse(outputs)
    root = next(v for v in facts.volumes if v.mountpoint == "/")
    assert root.fixed and root.encrypted_by is None
