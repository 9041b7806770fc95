"""Session lock fact: recorded gsettings (Ubuntu GNOME desktop, Debian 12 schema defaults),
written TMOUT, dconf and KDE shapes, hostile input, and the snippets run on this machine."""

from __future__ import annotations

from scanner.facts.session_lock import FACT, parse
from scanner.facts.session_lock_parsers import (
    parse_dconf_locks,
    parse_gsettings,
    parse_kde_screenlocker,
    parse_tmout,
)

LOCKED = [
    "/org/gnome/desktop/session/idle-delay",
    "/org/gnome/desktop/screensaver/lock-enabled",
    "/org/gnome/desktop/screensaver/lock-delay",
]


def test_ubuntu_gnome_desktop(recorded) -> None:
    settings = parse_gsettings(recorded("session_lock/ubuntu_gnome_gsettings_list_recursively.txt"))
    assert settings == {
        "lock-enabled": "true",
        "idle-activation-enabled": "true",
        "lock-delay": "uint32 0",
        "idle-delay": "uint32 300",
    }


def test_debian12_schema_defaults(recorded) -> None:
    settings = parse_gsettings(recorded("session_lock/debian12_gsettings_schema_defaults.txt"))
    assert settings["idle-delay"] == "uint32 300"
    assert settings["lock-delay"] == "uint32 0"


def test_tmout_statements() -> None:
    """Written for the test: the forms found in CIS/CaC remediations and in the wild."""
    text = (
        "TMOUT=900\nreadonly TMOUT\nexport TMOUT\n# TMOUT=5\n"
        'if [ -z "$x" ]; then readonly TMOUT=600; export TMOUT; fi\n'
        "export readonly TMOUT=300\ndeclare -xr TMOUT=120\nTMOUT=${TMOUT:-900}\necho $TMOUT\n"
    )
    found = [(s.line, s.value, s.raw, s.readonly, s.exported) for s in parse_tmout("/p", text)]
    assert found == [
        (1, 900, "900", False, False),
        (2, None, "", True, False),
        (3, None, "", False, True),
        (5, 600, "600", True, False),
        (5, None, "", False, True),
        (6, 300, "300", False, True),  # "export readonly" exports a variable named readonly
        (7, 120, "120", True, True),
        (8, None, "${TMOUT:-900}", False, False),
    ]


def test_dconf_locks_count_only_databases_of_the_profile() -> None:
    files = {
        "/etc/dconf/profile/user": "user-db:user\nsystem-db:local\n",
        "/etc/dconf/db/local.d/locks/screensaver": "\n".join(LOCKED) + "\n# comment\n",
        "/etc/dconf/db/gdm.d/locks/x": "/org/gnome/desktop/session/idle-delay\n",
        "/etc/dconf/db/site.d/locks/y": "/org/gnome/desktop/lockdown/disable-lock-screen\n",
    }
    assert parse_dconf_locks(files) == LOCKED
    assert parse_dconf_locks({k: v for k, v in files.items() if "profile" not in k}) == []


def test_kde_screenlocker() -> None:
    text = "[Daemon][$i]\nAutolock=true\nTimeout=10\nLockGrace=0\n[Greeter]\nTimeout=99\n"
    assert parse_kde_screenlocker(text) == {
        "autolock": "true", "timeout_minutes": 10, "lock_grace_seconds": 0, "immutable": True,
    }  # fmt: skip
    assert parse_kde_screenlocker("[Daemon]\nTimeout=abc\n") == {
        "autolock": None, "timeout_minutes": None, "lock_grace_seconds": None, "immutable": False,
    }  # fmt: skip


def test_hostile_input() -> None:
    junk = "\x00\xff\x1b[31m<script>TMOUT=1</script>\nTMOUT=\x00900\n" + "TMOUT" * 100_000
    assert [s.value for s in parse_tmout("/p", junk)] == []
    assert parse_gsettings("org.gnome.desktop.session idle-delay \x00<b>\n" * 1000) == {}
    assert parse_dconf_locks({"/etc/dconf/db/../../x/locks/a": "/a"}) == []
    assert parse_kde_screenlocker("[Daemon]\n" + "Timeout=" + "9" * 5000) == {
        "autolock": None, "timeout_minutes": None, "lock_grace_seconds": None, "immutable": False,
    }  # fmt: skip


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """Every file read is world-readable: the fact parses as root and as any user."""
    outputs = on_this_machine(FACT)
    facts = parse(outputs)
    if outputs["gsettings"].rc == 0 and "org.gnome" in outputs["gsettings"].stdout:
        assert facts.gnome.get("idle-delay", "").startswith("uint32 ")
    assert set(facts.desktops) <= {"gnome", "kde", "xfce", "cinnamon", "mate", "lxqt"}
