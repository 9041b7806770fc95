"""Time sync fact parsers against outputs recorded on the Debian 12 dev machine (chrony.conf
sources, `chronyc -n tracking` unsynchronised), written layouts, hostile input, and the
snippets run for real on this machine."""

from __future__ import annotations

import pytest

from scanner.facts.base import CollectionError
from scanner.facts.logging_systemd import parse_unit_states
from scanner.facts.time_sync import (
    FACT,
    parse,
    parse_chrony_tracking,
    parse_sources,
    parse_timedatectl,
)


def test_debian12_chrony_sources(recorded) -> None:
    sources = parse_sources(recorded("time_sync/debian12_chrony_sources.txt"))
    assert [(s.daemon, s.directive, s.address, s.counts_for, s.file) for s in sources] == [
        ("chrony", "pool", "2.debian.pool.ntp.org", 4, "/etc/chrony/chrony.conf"),
    ]


def test_written_sources() -> None:
    text = (
        "chrony\t/etc/chrony.conf:server ntp1.example.org iburst\n"
        "chrony\t/etc/chrony.conf:pool pool.example.org maxsources 2\n"
        "chrony\t/etc/chrony.conf:refclock PHC /dev/ptp0 poll 3\n"
        "timesyncd\t/etc/systemd/timesyncd.conf:NTP=a.example.org b.example.org\n"
        "timesyncd\t/etc/systemd/timesyncd.conf:FallbackNTP=\n"
        "ntp\t/etc/ntpsec/ntp.conf:server 192.0.2.1 iburst\n"
        "unknown\t/etc/x.conf:server 192.0.2.2\n"
    )
    assert [(s.daemon, s.directive, s.address, s.counts_for) for s in parse_sources(text)] == [
        ("chrony", "server", "ntp1.example.org", 1),
        ("chrony", "pool", "pool.example.org", 2),
        ("chrony", "refclock", "PHC", 1),
        ("timesyncd", "NTP", "a.example.org", 1),
        ("timesyncd", "NTP", "b.example.org", 1),
        ("ntp", "server", "192.0.2.1", 1),
    ]


def test_chronyc_tracking_recorded(recorded) -> None:
    text = recorded("time_sync/debian12_chronyc_tracking_unsynchronised.txt")
    assert parse_chrony_tracking(text) == ("Not synchronised", "00000000 ()", 0)


def test_timedatectl() -> None:
    assert parse_timedatectl("NTP=yes\nNTPSynchronized=yes\n") is True
    assert parse_timedatectl("NTP=no\nNTPSynchronized=no\n") is False
    assert parse_timedatectl("NTPSynchronized=maybe\n") is None


def test_unit_states_alias_and_not_found() -> None:
    text = (
        "Id=chrony.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
        "Id=chrony.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
        "Id=ntp.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n"
    )
    units = parse_unit_states(text)
    assert list(units) == ["chrony.service"]
    assert units["chrony.service"].enabled_at_boot and units["chrony.service"].running


def test_hostile_input() -> None:
    junk = "\x00\xff<html>chrony\t/etc/chrony.conf:server \x1b[31m</html>\n" * 5
    assert parse_sources(junk) == []
    assert parse_chrony_tracking(junk) == (None, None, None)
    assert parse_timedatectl(junk) is None
    assert parse_unit_states(junk) == {}
    with pytest.raises(CollectionError, match="larger than 500 kB"):
        parse_sources("chrony\t/etc/chrony.conf:server a\n" * 50_000)


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """Parsed, with unit states where systemd runs, else the reason they are unknown."""
    outputs = on_this_machine(FACT)
    assert outputs["sources"].rc == 0
    parse_sources(outputs["sources"].stdout)
    facts = parse(outputs)
    assert (facts.units is None) == (facts.units_unreadable is not None)
    assert all(unit.endswith(".service") for unit in facts.units or facts.unit_files or {})
