"""Checks of the firewall area: inbound filtering, default deny (IPv4, IPv6), start at boot."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.firewall import FirewallFacts, InboundFiltering
from scanner.models import Result
from scanner.rules.outcome import failed, manual, not_applicable, passed


def _firewall(facts: Facts) -> FirewallFacts:
    assert facts.firewall is not None  # the engine never calls a check without its facts
    return facts.firewall


def _evidence(inbound: InboundFiltering) -> dict:
    return {"chains": inbound.chains, "allowed_ports": inbound.allowed_ports}


def _default_deny(inbound: InboundFiltering, version: str) -> Result:
    if inbound.default_deny:
        return passed(f"inbound {version} traffic is denied by default", **_evidence(inbound))
    if not inbound.chains:
        return failed(f"no firewall chain on the inbound {version} path", **_evidence(inbound))
    return failed(f"inbound {version} traffic no rule allows is accepted", **_evidence(inbound))


def firewall_inbound_filtering_active(facts: Facts) -> Result:
    """Passes when a chain on the inbound IPv4 path drops or rejects some traffic."""
    inbound = _firewall(facts).ipv4
    if inbound.filtered:
        return passed("a host firewall filters inbound IPv4 traffic", **_evidence(inbound))
    if not inbound.chains:
        return failed("no firewall rules are loaded for inbound IPv4 traffic", chains=[])
    return failed("the loaded firewall chains drop nothing inbound", **_evidence(inbound))


def firewall_inbound_default_deny(facts: Facts) -> Result:
    """Passes when inbound IPv4 traffic that no rule allows is dropped or rejected."""
    return _default_deny(_firewall(facts).ipv4, "IPv4")


def firewall_ipv6_inbound_default_deny(facts: Facts) -> Result:
    """Passes when inbound IPv6 traffic that no rule allows is dropped or rejected."""
    state = _firewall(facts).ipv6_state
    if not state.enabled:
        return not_applicable(
            "IPv6 cannot reach this host",
            ipv6_module_loaded=state.module_loaded,
            disable_ipv6_all=state.disabled_on_all,
            ipv6_addresses=state.addresses,
        )
    return _default_deny(_firewall(facts).ipv6, "IPv6")


def firewall_enabled_at_boot(facts: Facts) -> Result:
    """Passes when a firewall unit (nftables, ufw with ENABLED=yes, firewalld, ...) is enabled."""
    firewall = _firewall(facts)
    if firewall.boot_firewalls is None:
        return manual("no systemctl: check how the firewall rules are restored at boot")
    if firewall.boot_firewalls:
        return passed(
            f"enabled at boot: {', '.join(firewall.boot_firewalls)}",
            enabled_units=firewall.boot_firewalls,
        )
    ufw_note = " (ufw.conf has ENABLED=no)" if firewall.ufw and not firewall.ufw.enabled else ""
    return failed(
        f"no firewall unit is enabled at boot{ufw_note}",
        enabled_units=[],
        units=firewall.boot_units,
    )
