"""Antivirus parsers against recorded outputs (tests/facts/antivirus/), hostile input, snippets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.facts.antivirus import FACT, AntivirusFacts
from scanner.facts.antivirus_clamav import parse_databases, parse_header
from scanner.facts.antivirus_presence import (
    parse_clock,
    parse_cron,
    parse_packages,
    parse_presence,
)
from scanner.facts.base import CollectionError

HOSTILE = [
    b"\x00\xff\xfe binary \x1b[31m junk\n".decode("latin-1"),
    "<html><body><script>alert(1)</script></body></html>",
    "x" * 3_000_000,
    "file daily.cld ClamAV-VDB:" + ":" * 100_000,
    "directory /var/lib/clamav default\nfile daily.cld ClamAV-VDB:x:1:2:3:4:5:6:99999999999\n",
]


def test_stale_lab_database(recorded) -> None:
    text = recorded("antivirus/clamav-db-headers-stale--hygie-lab.txt")
    dbs = parse_databases(text, now_epoch=1795994446)
    assert (dbs.directory, dbs.directory_from) == ("/var/lib/clamav", "config")
    assert [db.model_dump() for db in dbs.databases] == [
        {
            "file": "daily.cud",
            "version": 27500,
            "signatures": 1,
            "build_time": "2026-10-15T23:19:43+00:00",
            "age_days": 45,
        }
    ]


def test_fresh_database_age_is_against_the_host_clock(recorded) -> None:
    text = recorded("antivirus/clamav-db-headers-fresh--hygie-dev.txt")
    (db,) = parse_databases(text, now_epoch=1795994605).databases
    assert (db.version, db.build_time, db.age_days) == (27500, "2026-11-29T23:16:34+00:00", 0)
    (later,) = parse_databases(text, now_epoch=1795994605 + 8 * 86400).databases
    assert later.age_days == 8


def test_header_without_build_epoch_uses_the_text_date() -> None:
    header = "ClamAV-VDB:28 Nov 2026 10-15 +0000:27834:2071032:90:X:X:builder:"
    assert parse_header(header) == (27834, 2071032, 1795860900)
    with pytest.raises(CollectionError, match="build time"):
        parse_header("ClamAV-VDB:yesterday:1:2:90:X:X:b:")


def test_packages_presence_cron_clock() -> None:
    packages = parse_packages(
        "manager dpkg\nii  clamav 1.4.3+dfsg-1~deb12u2\nrc  clamav-daemon 1.4.3\n"
        "ii  vim 9.0\nii  mdatp 101.24082.0004\n"
    )
    assert packages == {"clamav": "1.4.3+dfsg-1~deb12u2", "mdatp": "101.24082.0004"}
    with pytest.raises(CollectionError, match="manager"):
        parse_packages("ii  clamav 1.0\n")
    presence = parse_presence(
        "systemctl\nenabled clamav-daemon.service    disabled enabled\n"
        "enabled clamd@scan.service \nactive clamav-daemon.service inactive\n"
        "process clamd\nprocess bash\npath /usr/sbin/clamd\npath /etc/passwd\n"
    )
    assert presence.has_systemctl
    assert presence.units == {"clamav-daemon.service": ("inactive", "disabled")}
    assert (presence.processes, presence.paths) == ({"clamd"}, {"/usr/sbin/clamd"})
    assert parse_cron("cron /etc/cron.d/clamav-update\nnoise\n") == ["/etc/cron.d/clamav-update"]
    assert parse_clock("1795994446\n") == 1795994446
    with pytest.raises(CollectionError, match="epoch"):
        parse_clock("Sun Nov 29 2026\n")


@pytest.mark.parametrize("text", HOSTILE, ids=["binary", "markup", "huge", "colons", "epoch"])
def test_hostile_input_never_crashes(text: str) -> None:
    parsers: list[Callable[[str], object]] = [
        lambda t: parse_databases(t, 1795994446), parse_packages, parse_presence, parse_cron,
        parse_clock, parse_header,
    ]  # fmt: skip
    for parser in parsers:
        try:
            parser(text)
        except CollectionError as exc:
            assert len(exc.message) < 200


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """Each snippet is valid sh (dash on Debian) and the fact parses (no root needed)."""
    outputs = on_this_machine(FACT)
    for name, output in outputs.items():
        assert "syntax error" not in output.stderr, (name, output.stderr)
    facts = FACT.parse(outputs)
    assert isinstance(facts, AntivirusFacts)
    assert facts.clock_epoch > 1_700_000_000
