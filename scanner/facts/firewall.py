"""Firewall facts: what the kernel filters inbound (nftables, iptables), front-ends, boot state.

e.g. FirewallFacts(ipv4=InboundFiltering(chains=["inet filter input"], filtered=True,
default_deny=True, allowed_ports=["tcp/22"]), boot_firewalls=["nftables.service"], ...)
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.firewall_chains import InboundChain
from scanner.facts.firewall_iptables import IptablesState, parse_iptables
from scanner.facts.firewall_nft import NftablesState, parse_nft_ruleset
from scanner.facts.firewall_services import (
    FirewalldState,
    Ipv6State,
    UfwState,
    parse_firewalld,
    parse_ipv6,
    parse_ufw,
    parse_unit_states,
)

BOOT_UNITS = tuple(
    f"{name}.service"
    for name in ("nftables", "ufw", "firewalld", "netfilter-persistent", "iptables", "ip6tables")
)
ENABLED_STATES = ("enabled", "enabled-runtime")


class InboundFiltering(BaseModel):
    """Inbound traffic of one IP version: the chains it crosses, and what they do with it."""

    chains: list[str]  # "inet filter input (nftables)", "ip filter INPUT (iptables legacy)"
    filtered: bool  # at least one of them drops or rejects some traffic
    default_deny: bool  # at least one of them drops or rejects what no rule allowed
    allowed_ports: list[str]  # accepted by port in those chains: "tcp/22" (named sets: "tcp/@x")


class FirewallFacts(BaseModel):
    ipv4: InboundFiltering
    ipv6: InboundFiltering
    ipv6_state: Ipv6State
    nftables: NftablesState | None  # None: nft is not installed
    iptables: list[IptablesState] | None  # the default variant, then legacy; None: not installed
    ip6tables: list[IptablesState] | None
    ufw: UfwState | None  # None: ufw is not installed
    firewalld: FirewalldState | None  # None: firewalld is not installed
    boot_units: dict[str, str] | None  # unit -> `systemctl is-enabled`; None: no systemctl
    boot_firewalls: list[str] | None  # firewall units enabled at boot (ufw: with ENABLED=yes)


def _optional(outputs: Mapping[str, CommandOutput], name: str) -> CommandOutput | None:
    """The output of `name`, None when the tool is not installed (exit 127)."""
    out = outputs.get(name)
    if out is not None and out.missing:
        return None
    return require(outputs, name)


def _nft(outputs: Mapping[str, CommandOutput]) -> NftablesState | None:
    out = _optional(outputs, "nft")
    if out is not None and not out.stdout.strip():  # rc is head's: nft's failure shows here
        raise CollectionError("nft list ruleset printed nothing", out.stderr)
    return parse_nft_ruleset(out.stdout) if out else None


def _iptables(
    outputs: Mapping[str, CommandOutput], name: str, family: str
) -> list[IptablesState] | None:
    out = _optional(outputs, name)
    return parse_iptables(out.stdout, family) if out else None


def _inbound(
    nft: NftablesState | None, tables: list[IptablesState] | None, family: str
) -> InboundFiltering:
    """nftables already shows iptables-nft rules: count iptables only when it is legacy or
    when nft is not installed (then iptables-nft is the only view of the nftables ruleset)."""
    chains: list[tuple[str, InboundChain]] = []
    if nft is not None:
        chains += [("nftables", c) for c in nft.input_chains if family in c.families]
    for state in tables or []:
        if state.input_chain and (nft is None or state.variant == "legacy"):
            chains.append((f"iptables {state.variant}", state.input_chain))
    return InboundFiltering(
        chains=[f"{c.chain} ({source})" for source, c in chains],
        filtered=any(c.drops_traffic for _, c in chains),
        default_deny=any(c.default in ("drop", "reject") for _, c in chains),
        allowed_ports=sorted({port for _, c in chains for port in c.allowed_ports}),
    )


def _boot_firewalls(units: dict[str, str] | None, ufw: UfwState | None) -> list[str] | None:
    if units is None:
        return None
    enabled = [unit for unit, state in units.items() if state in ENABLED_STATES]
    if "ufw.service" in enabled and not (ufw and ufw.enabled):
        enabled.remove("ufw.service")  # ufw.service loads nothing unless ufw.conf ENABLED=yes
    return enabled


def parse(outputs: Mapping[str, CommandOutput]) -> FirewallFacts:
    nft = _nft(outputs)
    iptables = _iptables(outputs, "iptables", "ip")
    ip6tables = _iptables(outputs, "ip6tables", "ip6")
    ufw_out = _optional(outputs, "ufw")
    ufw = parse_ufw(ufw_out.stdout) if ufw_out else None
    firewalld_out = outputs.get("firewalld")
    firewalld = None
    if firewalld_out is not None and not firewalld_out.missing:
        firewalld = parse_firewalld(firewalld_out.stdout, firewalld_out.rc, firewalld_out.stderr)
    units_out = _optional(outputs, "boot_units")
    units = parse_unit_states(units_out.stdout, BOOT_UNITS) if units_out else None
    return FirewallFacts(
        ipv4=_inbound(nft, iptables, "ipv4"),
        ipv6=_inbound(nft, ip6tables, "ipv6"),
        ipv6_state=parse_ipv6(require(outputs, "ipv6").stdout),
        nftables=nft,
        iptables=iptables,
        ip6tables=ip6tables,
        ufw=ufw,
        firewalld=firewalld,
        boot_units=units,
        boot_firewalls=_boot_firewalls(units, ufw),
    )


# iptables-save dumps only the tables already loaded (iptables -L would load kernel modules).
# Legacy tables are invisible to the nf_tables variant: dump them too when they can exist.
_IPTABLES = """command -v {cmd}-save >/dev/null 2>&1 || exit 127
filter() {{ awk '/^\\*/ {{keep = ($1 == "*filter")}} keep' | head -n 5000; }}
{cmd} -V 2>&1 | head -n 1
rules=$({cmd}-save) || exit $?
printf '%s\\n' "$rules" | filter
case $({cmd} -V 2>&1) in *nf_tables*) command -v {cmd}-legacy-save >/dev/null 2>&1 || exit 0;;
  *) exit 0;; esac
{cmd}-legacy -V 2>&1 | head -n 1
rules=$({cmd}-legacy-save) || exit $?
printf '%s\\n' "$rules" | filter"""

FACT = Fact(
    name="firewall",
    linux={
        # -t: no set elements (a fail2ban set can hold thousands); rc lost to head: see _nft
        "nft": "command -v nft >/dev/null 2>&1 || exit 127\n"
        "nft -j -t list ruleset | head -c 4000000",
        "iptables": _IPTABLES.format(cmd="iptables"),
        "ip6tables": _IPTABLES.format(cmd="ip6tables"),
        # `ufw status` costs ~0.2 s of Python: only asked when ufw.conf says ufw is enabled
        "ufw": "command -v ufw >/dev/null 2>&1 || exit 127\n"
        "grep -s '^ENABLED=' /etc/ufw/ufw.conf\n"
        "if grep -qs '^ENABLED=yes' /etc/ufw/ufw.conf; then ufw status verbose; fi",
        # firewall-cmd costs ~0.3 s: not started when systemd says firewalld is stopped
        "firewalld": "command -v firewall-cmd >/dev/null 2>&1 || exit 127\n"
        "if [ -d /run/systemd/system ] && ! systemctl is-active --quiet firewalld.service; then\n"
        "  echo 'FirewallD is not running'; exit 252\nfi\n"
        "firewall-cmd --list-all-zones",
        # list-unit-files reads unit files from disk: works without a running systemd
        "boot_units": "command -v systemctl >/dev/null 2>&1 || exit 127\n"
        f"systemctl list-unit-files --no-legend --no-pager {' '.join(BOOT_UNITS)} 2>/dev/null\n"
        "exit 0",
        "ipv6": "if [ -r /proc/sys/net/ipv6/conf/all/disable_ipv6 ]; then\n"
        '  echo "disable_ipv6 $(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)"\n'
        "else echo 'disable_ipv6 absent'; fi\n"
        "head -n 200 /proc/net/if_inet6 2>/dev/null; exit 0",
    },
    parse=parse,
)
