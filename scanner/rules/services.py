"""Checks of the attack surface: no clear-text legacy servers, only expected listening services."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.network_services import Listener, NetworkServicesFacts
from scanner.models import Result
from scanner.rules.outcome import error, failed, passed

# telnet 23, ftp 21, rexec 512, rlogin 513, rsh 514 over TCP; tftp 69 over UDP (514/udp is syslog)
LEGACY_PORTS = {("tcp", 21), ("tcp", 23), ("tcp", 512), ("tcp", 513), ("tcp", 514), ("udp", 69)}


def _services(facts: Facts) -> NetworkServicesFacts:
    assert facts.network_services is not None  # the engine never calls a check without its facts
    return facts.network_services


def _socket(listener: Listener) -> str:
    address = f"[{listener.address}]" if ":" in listener.address else listener.address
    processes = ",".join(listener.processes) or "process unknown"
    return f"{listener.protocol} {address}:{listener.port} ({processes})"


def services_legacy_cleartext_absent(facts: Facts) -> Result:
    """Passes when no telnet, rsh/rlogin/rexec, ftp or tftp server is installed or listening."""
    services = _services(facts)
    sockets = [
        _socket(item) for item in services.listeners if (item.protocol, item.port) in LEGACY_PORTS
    ]
    evidence = {
        "packages": services.legacy_packages,
        "inetd_services": services.inetd_services,
        "sockets": sockets,
    }
    if services.legacy_packages or services.inetd_services or sockets:
        found = [*services.legacy_packages, *(f"inetd {name}" for name in services.inetd_services)]
        return failed("clear-text legacy service: " + ", ".join([*found, *sockets]), **evidence)
    return passed("no telnet, rsh, rlogin, ftp or tftp server found", **evidence)


def _allowed(listener: Listener, allowed_listeners: list[str]) -> bool:
    # systemd holds the sockets of socket-activated services (Ubuntu's ssh.socket): judge the
    # service beside it; a socket held by systemd alone must be allowed by name
    names = [name for name in listener.processes if name != "systemd"] or listener.processes
    if not names:
        return False
    return all(
        name in allowed_listeners or f"{name}:{listener.port}" in allowed_listeners
        for name in names
    )


def services_listening_allowed(facts: Facts, allowed_listeners: list[str]) -> Result:
    """Passes when every non-loopback listening socket belongs to an allowed process."""
    services = _services(facts)
    exposed = [item for item in services.listeners if not item.loopback]
    if not services.scanned_as_root and any(not item.processes for item in exposed):
        return error("ss shows other users' processes only to root: scan as root or with become")
    unexpected = sorted(
        {_socket(item) for item in exposed if not _allowed(item, allowed_listeners)}
    )
    if unexpected:
        return failed(f"{len(unexpected)} unexpected listening socket(s)", unexpected=unexpected)
    ports = sorted({f"{item.protocol}/{item.port}" for item in exposed})
    return passed(f"{len(exposed)} listening socket(s), all expected", ports=ports)
