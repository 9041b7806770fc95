"""System fact parsers against recorded os-release files, written probe outputs, hostile input,
and the snippets run for real on this machine."""

from __future__ import annotations

import os

import pytest

from scanner.facts.base import CollectionError, CommandOutput
from scanner.facts.system import FACT, family_of, parse
from scanner.facts.system_parsers import (
    parse_init,
    parse_machine_id,
    parse_os_release,
    parse_role,
    parse_uname,
    parse_virtualization,
)


@pytest.mark.parametrize(
    ("name", "distro_id", "version_id", "codename", "id_like", "family"),
    [
        ("debian10_os_release.txt", "debian", "10", "buster", None, "debian"),
        ("debian12_os_release.txt", "debian", "12", "bookworm", None, "debian"),
        ("ubuntu1804_os_release.txt", "ubuntu", "18.04", "bionic", "debian", "debian"),
        ("centos7_os_release.txt", "centos", "7", None, "rhel fedora", "rhel"),
        ("oraclelinux72_os_release.txt", "ol", "7.2", None, None, "rhel"),
    ],
)
def test_os_release_recorded(
    recorded, name, distro_id, version_id, codename, id_like, family
) -> None:
    values = parse_os_release(recorded(f"system/{name}"))
    assert values["ID"] == distro_id
    assert values["VERSION_ID"] == version_id
    assert values.get("VERSION_CODENAME") == codename
    assert values.get("ID_LIKE") == id_like
    assert family_of(values["ID"], (values.get("ID_LIKE") or "").split()) == family


def test_os_release_quotes_and_names(recorded) -> None:
    ubuntu = parse_os_release(recorded("system/ubuntu1804_os_release.txt"))
    assert ubuntu["NAME"] == "Ubuntu"
    assert ubuntu["VERSION"] == "18.04.5 LTS (Bionic Beaver)"
    assert ubuntu["PRETTY_NAME"] == "Ubuntu 18.04.5 LTS"
    oracle = parse_os_release(recorded("system/oraclelinux72_os_release.txt"))
    assert oracle["NAME"] == "Oracle Linux Server"
    assert oracle["CPE_NAME"] == "cpe:/o:oracle:linux:7:2:server"
    assert oracle["ORACLE_SUPPORT_PRODUCT_VERSION"] == "7.2"  # last line, no final newline
    escaped = parse_os_release('NAME="A \\"quoted\\" \\$name"\nID=\'single\'\n')
    assert escaped == {"NAME": 'A "quoted" $name', "ID": "single"}


def test_os_release_hostile_input_is_skipped() -> None:
    junk = "\x00\xff<script>ID=evil</script>\nID=debian\nNAME=\x1b[31mred\n" + "X=" + "a" * 10**6
    assert parse_os_release(junk) == {"ID": "debian"}


def test_uname() -> None:
    assert parse_uname("vm\n6.18.44-fc-v595\nx86_64\n") == ("vm", "6.18.44-fc-v595", "x86_64")
    assert parse_uname("h\n3.10.0-1062.1.2.el7.x86_64\nx86_64") == (
        "h",
        "3.10.0-1062.1.2.el7.x86_64",
        "x86_64",
    )
    for bad in (
        "",
        "one line only\n",
        "a\nb\nc\nd\n",
        "h\n<b>x</b>\nx86_64\n",
        "\x00\n\x01\n\x02\n",
    ):
        with pytest.raises(CollectionError, match="uname"):
            parse_uname(bad)


def test_machine_id() -> None:
    assert (
        parse_machine_id("3d1219c7c4c5404aaa1f6d2a48adfda4\n") == "3d1219c7c4c5404aaa1f6d2a48adfda4"
    )
    assert parse_machine_id("\n") is None  # the lab image empties it until first boot
    assert parse_machine_id("uninitialized\n") is None  # systemd's first-boot marker
    assert parse_machine_id("\x00<b>" * 1000) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("container docker\nvm kvm\n", ("docker", "container")),  # this dev machine
        ("container none\nvm kvm\n", ("kvm", "vm")),
        ("container none\nvm none\n", ("none", "none")),
        ("container lxc\nvm none\n", ("lxc", "container")),
        ("marker podman\n", ("podman", "container")),  # no systemd-detect-virt
        ("", (None, None)),  # no tool, no marker: unknown, not "none"
        ("container \nvm \n", (None, None)),  # the tool failed
        ("container <b>\x00</b>\n", (None, None)),
    ],
)
def test_virtualization(text, expected) -> None:
    assert parse_virtualization(text) == expected


def test_init() -> None:
    assert parse_init("systemd\n") == "systemd"
    assert parse_init("process_api\n") == "process_api"
    assert parse_init("") is None
    assert parse_init("\x00\xff junk") is None


def test_role() -> None:
    assert parse_role("") == ("server", ["no display manager, desktop session or graphical target"])
    assert parse_role("default_target graphical.target\n") == (
        "workstation",
        ["default target set to graphical.target"],
    )
    assert parse_role("display_manager /usr/bin/sddm\ndesktop_session /usr/bin/plasmashell\n") == (
        "workstation",
        [
            "display manager installed: /usr/bin/sddm",
            "desktop session installed: /usr/bin/plasmashell",
        ],
    )
    role, evidence = parse_role("display_manager \x1b[2J\nsession_file " + "a" * 5000 + "\n<x>\n")
    assert (role, evidence[0]) == (
        "server",
        "no display manager, desktop session or graphical target",
    )


def test_huge_output_does_not_crash() -> None:
    flood = "A" * (8 * 1024 * 1024)
    outputs = {
        "os_release": CommandOutput(flood),
        "uname": CommandOutput("h\n6.1.0\nx86_64\n"),
        "machine_id": CommandOutput(""),
        "virtualization": CommandOutput(flood),
        "init": CommandOutput(flood),
        "desktop": CommandOutput("session_file x\n" * 10**6),
    }
    facts = parse(outputs)
    assert facts.distro_id is None  # nothing readable in os-release
    assert facts.init is None
    assert facts.role == "workstation"
    assert len(facts.role_evidence) == 100  # only the first 100 probe lines are read


def test_failed_os_release_read_is_an_error() -> None:
    outputs = {"os_release": CommandOutput("", "cat: /etc/os-release: Permission denied\n", 1)}
    with pytest.raises(CollectionError, match="os-release"):
        parse(outputs)


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    outputs = on_this_machine(FACT)
    facts = parse(outputs)
    assert facts.kernel_release == os.uname().release
    assert facts.architecture == os.uname().machine
    assert facts.hostname == os.uname().nodename
    assert facts.role in ("server", "workstation")
    assert facts.role_evidence
