"""The nftables ruleset, from `nft -j -t list ruleset` (JSON, set contents left out).

e.g. NftablesState(version="1.0.6", tables=["inet filter"], chains=[NftChain(family="inet",
table="filter", name="input", hook="input", priority=0, policy="drop", rules=3)], ...)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from scanner.facts.base import CollectionError
from scanner.facts.firewall_chains import ChainRules, InboundChain, RuleVerdict, summarize

# Statements that act on every packet without matching: a rule made only of these (and a
# verdict) matches everything. Anything else (match, xt, limit, ...) makes it conditional.
NON_MATCHING = {"counter", "log", "accept", "drop", "reject", "jump", "goto", "return", "continue"}
VERDICTS = ("accept", "drop", "reject", "jump", "goto", "return")
INPUT_FAMILIES = {"ip": ("ipv4",), "ip6": ("ipv6",), "inet": ("ipv4", "ipv6")}


class NftChain(BaseModel):
    family: str
    table: str
    name: str
    hook: str | None = None  # None: a regular chain, only reached by jump/goto
    type: str | None = None
    priority: int | None = None
    policy: str | None = None
    rules: int = 0


class NftInputChain(InboundChain):
    families: list[str]  # ipv4, ipv6: the traffic this chain sees


class NftablesState(BaseModel):
    version: str
    tables: list[str]  # "inet filter", "ip6 nat"
    chains: list[NftChain]
    input_chains: list[NftInputChain]  # base filter chains on the input hook, summarized


def _verdict(exprs: list[Any]) -> RuleVerdict:
    keys = [next(iter(e)) for e in exprs if isinstance(e, dict) and len(e) == 1]
    unconditional = len(keys) == len(exprs) and all(k in NON_MATCHING for k in keys)
    for expr in reversed(exprs):
        if not isinstance(expr, dict) or len(expr) != 1:
            continue
        key, value = next(iter(expr.items()))
        if key in VERDICTS:
            target = value.get("target", "") if isinstance(value, dict) else ""
            ports = _accepted_ports(exprs) if key == "accept" else ()
            return RuleVerdict(key, unconditional, str(target), ports)
    return RuleVerdict("none", unconditional)


def _port_values(right: Any) -> list[str]:
    if isinstance(right, bool):
        return []
    if isinstance(right, int | str):
        return [str(right)]
    if isinstance(right, dict) and isinstance(right.get("range"), list):
        return ["-".join(str(v) for v in right["range"])]
    if isinstance(right, dict) and isinstance(right.get("set"), list):
        return [value for item in right["set"] for value in _port_values(item)]
    return []


def _accepted_ports(exprs: list[Any]) -> tuple[str, ...]:
    ports: list[str] = []
    for expr in exprs:
        match = expr.get("match") if isinstance(expr, dict) else None
        if not isinstance(match, dict) or match.get("op", "==") not in ("==", "in"):
            continue
        left = match.get("left")
        payload = left.get("payload") if isinstance(left, dict) else None
        if isinstance(payload, dict) and payload.get("field") == "dport":
            protocol = str(payload.get("protocol", "?"))
            ports += [f"{protocol}/{value}" for value in _port_values(match.get("right"))]
    return tuple(ports)


def _objects(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CollectionError(f"nft -j list ruleset: not JSON ({type(exc).__name__})") from exc
    items = data.get("nftables") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CollectionError("nft -j list ruleset: no 'nftables' list in the JSON")
    return [item for item in items if isinstance(item, dict) and len(item) == 1]


def parse_nft_ruleset(text: str) -> NftablesState:
    """Parse `nft -j -t list ruleset`; unknown objects and malformed entries are skipped."""
    version, tables = "", []
    chains: dict[tuple[str, str, str], NftChain] = {}
    graphs: dict[tuple[str, str], dict[str, ChainRules]] = {}
    for item in _objects(text):
        kind, body = next(iter(item.items()))
        if not isinstance(body, dict):
            continue
        family, table = str(body.get("family", "")), str(body.get("table", ""))
        if kind == "metainfo":
            version = str(body.get("version", ""))
        elif kind == "table":
            tables.append(f"{family} {body.get('name', '')}")
        elif kind == "chain":
            chain = _chain(body, family, table)
            chains[(family, table, chain.name)] = chain
            graphs.setdefault((family, table), {})[chain.name] = ChainRules(
                chain.name, chain.policy if chain.hook else None
            )
        elif kind == "rule" and isinstance(body.get("expr"), list):
            graph = graphs.get((family, table), {})
            name = str(body.get("chain", ""))
            if name in graph:
                graph[name].rules.append(_verdict(body["expr"]))
                chains[(family, table, name)].rules += 1
    return NftablesState(
        version=version,
        tables=tables,
        chains=list(chains.values()),
        input_chains=_input_chains(chains.values(), graphs),
    )


def _chain(body: dict[str, Any], family: str, table: str) -> NftChain:
    priority = body.get("prio")
    return NftChain(
        family=family,
        table=table,
        name=str(body.get("name", "")),
        hook=str(body["hook"]) if body.get("hook") else None,
        type=str(body["type"]) if body.get("type") else None,
        priority=priority if isinstance(priority, int) and not isinstance(priority, bool) else None,
        policy=str(body["policy"]) if body.get("policy") else None,
    )


def _input_chains(
    chains: Iterable[NftChain], graphs: dict[tuple[str, str], dict[str, ChainRules]]
) -> list[NftInputChain]:
    found = []
    for chain in chains:
        if chain.hook != "input" or chain.type != "filter" or chain.family not in INPUT_FAMILIES:
            continue
        label = f"{chain.family} {chain.table} {chain.name}"
        summary = summarize(label, graphs[(chain.family, chain.table)], chain.name)
        found.append(
            NftInputChain(**summary.model_dump(), families=list(INPUT_FAMILIES[chain.family]))
        )
    return found
