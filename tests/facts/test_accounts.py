"""Accounts fact: the passwd/shadow snippets run on written files (no hash ever leaves them),
the recorded Debian 12 sudoers, written sudoers shapes, hostile input, and a real run here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.facts.accounts import FACT, parse, parse_passwd, parse_shadow, parse_useradd_defaults
from scanner.facts.accounts_sudoers import parse_sudoers
from scanner.facts.base import CollectionError, CommandOutput

# Written for the test: one entry per password state and scheme; the hashes are made up.
SHADOW = """root:*:19000:0:99999:7:::
alice:$y$j9T$abcdefghijklmnop$0123456789012345678901234567890123456789012:20000:0:365:7:30::
bob:$1$saltsalt$qwertyuiopasdfghjklzx.:20000:0:99999:7:::
carol::20000:0:99999:7:::
dave:!$6$salt$hash:20000:0:99999:7:::
erin:abcdefghijklm:20000::::::
svc:!!:20000::::::
nis:x:20000::::::
broken
"""
PASSWD = """root:x:0:0:root:/root:/bin/bash
toor::0:0:Second Root,,,:/root:/bin/sh
alice:x:1000:1000:Alice Example,Room 1:/home/alice:/bin/bash
legacy:abcdefghijklm:1001:1001::/home/legacy:
+@netgroup::::::
broken:line
"""


def _run(on_this_machine, snippet: str, tmp_path: Path, name: str, content: str) -> str:
    """The snippet's stdout, run here with /etc/<name> replaced by a file holding `content`."""
    path = tmp_path / name
    path.write_text(content)
    output = on_this_machine({name: snippet.replace(f"/etc/{name}", str(path))})[name]
    assert output.rc == 0, output.stderr
    return output.stdout


def test_shadow_snippet_keeps_states_not_hashes(tmp_path: Path, on_this_machine) -> None:
    out = _run(on_this_machine, FACT.linux["shadow"], tmp_path, "shadow", SHADOW)
    assert "$" not in out.replace("$y$", "").replace("$1$", "").replace("$6$", "")
    assert "abcdefghijklm" not in out and "hash" not in out.replace(":hash:", "")
    entries = {
        e.name: (e.password, e.scheme, e.max_days, e.inactive_days) for e in parse_shadow(out)
    }
    assert entries == {
        "root": ("disabled", "", 99999, None),
        "alice": ("hash", "$y$", 365, 30),
        "bob": ("hash", "$1$", 99999, None),
        "carol": ("empty", "", 99999, None),
        "dave": ("locked", "$6$", 99999, None),
        "erin": ("hash", "des", None, None),
        "svc": ("locked", "", None, None),
        "nis": ("invalid", "", None, None),
    }


def test_passwd_snippet_drops_gecos_and_hashes(tmp_path: Path, on_this_machine) -> None:
    out = _run(on_this_machine, FACT.linux["passwd"], tmp_path, "passwd", PASSWD)
    assert "Alice Example" not in out and "abcdefghijklm" not in out
    users = {u.name: (u.uid, u.passwd_field, u.shell) for u in parse_passwd(out)}
    assert users == {
        "root": (0, "x", "/bin/bash"),
        "toor": (0, "empty", "/bin/sh"),
        "alice": (1000, "x", "/bin/bash"),
        "legacy": (1001, "other", ""),
    }


