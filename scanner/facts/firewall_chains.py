"""What a chain on the input path does with traffic no rule allowed, whatever tool built it.

e.g. InboundChain(chain="inet filter input", policy="drop", default="drop", rules=3, ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

TERMINAL = ("accept", "drop", "reject")
MAX_DEPTH = 16  # jump nesting followed; real rulesets (firewalld, ufw) nest 3-4 deep


@dataclass(frozen=True)
class RuleVerdict:
    """One rule reduced to what matters here: its verdict, and whether it matches everything."""

    verdict: str  # accept | drop | reject | jump | goto | return | none (counter, log, ...)
    unconditional: bool
    target: str = ""  # the chain of a jump or goto
    ports: tuple[str, ...] = ()  # destination ports it matches, "tcp/22", "udp/5000-5010"


@dataclass
class ChainRules:
    name: str
    policy: str | None  # accept | drop for a base (built-in) chain, None for a user chain
    rules: list[RuleVerdict] = field(default_factory=list)


class InboundChain(BaseModel):
    """A chain that inbound packets traverse (nftables input hook, or iptables INPUT)."""

    chain: str  # "inet filter input", "ip filter INPUT"
    policy: str  # accept | drop
    default: str  # what unmatched traffic gets: policy, or the first unconditional verdict
    rules: int  # rules in the chain and the chains it jumps to
    drops_traffic: bool  # some traffic is dropped or rejected (a rule, or the default)
    allowed_ports: list[str]


def _first_unconditional(chains: dict[str, ChainRules], name: str, seen: set[str]) -> str | None:
    """The verdict of the first rule that matches everything, following unconditional jumps."""
    for rule in chains[name].rules:
        if not rule.unconditional:
            continue
        if rule.verdict in TERMINAL:
            return rule.verdict
        if rule.verdict == "return":
            return None
        if rule.verdict in ("jump", "goto") and rule.target in chains:
            if rule.target in seen or len(seen) >= MAX_DEPTH:
                continue
            verdict = _first_unconditional(chains, rule.target, seen | {rule.target})
            if verdict is not None:
                return verdict
            if rule.verdict == "goto":  # a goto's return ends the calling chain too
                return None
    return None


def _reachable(chains: dict[str, ChainRules], name: str) -> list[ChainRules]:
    """The chain and every chain it can jump or go to, each once, in discovery order."""
    order, todo = [name], [name]
    while todo:
        for rule in chains[todo.pop()].rules:
            if rule.target in chains and rule.target not in order:
                order.append(rule.target)
                todo.append(rule.target)
    return [chains[n] for n in order]


def summarize(label: str, chains: dict[str, ChainRules], name: str) -> InboundChain:
    """Summarize base chain `name` of a table (`chains` holds every chain of that table)."""
    policy = chains[name].policy or "accept"
    default = _first_unconditional(chains, name, {name}) or policy
    reachable = _reachable(chains, name)
    rules = [rule for chain in reachable for rule in chain.rules]
    ports = sorted({port for rule in rules if rule.verdict == "accept" for port in rule.ports})
    drops = default != "accept" or any(rule.verdict in ("drop", "reject") for rule in rules)
    return InboundChain(
        chain=label,
        policy=policy,
        default=default,
        rules=len(rules),
        drops_traffic=drops,
        allowed_ports=ports,
    )
