"""Firewall front-ends and host context: ufw, firewalld, units enabled at boot, IPv6 state.

e.g. UfwState(enabled=True, active=True, default_incoming="deny", allowed_in=["22/tcp"]),
Ipv6State(module_loaded=True, disabled_on_all=False, addresses=["eth0 fe80::1"])
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from pydantic import BaseModel, computed_field

from scanner.facts.base import CollectionError

NOT_RUNNING = "FirewallD is not running"
FIREWALLD_NOT_RUNNING_RC = 252
RULE = re.compile(
    r"^(?:\[\s*\d+\]\s*)?(?P<to>.+?)\s+"  # "[ 1] " in `ufw status numbered`
    r"(?P<action>ALLOW|DENY|REJECT|LIMIT)(?: (?P<way>IN|OUT|FWD))?\s"
)


class UfwState(BaseModel):
    enabled: bool  # ENABLED=yes in /etc/ufw/ufw.conf: ufw loads its rules at boot
    active: bool | None  # `ufw status`; None when not asked (ufw.conf says disabled)
    default_incoming: str | None  # deny | reject | allow
    allowed_in: list[str]  # the "To" column of ALLOW IN / LIMIT IN rules


class FirewalldZone(BaseModel):
    name: str
    active: bool
    default: bool
    target: str  # default | ACCEPT | DROP | %%REJECT%%
    interfaces: list[str]
    services: list[str]
    ports: list[str]


class FirewalldState(BaseModel):
    running: bool
    default_zone: str | None
    zones: list[FirewalldZone]  # the active zones and the default zone


class Ipv6State(BaseModel):
    module_loaded: bool  # /proc/sys/net/ipv6 exists (not booted with ipv6.disable=1)
    disabled_on_all: bool | None  # net.ipv6.conf.all.disable_ipv6 = 1
    addresses: list[str]  # non-loopback addresses, "eth0 fe80::1"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def enabled(self) -> bool:
        """IPv6 can reach this host: loaded, not disabled, with a non-loopback address."""
        return self.module_loaded and not self.disabled_on_all and bool(self.addresses)


def parse_ufw_status(text: str) -> tuple[bool, str | None, list[str]]:
    """`ufw status [verbose|numbered]` -> (active, default incoming policy, allowed rules)."""
    status = re.search(r"^Status: (\w+)", text, re.M)
    if not status:
        raise CollectionError("ufw status: no 'Status:' line")
    default = re.search(r"^Default: (\w+) \(incoming\)", text, re.M)
    allowed = []
    in_table = False
    for line in text.splitlines():
        if line.lstrip().startswith("--"):
            in_table = True
        elif (
            in_table
            and (match := RULE.match(line.strip() + " "))
            and match["action"] in ("ALLOW", "LIMIT")
            and match["way"] in (None, "IN")
        ):
            allowed.append(match["to"])
    return status[1] == "active", default[1] if default else None, allowed


def parse_ufw(text: str) -> UfwState:
    """The ufw snippet: `ENABLED=` from ufw.conf, then `ufw status verbose` when enabled."""
    enabled_lines = re.findall(r"^ENABLED=(\S*)", text, re.M)
    status_text = "\n".join(line for line in text.splitlines() if not line.startswith("ENABLED="))
    enabled = bool(enabled_lines) and enabled_lines[-1].strip("\"'") == "yes"
    if not status_text.strip():
        return UfwState(enabled=enabled, active=None, default_incoming=None, allowed_in=[])
    active, default, allowed = parse_ufw_status(status_text)
    return UfwState(enabled=enabled, active=active, default_incoming=default, allowed_in=allowed)


def parse_firewalld_zones(text: str) -> list[FirewalldZone]:
    """`firewall-cmd --list-all-zones` (or `--list-all`): the active and default zones."""
    zones: list[dict] = []
    key = ""
    for line in text.splitlines():
        if line and not line[0].isspace():
            header = re.match(r"^(\S+)(?: \((?P<flags>[^)]*)\))?\s*$", line)
            if not header:
                raise CollectionError(f"firewall-cmd: unexpected line {line[:60]!r}")
            flags = header["flags"] or ""
            zones.append(
                {
                    "name": header[1],
                    "active": "active" in flags,
                    "default": "default" in flags,
                    "fields": {},
                }
            )
        elif zones and (field := re.match(r"^\s+([a-z0-9 -]+):\s?(.*)$", line)):
            key = field[1]
            zones[-1]["fields"][key] = field[2].split()
        elif zones and key and line.strip():  # continuation of a multi-line value
            zones[-1]["fields"][key] += [line.strip()]
    return [
        FirewalldZone(
            name=zone["name"],
            active=zone["active"],
            default=zone["default"],
            target=" ".join(zone["fields"].get("target", [])),
            interfaces=zone["fields"].get("interfaces", []),
            services=zone["fields"].get("services", []),
            ports=zone["fields"].get("ports", []),
        )
        for zone in zones
        if zone["active"] or zone["default"]
    ]


def parse_firewalld(text: str, rc: int, stderr: str = "") -> FirewalldState:
    if rc == FIREWALLD_NOT_RUNNING_RC or NOT_RUNNING in text or NOT_RUNNING in stderr:
        return FirewalldState(running=False, default_zone=None, zones=[])
    if rc != 0:
        raise CollectionError(f"firewall-cmd exited with {rc}", stderr)
    zones = parse_firewalld_zones(text)
    default = next((zone.name for zone in zones if zone.default), None)
    return FirewalldState(running=True, default_zone=default, zones=zones)


def parse_unit_states(text: str, units: Iterable[str]) -> dict[str, str]:
    """`systemctl list-unit-files` lines `<unit> <state> [<preset>]`; unlisted: not-found."""
    states = dict.fromkeys(units, "not-found")
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] in states:
            states[fields[0]] = fields[1]
    return states


def parse_ipv6(text: str) -> Ipv6State:
    """`disable_ipv6 <0|1|absent>` then /proc/net/if_inet6 lines."""
    flag = re.search(r"^disable_ipv6 (\S+)", text, re.M)
    if not flag:
        raise CollectionError("ipv6: no disable_ipv6 line")
    addresses = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 6 or len(fields[0]) != 32 or fields[5] == "lo":
            continue
        try:
            address = ipaddress.IPv6Address(int(fields[0], 16))
        except ValueError:
            continue
        if not address.is_loopback:
            addresses.append(f"{fields[5]} {address.compressed}")
    return Ipv6State(
        module_loaded=flag[1] != "absent",
        disabled_on_all={"0": False, "1": True}.get(flag[1]),
        addresses=addresses[:32],
    )