def test_debian12_default_sudoers(recorded) -> None:
    files = {
        "/etc/sudoers": recorded("accounts/debian12_sudoers.txt"),
        "/etc/sudoers.d/README": "#",
    }
    sudoers = parse_sudoers(files)
    assert sudoers.files == ["/etc/sudoers", "/etc/sudoers.d/README"]
    assert [(d.name, d.value, d.negated) for d in sudoers.defaults] == [
        ("env_reset", None, False),
        ("mail_badpass", None, False),
        ("secure_path", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", False),
        ("use_pty", None, False),
    ]
    assert [(r.principals, [(c.command, c.runas, c.nopasswd) for c in r.commands])
            for r in sudoers.rules] == [
        (["root"], [("ALL", "(ALL:ALL)", False)]),
        (["%sudo"], [("ALL", "(ALL:ALL)", False)]),
    ]  # fmt: skip


def test_sudoers_shapes_written() -> None:
    """Written for the test: aliases, tags carried over, skipped and unread includes."""
    main = (
        'Defaults:deploy !requiretty\nDefaults\tlogfile="/var/log/sudo.log", !syslog\n'
        "Cmnd_Alias EVERYTHING = ALL, /bin/ls\nUser_Alias ADMINS = alice, bob\n"
        "ADMINS ALL = (root) NOPASSWD: /usr/bin/systemctl restart app, PASSWD: ALL\n"
        "ci, %deploy ALL=(ALL : ALL) NOPASSWD:SETENV: EVERYTHING\n"
        "@includedir /etc/sudoers.d\n#include /etc/sudoers.local\n"
    )
    files = {
        "/etc/sudoers": main,
        "/etc/sudoers.d/hygie": "hygie ALL=(ALL) NOPASSWD:ALL\n",
        "/etc/sudoers.d/old.bak": "eve ALL=NOPASSWD: ALL\n",
        "/etc/sudoers.d/x~": "x ALL=ALL",
    }
    sudoers = parse_sudoers(files)
    assert sudoers.files == ["/etc/sudoers", "/etc/sudoers.d/hygie"]
    assert sudoers.unread_includes == ["/etc/sudoers.local"]
    assert [(d.scope, d.name, d.value, d.negated) for d in sudoers.defaults] == [
        (":deploy", "requiretty", None, True),
        ("", "logfile", "/var/log/sudo.log", False),
        ("", "syslog", None, True),
    ]
    admins, ci, hygie = sudoers.rules
    assert admins.principals == ["ADMINS"]
    assert [(c.command, c.nopasswd) for c in admins.commands] == [
        ("/usr/bin/systemctl restart app", True), ("ALL", False),
    ]  # fmt: skip
    assert ci.principals == ["ci", "%deploy"]
    assert [(c.command, c.runas, c.nopasswd) for c in ci.commands] == [
        ("ALL", "(ALL:ALL)", True), ("/bin/ls", "(ALL:ALL)", True),
    ]  # fmt: skip
    assert (hygie.principals, hygie.commands[0].nopasswd, hygie.file) == (
        ["hygie"], True, "/etc/sudoers.d/hygie",
    )  # fmt: skip


def test_sudoers_without_includedir_ignores_the_directory() -> None:
    sudoers = parse_sudoers(
        {"/etc/sudoers": "root ALL=(ALL) ALL\n", "/etc/sudoers.d/a": "b ALL=ALL"}
    )
    assert sudoers.files == ["/etc/sudoers"]


def test_useradd_defaults() -> None:
    text = "GROUP=100\nHOME=/home\nINACTIVE=-1\nEXPIRE=\nSHELL=/bin/sh\n<b>junk\n"
    assert parse_useradd_defaults(text)["INACTIVE"] == "-1"
    assert parse_useradd_defaults(text)["EXPIRE"] == ""


def test_hostile_input() -> None:
    junk = "\x00\xff\x1b[31m<html>root:x:0:0:/root:/bin/sh</html>\n" + "a:b\n" * 50_000
    assert parse_passwd(junk) == []
    assert parse_shadow(junk + "x:hash:$$$:1:2:3\nroot:hash:<b>:1:2:3\n") == []
    assert parse_sudoers({"/etc/sudoers": "\x00\x01 ALL=ALL\n<sudo>=</sudo>\n" * 1000}).files
    outputs = {
        "passwd": CommandOutput(junk),
        "shadow": CommandOutput(""),
        "useradd": CommandOutput("", "", 127),
        "sudoers": CommandOutput("", "", 127),
    }
    with pytest.raises(CollectionError, match="no account with UID 0"):
        parse(outputs)


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """As root the fact parses; as another user reading /etc/shadow is an error."""
    outputs = on_this_machine(FACT)
    if os.geteuid() != 0:
        with pytest.raises(CollectionError, match="needs root"):
            parse(outputs)
        return
    facts = parse(outputs)
    assert any(e.name == "root" for e in facts.shadow)
    assert facts.useradd_defaults.get("INACTIVE")
