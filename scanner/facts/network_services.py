"""NetworkServices facts: listening sockets with their processes, legacy clear-text servers.

Example: {"scanned_as_root": true, "package_manager": "dpkg", "legacy_packages": ["telnetd"],
"inetd_services": ["telnet"], "listeners": [{"protocol": "tcp", "address": "0.0.0.0", "port": 22,
"processes": ["sshd"], "loopback": false}]}
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from scanner.facts.base import CollectionError, CommandOutput, Fact, require

# Server packages of clear-text remote access and file transfer (Debian/Ubuntu and RHEL names).
LEGACY_PACKAGES = [
    "telnetd", "inetutils-telnetd", "telnetd-ssl", "telnet-server",
    "rsh-server", "rsh-redone-server",
    "ftpd", "inetutils-ftpd", "vsftpd", "proftpd", "proftpd-basic", "proftpd-core",
    "pure-ftpd", "pure-ftpd-mysql", "pure-ftpd-postgresql",
    "tftpd", "tftpd-hpa", "atftpd", "inetutils-tftpd", "tftp-server",
]  # fmt: skip
# inetd.conf service names of the same protocols (shell/login/exec = rsh, rlogin, rexec)
LEGACY_INETD = ["telnet", "shell", "login", "exec", "ftp", "tftp"]
MAX_OUTPUT = 2_000_000
_PROCESS = re.compile(r'\("([^"]{1,64})",pid=\d+')
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_-]{0,127}$")


Manager = Literal["dpkg", "rpm"] | None


class Listener(BaseModel):
    protocol: Literal["tcp", "udp"]
    address: str  # "0.0.0.0", "::", "*", "127.0.0.53%lo" as ss prints it (brackets removed)
    port: int
    processes: list[str] = Field(default_factory=list)  # empty: not visible (not root, other netns)
    loopback: bool


class NetworkServicesFacts(BaseModel):
    scanned_as_root: bool  # without root, ss shows only the scanning user's processes
    package_manager: Manager
    legacy_packages: list[str] = Field(default_factory=list)  # installed, from LEGACY_PACKAGES
    inetd_services: list[str] = Field(default_factory=list)  # active legacy lines in inetd.conf
    listeners: list[Listener] = Field(default_factory=list)


def _is_loopback(address: str) -> bool:
    host, _, interface = address.partition("%")
    if interface == "lo":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # "*" and anything unexpected: treated as exposed
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped and mapped.is_loopback))


def parse_ss(text: str) -> list[Listener]:
    """Listeners from `ss -H -tulpn` (Netid State Recv-Q Send-Q Local Peer [users:(...)]).

    Lines that do not have this shape are skipped.
    """
    if len(text) > MAX_OUTPUT:
        raise CollectionError("ss printed more than 2 MB")
    listeners = []
    for line in text.splitlines():
        fields = line.split(None, 6)
        if len(fields) < 6 or fields[0] not in ("tcp", "udp"):
            continue
        address, sep, port = fields[4].rpartition(":")
        if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not address:
            continue
        address = address.removeprefix("[").replace("]", "")
        if not address.isprintable() or len(address) > 80:
            continue
        found = _PROCESS.findall(fields[6]) if len(fields) > 6 else []
        processes = list(dict.fromkeys(name for name in found if name.isprintable()))
        listeners.append(
            Listener(
                protocol="tcp" if fields[0] == "tcp" else "udp",
                address=address,
                port=int(port),
                processes=processes,
                loopback=_is_loopback(address),
            )
        )
    return listeners


def parse_inventory(text: str) -> tuple[bool, Manager, list[str], list[str]]:
    """(as root, package manager, installed legacy packages, legacy inetd services).

    Lines: `uid N`, `manager dpkg|rpm|none`, `pkg <dpkg status> <name>` or `pkg <name>` (rpm),
    `inetd <service>`; anything else is skipped.
    """
    if len(text) > MAX_OUTPUT:
        raise CollectionError("the package inventory printed more than 2 MB")
    uid: int | None = None
    manager: Manager = None
    packages: list[str] = []
    inetd: list[str] = []
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        words = rest.split()
        if kind == "uid" and rest.isdigit():
            uid = int(rest)
        elif kind == "manager":
            manager = "dpkg" if rest == "dpkg" else "rpm" if rest == "rpm" else None
        elif kind == "pkg" and words and words[-1] in LEGACY_PACKAGES:
            # dpkg: "ii " = installed; a removed package keeps "rc"; rpm prints installed only
            if len(words) == 1 or (len(words) == 2 and words[0][1:2] == "i"):
                packages.append(words[-1])
        elif kind == "inetd" and rest in LEGACY_INETD:
            inetd.append(rest)
    if uid is None:
        raise CollectionError("the package inventory did not report the scanning uid")
    return uid == 0, manager, sorted(set(packages)), sorted(set(inetd))


def parse(outputs: Mapping[str, CommandOutput]) -> NetworkServicesFacts:
    sockets = outputs.get("ss")
    if sockets is None:
        raise CollectionError("ss: no output")
    if sockets.missing:
        raise CollectionError("ss (iproute2) is not installed: the listening sockets are unknown")
    if sockets.rc != 0:
        raise CollectionError(f"ss exited with {sockets.rc}", sockets.stderr)
    as_root, manager, packages, inetd = parse_inventory(require(outputs, "inventory").stdout)
    return NetworkServicesFacts(
        scanned_as_root=as_root,
        package_manager=manager,
        legacy_packages=packages,
        inetd_services=inetd,
        listeners=parse_ss(sockets.stdout),
    )


_PACKAGES = " ".join(LEGACY_PACKAGES)
_INVENTORY = f"""echo "uid $(id -u)"
if command -v dpkg-query >/dev/null 2>&1; then
  echo 'manager dpkg'
  dpkg-query -W -f='pkg ${{db:Status-Abbrev}} ${{Package}}\\n' {_PACKAGES} 2>/dev/null
elif command -v rpm >/dev/null 2>&1; then
  echo 'manager rpm'
  rpm -q --qf 'pkg %{{NAME}}\\n' {_PACKAGES} 2>/dev/null | grep '^pkg '
else
  echo 'manager none'
fi
[ -r /etc/inetd.conf ] && grep -E '^[[:space:]]*({"|".join(LEGACY_INETD)})[[:space:]]' \\
  /etc/inetd.conf | awk '{{print "inetd " $1}}' | head -n 100
exit 0"""

FACT = Fact(
    name="network_services",
    linux={
        "ss": "command -v ss >/dev/null 2>&1 || exit 127\nss -H -tulpn | head -n 5000",
        "inventory": _INVENTORY,
    },
    parse=parse,
)
