"""The shared units snippet and parser: states where systemd runs, "unknown, and why" elsewhere."""

from __future__ import annotations

import pytest

from scanner.facts.base import CollectionError, CommandOutput
from scanner.facts.logging_systemd import (
    Units,
    UnitState,
    installed,
    parse_no_systemd,
    parse_unit_states,
    unit_states,
    units_snippet,
)

SHOW = "Id=chrony.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n"


def _states(stdout: str, stderr: str = "", rc: int = 0) -> Units:
    return unit_states({"units": CommandOutput(stdout, stderr, rc)}, "units")


def test_systemd_running() -> None:
    units = _states(SHOW)
    assert units.states is not None and units.states["chrony.service"].running
    assert units.unreadable is None and units.unit_files is None
    assert installed(units.states, None, "chrony.service") is True
    assert installed(units.states, None, "ntp.service") is False


def test_not_pid1_unit_files_read_from_disk() -> None:
    units = _states(
        "no_systemd sh\nunit_files\nchrony.service enabled enabled\n<b> enabled\nx\n\x00 z\n"
    )
    assert units == Units(
        None, "systemd is not running (PID 1 is sh)", {"chrony.service": "enabled"}
    )
    assert installed(None, units.unit_files, "chrony.service") is True
    assert installed(None, units.unit_files, "ntp.service") is False


def test_no_systemctl_at_all() -> None:
    """An older init (sysvinit, OpenRC, busybox): nothing tells which services are installed."""
    units = _states("no_systemd init\n")
    assert units.states is None and units.unit_files is None
    assert (
        units.unreadable == "systemd is not running (PID 1 is init), and systemctl is not installed"
    )
    assert installed(None, None, "chrony.service") is None


def test_pid1_name_unreadable_or_hostile() -> None:
    assert parse_no_systemd("no_systemd \nunit_files\n").unreadable == "systemd is not running"
    assert parse_no_systemd("no_systemd <b>\x1b[31m\n").unreadable.startswith(
        "systemd is not running, and"
    )
    with pytest.raises(CollectionError, match="more than 100 kB"):
        parse_no_systemd("no_systemd sh\nunit_files\n" + "a.service enabled\n" * 10_000)


def test_systemctl_own_message_without_the_snippet_test() -> None:
    """Outputs of the earlier snippet (no /run/systemd/system test) still read as "unknown"."""
    stderr = "System has not been booted with systemd as init system (PID 1). Can't operate.\n"
    assert _states("", stderr, 1) == Units(None, "systemd is not running", None)


def test_real_failures_stay_errors() -> None:
    with pytest.raises(CollectionError, match="exited with 1"):
        _states("", "Failed to connect to bus: Permission denied\n", 1)
    with pytest.raises(CollectionError, match="systemctl not found although systemd runs"):
        _states("", "", 127)
    with pytest.raises(CollectionError, match="no output"):
        unit_states({}, "units")


def test_snippet_runs_on_this_machine(on_this_machine) -> None:
    snippet = units_snippet(["chrony.service", "rsyslog.service"])
    units = unit_states(on_this_machine({"units": snippet}), "units")
    if units.states is None:  # this sandbox: no systemd as PID 1
        assert units.unreadable and units.unreadable.startswith("systemd is not running")
    else:
        assert set(units.states) <= {"chrony.service", "rsyslog.service"}


def test_a_masked_unit_is_installed_and_says_masked() -> None:
    """Recorded on a lab host (Debian 12) after `systemctl mask auditd`."""
    text = (
        "Id=auditd.service\nLoadState=masked\nUnitFileState=masked\nActiveState=inactive\n\n"
        "Id=chrony.service\nLoadState=not-found\nUnitFileState=\nActiveState=inactive\n"
    )
    units = parse_unit_states(text)
    assert units == {"auditd.service": UnitState(enabled="masked", active="inactive")}
    assert not units["auditd.service"].enabled_at_boot
