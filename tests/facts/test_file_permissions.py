"""File permissions fact: stat lines recorded on this machine's shapes, written RHEL 9 shapes,
hostile input, and the snippets run on this machine."""

from __future__ import annotations

import pytest

from scanner.facts.base import CollectionError, CommandOutput
from scanner.facts.file_permissions import FACT, parse, parse_files, parse_homes


def test_stat_lines() -> None:
    """Debian 12 lines as recorded here, and RHEL 9's mode 0 shadow (written for the test)."""
    files = parse_files(
        "644|root|root|regular file|/etc/passwd\n640|root|shadow|regular file|/etc/shadow\n"
        "0|root|root|regular file|/etc/gshadow\n755|root|root|directory|/etc/cron.d\n"
        "777|root|root|symbolic link|/etc/ssh/sshd_config.d/x|y.conf\n"
    )
    assert {path: (f.mode, f.owner, f.group, f.kind) for path, f in files.items()} == {
        "/etc/passwd": ("0644", "root", "root", "regular file"),
        "/etc/shadow": ("0640", "root", "shadow", "regular file"),
        "/etc/gshadow": ("0000", "root", "root", "regular file"),
        "/etc/cron.d": ("0755", "root", "root", "directory"),
        "/etc/ssh/sshd_config.d/x|y.conf": ("0777", "root", "root", "symbolic link"),
    }
    assert files["/etc/shadow"].bits == 0o640


def test_home_lines() -> None:
    homes, missing = parse_homes(
        "alice\t700|alice|alice|directory|/home/alice\nbob\tmissing\n"
        "carol\t2775|root|UNKNOWN|directory|/srv/carol home\n"
    )
    assert [(h.user, h.path, h.mode, h.owner, h.group) for h in homes] == [
        ("alice", "/home/alice", "0700", "alice", "alice"),
        ("carol", "/srv/carol home", "2775", "root", "UNKNOWN"),
    ]
    assert missing == ["bob"]


def test_hostile_input() -> None:
    junk = "\x00\xff\x1b[31m<b>644|root|root|regular file|/etc/passwd</b>\n" * 10_000
    assert parse_files(junk + "999|root|root|regular file|/x\n") == {}
    assert parse_homes("\x00\t700|a|a|directory|/h\n<i>\tmissing\x07\n") == ([], [])
    outputs = {"files": CommandOutput(junk), "home_directories": CommandOutput("")}
    with pytest.raises(CollectionError, match="nothing for /etc/passwd"):
        parse(outputs)


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    outputs = on_this_machine(FACT)
    facts = parse(outputs)
    assert facts.files["/etc/passwd"].owner == "root"
    assert "/etc/shadow" in facts.files
