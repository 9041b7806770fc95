"""Patches parsers against recorded apt/dnf/yum outputs, hostile input, and the snippets run for
real on this machine (Debian 12)."""

from __future__ import annotations

import subprocess
from datetime import UTC, timedelta, timezone

import pytest

from scanner.facts.base import CollectionError, CommandOutput
from scanner.facts.patches import (
    _HISTORY_AWK,
    FACT,
    parse,
    parse_automatic,
    parse_kernels,
    parse_reboot,
)
from scanner.facts.patches_apt import (
    kernel_release_of_package,
    parse_apt_history,
    parse_apt_list_upgradable,
    utc_offset,
    version_key,
)
from scanner.facts.patches_dnf import (
    package_name_of_nevra,
    parse_check_update,
    parse_history_list,
    parse_updateinfo_security,
)


def test_apt_list_ubuntu2204_recorded(recorded) -> None:
    updates = parse_apt_list_upgradable(
        recorded("patches/apt-list-upgradable--kolide-ubuntu2204.txt")
    )
    assert len(updates) == 15
    assert [u.name for u in updates if u.security] == [
        "accountsservice", "binutils-common", "binutils-x86-64-linux-gnu", "openssl",
        "perl-base", "perl-modules-5.34", "sudo", "vim", "xxd",
    ]  # fmt: skip
    openssl = next(u for u in updates if u.name == "openssl")
    assert openssl.version == "3.0.2-0ubuntu1.10"
    assert openssl.installed_version == "3.0.2-0ubuntu1.8"
    assert openssl.sources == ["jammy-updates", "jammy-security"]
    perl = next(u for u in updates if u.name == "perl-modules-5.34")
    assert perl.sources == ["jammy-updates", "jammy-security"]  # repeated suites collapse
    assert next(u for u in updates if u.name == "vim").version == "2:8.2.3995-1ubuntu2.9"


def test_apt_list_debian12_recorded(recorded) -> None:
    updates = parse_apt_list_upgradable(
        recorded("patches/apt-list-upgradable--devmachine-debian12.txt")
    )
    assert len(updates) == 123
    assert sum(u.security for u in updates) == 81
    apt = next(u for u in updates if u.name == "apt")
    assert (apt.sources, apt.security, apt.installed_version) == (
        ["oldstable-security"],
        True,
        "2.6.1",
    )
    base_files = next(u for u in updates if u.name == "base-files")
    assert (base_files.sources, base_files.security) == (["oldstable"], False)


def test_dnf_check_update_el7_recorded(recorded) -> None:
    updates = parse_check_update(recorded("patches/dnf-check-update--kolide-el7.txt"))
    assert len(updates) == 15
    assert updates[0] == ("apr-util", "1.5.2-6.el7_9.1", "updates")
    assert ("bind-libs", "32:9.11.4-26.P2.el7_9.13", "updates") in updates
    assert ("osquery", "5.9.1-1.linux", "osquery-s3-rpm-repo") in updates
    assert ("java-1.8.0-openjdk-headless", "1:1.8.0.372.b07-1.el7_9", "updates") in updates


def test_dnf_check_update_wrapped_and_obsoletes() -> None:
    text = (
        "a-very-long-package-name-that-wraps.x86_64\n"
        "                 1.2-3.el9            appstream\n"
        "zlib.x86_64  1.2.11-40.el9  baseos\n"
        "Obsoleting Packages\ngrub2-tools.x86_64  1:2.06-70.el9  baseos\n"
    )
    assert parse_check_update(text) == [
        ("a-very-long-package-name-that-wraps", "1.2-3.el9", "appstream"),
        ("zlib", "1.2.11-40.el9", "baseos"),
    ]


def test_yum_updateinfo_fedora32_recorded(recorded) -> None:
    security = parse_updateinfo_security(
        recorded("patches/yum-updateinfo-list--insights-fedora32.txt")
    )
    assert security == {"iwl2000-firmware": ["FEDORA-2020-352b61ce72"]}


def test_nevra_names() -> None:
    assert (
        package_name_of_nevra("iwl1000-firmware-1:39.31.5.1-115.fc32.noarch") == "iwl1000-firmware"
    )
    assert package_name_of_nevra("openssl-libs-1:3.0.7-16.el9_2.x86_64") == "openssl-libs"
    assert package_name_of_nevra("<b>junk</b>") is None


def test_running_kernel_from_centos7_uname_recorded(recorded) -> None:
    release = recorded("patches/uname-a--jc-centos77.txt").split()[2]
    running, kernels = parse_kernels(
        f"running {release}\nrelease 3.10.0-1160.92.1.el7.x86_64\nrelease {release}\n"
    )
    assert running == "3.10.0-1062.1.2.el7.x86_64"
    assert kernels == ["3.10.0-1062.1.2.el7.x86_64", "3.10.0-1160.92.1.el7.x86_64"]


