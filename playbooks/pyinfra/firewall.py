"""pyinfra deploys of the firewall rules, twins of roles/hygie_linux/tasks/firewall_*.yml: the
same inbound-deny nftables ruleset (the role's template), SSH ports kept open, checked with
nft -c before it replaces /etc/nftables.conf, loaded in one transaction; on at boot."""

from __future__ import annotations

from hygie_ops import Lines, keep_open_ports, nft_ruleset
from pyinfra import host
from pyinfra.api import deploy
from pyinfra.operations import systemd


def _ruleset() -> None:
    managers = host.get_fact(Lines, script=(
        "systemctl is-active --quiet firewalld.service && echo firewalld; "
        "grep -qsx 'ENABLED=yes' /etc/ufw/ufw.conf && echo ufw; true"))
    if managers:
        raise ValueError(f"{' and '.join(managers)} manages this host's firewall: Hygie does "
                         "not override it. Set its default inbound policy to deny instead.")
    allowed = host.data.get("hygie_firewall_allowed_tcp_ports") or []
    nft_ruleset(name="Write and load the inbound-deny nftables ruleset",
                ports=keep_open_ports(allowed))


@deploy("firewall_inbound_filtering_active")
def firewall_inbound_filtering_active() -> None:
    _ruleset()


@deploy("firewall_inbound_default_deny")
def firewall_inbound_default_deny() -> None:
    _ruleset()


@deploy("firewall_ipv6_inbound_default_deny")
def firewall_ipv6_inbound_default_deny() -> None:
    _ruleset()


@deploy("firewall_enabled_at_boot")
def firewall_enabled_at_boot() -> None:
    systemd.service(name="Load the nftables ruleset at boot", service="nftables.service",
                    running=None, enabled=True)
