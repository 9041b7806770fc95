"""iptables / ip6tables filter tables: `iptables -V`, then the `*filter` part of iptables-save.

e.g. [IptablesState(version="1.8.9", variant="legacy", chains=[IptablesChain(name="INPUT",
policy="ACCEPT", rules=5)], input_chain=InboundChain(chain="ip filter INPUT", default="reject"))]
"""

from __future__ import annotations

import re
import shlex

from pydantic import BaseModel

from scanner.facts.base import CollectionError
from scanner.facts.firewall_chains import ChainRules, InboundChain, RuleVerdict, summarize

VERSION = re.compile(r"^ip6?tables v(?P<version>[\w.]+)(?: \((?P<variant>[\w-]+)\))?")
CHAIN = re.compile(r"^:(?P<name>\S+) (?P<policy>\S+)")
BUILTIN_VERDICTS = {"ACCEPT": "accept", "DROP": "drop", "REJECT": "reject", "RETURN": "return"}
PORT_OPTIONS = ("--dport", "--dports", "--destination-port", "--destination-ports")


class IptablesChain(BaseModel):
    name: str
    policy: str | None  # ACCEPT | DROP for built-in chains, None for user chains
    rules: int


class IptablesState(BaseModel):
    version: str
    variant: str  # nf_tables (its rules are also in the nftables ruleset) | legacy
    chains: list[IptablesChain]  # of the filter table; empty when no filter table is loaded
    input_chain: InboundChain | None  # INPUT summarized; None without a filter table


def _rule(tokens: list[str], user_chains: set[str]) -> RuleVerdict:
    """A rule from its `-A CHAIN ...` tokens."""
    jump = next((i for i, t in enumerate(tokens) if t in ("-j", "-g", "--jump", "--goto")), None)
    conditions = tokens[2 : jump if jump is not None else len(tokens)]
    unconditional = _unconditional(conditions)
    if jump is None or jump + 1 >= len(tokens):
        return RuleVerdict("none", unconditional)
    target = tokens[jump + 1]
    if target in BUILTIN_VERDICTS:
        ports = _ports(conditions) if target == "ACCEPT" else ()
        return RuleVerdict(BUILTIN_VERDICTS[target], unconditional, ports=ports)
    if target in user_chains:
        kind = "goto" if tokens[jump] in ("-g", "--goto") else "jump"
        return RuleVerdict(kind, unconditional, target)
    return RuleVerdict("none", unconditional)  # LOG, MARK, ...: non-terminating targets


def _unconditional(conditions: list[str]) -> bool:
    """No match option other than a comment: the rule matches every packet."""
    i = 0
    while i < len(conditions):
        if conditions[i : i + 2] == ["-m", "comment"] or conditions[i] == "--comment":
            i += 2
        else:
            return False
    return True


def _ports(conditions: list[str]) -> tuple[str, ...]:
    if "!" in conditions:
        return ()
    pairs = dict(zip(conditions, conditions[1:], strict=False))
    protocol = pairs.get("-p", "?")
    return tuple(
        f"{protocol}/{value.replace(':', '-')}"
        for option in PORT_OPTIONS
        if option in pairs
        for value in pairs[option].split(",")
    )


def parse_iptables(text: str, family: str = "ip") -> list[IptablesState]:
    """One state per `iptables -V` line (the default variant, then legacy if also present)."""
    sections: list[list[str]] = []
    for line in text.splitlines():
        if VERSION.match(line):
            sections.append([])
        if sections:
            sections[-1].append(line)
    if not sections:
        raise CollectionError("iptables: no `iptables -V` line: not the expected output")
    return [_parse_section(lines, family) for lines in sections]


def _parse_section(lines: list[str], family: str) -> IptablesState:
    version = VERSION.match(lines[0])
    assert version is not None  # parse_iptables starts each section at a version line
    chains: dict[str, ChainRules] = {}
    rule_lines: list[list[str]] = []
    table = ""
    for line in lines[1:]:
        if line.startswith("*"):
            table = line[1:].strip()
        elif table != "filter":
            continue
        elif match := CHAIN.match(line):
            policy = match["policy"].lower() if match["policy"] != "-" else None
            chains[match["name"]] = ChainRules(match["name"], policy)
        elif line.startswith("-A "):
            try:
                rule_lines.append(shlex.split(line))
            except ValueError:  # unbalanced quotes in a comment: keep the rule, as conditional
                rule_lines.append(["-A", line.split()[1], "-m", "unparsed"])
    for tokens in rule_lines:
        if len(tokens) > 1 and tokens[1] in chains:
            chains[tokens[1]].rules.append(_rule(tokens, set(chains)))
    variant = version["variant"] or "legacy"  # before 1.8, iptables had no nf_tables variant
    label = f"{family} filter INPUT"
    return IptablesState(
        version=version["version"],
        variant=variant,
        chains=[
            IptablesChain(name=c.name, policy=c.policy and c.policy.upper(), rules=len(c.rules))
            for c in chains.values()
        ],
        input_chain=summarize(label, chains, "INPUT") if "INPUT" in chains else None,
    )
