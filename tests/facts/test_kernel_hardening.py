"""kernel_hardening parsers against the recorded /proc/sys reading and sysctl.d files (Debian 12
dev machine), written override orders, hostile input, and the snippets run here."""

from __future__ import annotations

import pytest

from scanner.facts.base import CollectionError, CommandOutput
from scanner.facts.kernel_hardening import (
    FACT,
    KEYS,
    ConfiguredValue,
    parse,
    parse_configured,
    parse_effective,
)

LINKS = "/usr/lib/sysctl.d/99-protect-links.conf"


def test_debian12_dev_effective(recorded) -> None:
    values = parse_effective(recorded("kernel_hardening/debian12_dev_effective.txt"))
    assert values["net.ipv4.conf.all.accept_redirects"] == "1"
    assert values["net.ipv4.conf.default.accept_source_route"] == "1"
    assert values["kernel.randomize_va_space"] == "2"
    assert values["kernel.kptr_restrict"] == "0"
    assert values["fs.protected_symlinks"] == "0"
    assert "kernel.yama.ptrace_scope" not in values  # no Yama in the host's kernel
    assert len(values) == len(KEYS) - 1


def test_debian12_dev_configured(recorded) -> None:
    configured = parse_configured(recorded("kernel_hardening/debian12_dev_configured.txt"))
    assert configured == {
        "fs.protected_hardlinks": ConfiguredValue(value="1", file=LINKS),
        "fs.protected_symlinks": ConfiguredValue(value="1", file=LINKS),
    }  # kernel.pid_max and fs.protected_fifos are not hardening KEYS


def test_last_assignment_wins_and_syntax_variants() -> None:
    # written for the test: a distribution default overridden by an admin file, then sysctl.conf
    text = (
        "==> /usr/lib/sysctl.d/50-default.conf <==\n"
        "net.ipv4.conf.all.rp_filter = 2\n-net.ipv4.conf.default.rp_filter=2\n"
        "==> /etc/sysctl.d/60-hardening.conf <==\n"
        "net/ipv4/conf/all/rp_filter = 1\n  kernel.kptr_restrict  =  2 \n"
        "==> /etc/sysctl.conf <==\n"
        "kernel.kptr_restrict = 1\n"
    )
    configured = parse_configured(text)
    assert configured["net.ipv4.conf.all.rp_filter"] == ConfiguredValue(
        value="1", file="/etc/sysctl.d/60-hardening.conf"
    )
    assert configured["net.ipv4.conf.default.rp_filter"].value == "2"
    assert configured["kernel.kptr_restrict"] == ConfiguredValue(value="1", file="/etc/sysctl.conf")


def test_hostile_input() -> None:
    assert parse_configured("kernel.kptr_restrict = 2\n") == {}  # no file header: ignored
    assert parse_effective("kernel.kptr_restrict = <b>2</b>\n\x00\xff") == {}
    with pytest.raises(CollectionError, match="more than 1 MB"):
        parse_effective("x = 1\n" * 300_000)
    outputs = {"effective": CommandOutput("<html>\n"), "configured": CommandOutput("")}
    with pytest.raises(CollectionError, match="ipv6 line"):
        parse(outputs)


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    outputs = on_this_machine(FACT)
    facts = parse(outputs)
    assert facts.effective["kernel.randomize_va_space"] in ("0", "1", "2")
    assert set(facts.configured) <= set(KEYS)
