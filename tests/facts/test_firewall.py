"""Firewall parsers against recorded outputs (tests/facts/firewall/), hostile input, snippets."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from scanner.facts.base import CollectionError
from scanner.facts.firewall import FACT, FirewallFacts
from scanner.facts.firewall_iptables import parse_iptables
from scanner.facts.firewall_nft import parse_nft_ruleset
from scanner.facts.firewall_services import (
    parse_firewalld,
    parse_ipv6,
    parse_ufw,
    parse_ufw_status,
    parse_unit_states,
)

HOSTILE = [
    b"\x00\xff\xfe binary \x1b[31m junk\n".decode("latin-1"),
    "<html><body><script>alert(1)</script></body></html>",
    "x" * 3_000_000,
    "[" * 100_000,
    "Chain INPUT (policy DROP)\n" * 10_000,
]


def test_nft_inet_policy_drop(recorded) -> None:
    state = parse_nft_ruleset(recorded("firewall/nft-inet-policy-drop--hygie-dev.txt"))
    assert state.version == "1.0.6"
    assert state.tables == ["inet filter"]
    assert [(c.name, c.hook, c.priority, c.policy, c.rules) for c in state.chains] == [
        ("input", "input", 0, "drop", 3),
        ("forward", "forward", 0, "drop", 0),
        ("output", "output", 0, "accept", 0),
    ]
    (chain,) = state.input_chains
    assert chain.model_dump() == {
        "chain": "inet filter input",
        "policy": "drop",
        "default": "drop",
        "rules": 3,
        "drops_traffic": True,
        "allowed_ports": ["tcp/22"],
        "families": ["ipv4", "ipv6"],
    }


def test_nft_debian_default_conf_filters_nothing(recorded) -> None:
    state = parse_nft_ruleset(recorded("firewall/nft-debian-default-conf--hygie-dev.txt"))
    (chain,) = state.input_chains
    assert (chain.policy, chain.default, chain.rules, chain.drops_traffic) == (
        "accept", "accept", 0, False,
    )  # fmt: skip


def test_nft_mixed_tables(recorded) -> None:
    state = parse_nft_ruleset(recorded("firewall/nft-mixed-tables--hygie-dev.txt"))
    assert state.tables == ["ip filter4", "ip6 filter6", "inet f2b-table", "netdev ingress_guard"]
    chains = {c.chain: c for c in state.input_chains}
    assert set(chains) == {"ip filter4 input", "ip6 filter6 input", "inet f2b-table f2b-chain"}
    ipv4 = chains["ip filter4 input"]
    assert (ipv4.policy, ipv4.default, ipv4.rules) == ("accept", "reject", 7)
    assert ipv4.allowed_ports == ["tcp/80", "tcp/8080", "tcp/@allowed_tcp", "udp/5000-5010"]
    ipv6 = chains["ip6 filter6 input"]  # the jump to `extra` drops port 9090 only
    assert (ipv6.default, ipv6.rules, ipv6.drops_traffic) == ("accept", 4, True)
    assert chains["inet f2b-table f2b-chain"].families == ["ipv4", "ipv6"]


def test_nft_firewalld_shape_follows_jump_and_goto(recorded) -> None:
    state = parse_nft_ruleset(recorded("firewall/nft-firewalld-shape--hygie-dev.txt"))
    (chain,) = state.input_chains
    assert (chain.chain, chain.policy, chain.default) == (
        "inet firewalld filter_INPUT", "accept", "reject",
    )  # fmt: skip
    assert chain.allowed_ports == ["tcp/22", "tcp/9090", "udp/546"]
    assert chain.rules == 17


def test_nft_and_iptables_views_of_ufw_agree(recorded) -> None:
    nft = parse_nft_ruleset(recorded("firewall/nft-ufw-iptables-nft--hygie-dev.txt"))
    (v4,) = parse_iptables(
        "iptables v1.8.9 (nf_tables)\n" + recorded("firewall/iptables-save-ufw--hygie-dev.txt")
    )
    (v6,) = parse_iptables(
        "ip6tables v1.8.9 (nf_tables)\n" + recorded("firewall/ip6tables-save-ufw--hygie-dev.txt"),
        "ip6",
    )
    by_family = {c.families[0]: c for c in nft.input_chains}
    for family, tables in (("ipv4", v4), ("ipv6", v6)):
        assert tables.input_chain is not None
        assert tables.input_chain.default == by_family[family].default == "drop"
        assert tables.input_chain.rules == by_family[family].rules
        assert tables.input_chain.allowed_ports == by_family[family].allowed_ports
    assert v4.variant == "nf_tables"
    assert len(v4.chains) == 35
    assert v4.input_chain is not None
    assert v4.input_chain.allowed_ports == [
        "tcp/22", "tcp/443", "udp/1900", "udp/443", "udp/5353", "udp/68",
    ]  # fmt: skip


def test_iptables_legacy_final_reject(recorded) -> None:
    text = "iptables v1.8.9 (legacy)\n" + recorded(
        "firewall/iptables-legacy-save-reject--hygie-dev.txt"
    )
    (state,) = parse_iptables(text)
    assert (state.version, state.variant) == ("1.8.9", "legacy")
    assert [c.model_dump() for c in state.chains] == [
        {"name": "INPUT", "policy": "ACCEPT", "rules": 5},
        {"name": "FORWARD", "policy": "ACCEPT", "rules": 0},
        {"name": "OUTPUT", "policy": "ACCEPT", "rules": 0},
    ]
    assert state.input_chain is not None
    assert (state.input_chain.default, state.input_chain.allowed_ports) == (
        "reject", ["tcp/22", "tcp/443", "tcp/80"],
    )  # fmt: skip


def test_iptables_two_variants_and_old_version() -> None:
    states = parse_iptables("iptables v1.8.9 (nf_tables)\niptables v1.8.9 (legacy)\n")
    assert [(s.variant, s.input_chain) for s in states] == [("nf_tables", None), ("legacy", None)]
    (old,) = parse_iptables("iptables v1.4.21\n*filter\n:INPUT DROP [0:0]\nCOMMIT\n")
    assert (old.variant, old.input_chain and old.input_chain.default) == ("legacy", "drop")


@pytest.mark.parametrize(
    "name", ["iptables-nvL-filter--jc-centos77.txt", "iptables-nvL-filter--jc-ubuntu1804.txt"]
)
def test_iptables_list_format_is_not_taken_for_save_output(recorded, name) -> None:
    with pytest.raises(CollectionError, match="iptables -V"):
        parse_iptables(recorded(f"firewall/{name}"))


def test_ufw_status_recorded(recorded) -> None:
    verbose = recorded("firewall/ufw-status-verbose--jc-ubuntu1804.txt")
    active, default, allowed = parse_ufw_status(verbose)
    assert (active, default, len(allowed)) == (True, "deny", 15)
    assert allowed[:3] == ["22", "80,443/tcp", "80 on eth0"]
    assert allowed[-1] == "1,2,100:200,300:400/udp (v6)"  # one space before ALLOW
    numbered = parse_ufw_status(recorded("firewall/ufw-status-numbered--jc-ubuntu1804.txt"))
    assert numbered == (True, None, allowed)
    assert parse_ufw_status(recorded("firewall/ufw-status-inactive--jc-generic.txt")) == (
        False, None, [],
    )  # fmt: skip


def test_ufw_with_conf_line(recorded) -> None:
    text = "ENABLED=yes\n" + recorded("firewall/ufw-status-verbose-deny--hygie-dev.txt")
    assert parse_ufw(text).model_dump() == {
        "enabled": True,
        "active": True,
        "default_incoming": "deny",
        "allowed_in": ["22/tcp", "443", "22/tcp (v6)", "443 (v6)"],
    }
    assert parse_ufw("ENABLED=no\n").model_dump() == {
        "enabled": False, "active": None, "default_incoming": None, "allowed_in": [],
    }  # fmt: skip


def test_firewalld_recorded(recorded) -> None:
    state = parse_firewalld(
        recorded("firewall/firewall-cmd-list-all-zones-excerpt--insights.txt"), 0
    )
    assert (state.running, state.default_zone) == (True, "public")
    assert [z.model_dump() for z in state.zones] == [
        {
            "name": "public",
            "active": True,
            "default": True,
            "target": "default",
            "interfaces": ["eno1"],
            "services": ["dhcpv6-client", "ssh"],
            "ports": [],
        }
    ]
    stopped = parse_firewalld(recorded("firewall/firewall-cmd-not-running--insights.txt"), 252)
    assert (stopped.running, stopped.zones) == (False, [])


def test_unit_states_and_ipv6() -> None:
    units = parse_unit_states(
        "nftables.service enabled enabled\nufw.service      disabled enabled\n",
        ("nftables.service", "ufw.service", "firewalld.service"),
    )
    assert units == {
        "nftables.service": "enabled", "ufw.service": "disabled", "firewalld.service": "not-found",
    }  # fmt: skip
    ipv6 = parse_ipv6(
        "disable_ipv6 1\n00000000000000000000000000000001 01 80 10 80       lo\n"
        "fe80000000000000f85caafffe82530d 02 40 20 80     eth0\n"
    )
    assert (ipv6.addresses, ipv6.disabled_on_all, ipv6.enabled) == (
        ["eth0 fe80::f85c:aaff:fe82:530d"], True, False,
    )  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE, ids=["binary", "markup", "huge", "nested", "list"])
def test_hostile_input_never_crashes(text: str) -> None:
    parsers: list[Callable[[str], object]] = [
        parse_nft_ruleset, parse_iptables, parse_ufw_status, parse_ufw, parse_ipv6,
        lambda t: parse_unit_states(t, ("nftables.service",)),
        lambda t: parse_firewalld(t, 0),
    ]  # fmt: skip
    for parser in parsers:
        try:
            parser(text)
        except CollectionError as exc:
            assert len(exc.message) < 200


def test_nft_json_of_the_wrong_shape() -> None:
    for text in ('{"nftables": {}}', "[]", '{"nftables": [{"rule": {"expr": 5}}, 7, "x"]}'):
        try:
            state = parse_nft_ruleset(text)
        except CollectionError:
            continue
        assert state.input_chains == []
    hostile_rule = {"nftables": [
        {"chain": {"family": "inet", "table": "t", "name": "in", "hook": "input",
                   "type": "filter", "prio": "x", "policy": "drop"}},
        {"rule": {"family": "inet", "table": "t", "chain": "in", "expr": [
            {"jump": {"target": "in"}}, {"match": None}, {"goto": "bad"}, {}]}},
    ]}  # fmt: skip
    (chain,) = parse_nft_ruleset(json.dumps(hostile_rule)).input_chains
    assert chain.default == "drop"


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """Each snippet is valid sh (dash on Debian); as root here, the whole fact parses."""
    outputs = on_this_machine(FACT)
    for name, output in outputs.items():
        assert "syntax error" not in output.stderr, (name, output.stderr)
    try:
        facts = FACT.parse(outputs)
    except CollectionError as exc:  # only when not root: nft and iptables-save refuse
        assert "root" in exc.stderr or "not permitted" in exc.stderr.lower(), exc
        return
    assert isinstance(facts, FirewallFacts)