def test_kernel_packages_and_version_order() -> None:
    assert kernel_release_of_package("linux-image-6.1.0-18-amd64") == "6.1.0-18-amd64"
    assert kernel_release_of_package("linux-image-6.1.0-18-amd64-unsigned") == "6.1.0-18-amd64"
    assert (
        kernel_release_of_package("linux-image-unsigned-5.15.0-91-generic") == "5.15.0-91-generic"
    )
    assert kernel_release_of_package("linux-image-amd64") is None
    assert version_key("6.1.0-18-amd64") > version_key("6.1.0-9-amd64")
    assert version_key("5.14.0-427.el9") > version_key("5.14.0-362.8.1.el9_3")


def test_apt_history_local_time() -> None:
    text = "full 2024-01-02 06:25:01\npartial 2024-01-09 10:00:00\nfull 2023-12-01 00:00:00\n"
    assert parse_apt_history(text, utc_offset("+0100")) == (1704173101, 1704790800)
    assert utc_offset("-0630") == timezone(-timedelta(hours=6, minutes=30))
    assert utc_offset("<junk>") == UTC


def test_dnf_history_command_and_yum_user() -> None:
    dnf = (
        "ID | Command line | Date and time | Action(s) | Altered\n"
        " 9 | install nginx | 2023-07-20 09:00 | Install, Upgrade | 4\n"
        " 8 | -y upgrade | 2023-06-15 04:50 | Upgrade | 15\n"
    )
    assert parse_history_list(dnf, UTC) == (1686804600, 1689843600)
    yum = " 3 | root <root> | 2020-11-01 08:00 | Update | 10\n"
    assert parse_history_list(yum, UTC) == (1604217600, 1604217600)


def test_reboot_signals() -> None:
    assert parse_reboot("flag /run/reboot-required\npackage libc6\n") == (True, ["libc6"])
    assert parse_reboot("needs-restarting 0\n") == (False, [])
    assert parse_reboot("needs-restarting 1\n") == (True, [])
    assert parse_reboot("needs-restarting 2\n") == (None, [])


def test_automatic_settings_and_timers() -> None:
    auto = parse_automatic(
        'systemd running\ninstalled yes\nsetting APT::Periodic::Unattended-Upgrade "1";\n'
        "timer apt-daily.timer masked\ntimer apt-daily-upgrade.timer \n",
        "apt",
    )
    assert auto.settings == {"APT::Periodic::Unattended-Upgrade": "1"}
    assert auto.timers == {"apt-daily.timer": "masked", "apt-daily-upgrade.timer": ""}
    dnf = parse_automatic("installed yes\nsetting apply_updates = yes\n", "dnf")
    assert (dnf.tool, dnf.settings, dnf.systemd_running) == (
        "dnf-automatic",
        {"apply_updates": "yes"},
        False,
    )


@pytest.mark.parametrize(
    "junk",
    [
        "\x00\x01\xfe\xff" * 1000,
        "<html><script>alert(1)</script></html>",
        "x" * 2_000_000,
        "|" * 5000,
    ],
)
def test_hostile_input_does_not_crash(junk: str) -> None:
    assert parse_apt_list_upgradable(junk) == []
    assert parse_check_update(junk) == []
    assert parse_updateinfo_security(junk) == {}
    assert parse_apt_history(junk, UTC) == (None, None)
    assert parse_history_list(junk, UTC) == (None, None)
    outputs = {name: CommandOutput(junk) for name in FACT.linux}
    with pytest.raises(CollectionError):
        parse(outputs)


def test_snippets_run_for_real_on_this_machine(on_this_machine) -> None:
    """Every snippet is valid sh and the outputs parse (this machine: Debian 12, apt)."""
    outputs = on_this_machine(FACT, timeout=60)
    facts = parse(outputs)
    assert facts.package_manager == "apt"
    assert facts.running_kernel
    assert facts.automatic_updates.tool == "unattended-upgrades"


def test_history_awk_tells_full_from_partial_upgrades() -> None:
    """The awk program of the history snippet, run for real on apt history.log entries."""
    entries = [
        ("2024-01-02  06:25:01", "/usr/bin/unattended-upgrade", "Upgrade: openssl:amd64 (1, 2)"),
        ("2024-01-03  10:00:00", "apt-get -y upgrade", "Upgrade: bash:amd64 (1, 2)"),
        ("2024-01-04  10:00:00", "apt-get install --only-upgrade sudo", "Upgrade: sudo:amd64 (1)"),
        ("2024-01-05  10:00:00", "apt-get install vim", "Install: vim:amd64 (1)"),
    ]
    log = "".join(
        f"Start-Date: {when}\nCommandline: {command}\n{change}\nEnd-Date: {when}\n\n"
        for when, command, change in entries
    )
    run = subprocess.run(["awk", _HISTORY_AWK], input=log, capture_output=True, text=True)
    assert run.stdout.splitlines() == [
        "full 2024-01-02 06:25:01",
        "full 2024-01-03 10:00:00",
        "partial 2024-01-04 10:00:00",
    ]
