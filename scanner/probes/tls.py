"""Real TLS handshakes from the scanner: which legacy versions a port accepts, what it negotiates.

`await probe_tls("10.0.0.5", [443, 993], timeout=3.0)` -> [TlsProbe(port=443, tls=True,
version="TLSv1.3", legacy_accepted=["TLSv1"]), …]. Direct TLS only: STARTTLS ports are not probed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import warnings

from scanner.facts import Facts
from scanner.facts.tls import TlsProbe

# Ports that speak TLS from the first byte (HTTPS, SMTPS, submissions, LDAPS, IMAPS, POP3S, …)
IMPLICIT_TLS_PORTS = {443, 465, 636, 853, 990, 993, 995, 5986, 6697, 8443, 9443}
WEB_SERVERS = {"nginx", "apache2", "httpd", "haproxy", "caddy", "traefik"}
LEGACY_VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}


def tls_probe_ports(facts: Facts) -> list[int]:
    """The ports to probe: non-loopback TCP listeners on a TLS port, or of a web server."""
    if facts.network_services is None:
        return []
    return sorted(
        {
            item.port
            for item in facts.network_services.listeners
            if item.protocol == "tcp"
            and not item.loopback
            and (item.port in IMPLICIT_TLS_PORTS or WEB_SERVERS & set(item.processes))
        }
    )


def _context(only: ssl.TLSVersion | None) -> ssl.SSLContext:
    """A client that verifies nothing (we test protocols, not identity); `only` pins a version."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if only is not None:
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is what we look for
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = only
            context.maximum_version = only
        context.set_ciphers("ALL:@SECLEVEL=0")  # OpenSSL 3 refuses TLS < 1.2 at level 1 and up
    return context


async def _handshake(
    address: str, port: int, context: ssl.SSLContext, timeout: float
) -> tuple[str | None, str | None]:
    """(version, cipher) of a completed handshake; raises OSError/ssl.SSLError/TimeoutError."""
    _, writer = await asyncio.wait_for(
        asyncio.open_connection(address, port, ssl=context, server_hostname=None), timeout
    )
    try:
        tls = writer.get_extra_info("ssl_object")
        cipher = writer.get_extra_info("cipher")
        return (tls.version() if tls else None), (cipher[0] if cipher else None)
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), timeout)


async def _probe_port(address: str, port: int, timeout: float) -> TlsProbe:
    try:
        version, cipher = await _handshake(address, port, _context(None), timeout)
        result = TlsProbe(address=address, port=port, tls=True, version=version, cipher=cipher)
    except ssl.SSLError as exc:  # it answered, but not with a TLS 1.2+ handshake we accept
        result = TlsProbe(address=address, port=port, tls=False, error=f"no TLS 1.2+: {exc.reason}")
    except (OSError, TimeoutError) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
        return TlsProbe(address=address, port=port, tls=False, error=f"unreachable: {reason}")
    for name, pinned in LEGACY_VERSIONS.items():
        try:
            await _handshake(address, port, _context(pinned), timeout)
        except (OSError, ssl.SSLError, TimeoutError):
            continue
        result.legacy_accepted.append(name)
    if not result.tls and result.legacy_accepted:
        result.error = None  # legacy-only server: it does speak TLS
        result.tls = True
    return result


async def probe_tls(address: str, ports: list[int], timeout: float) -> list[TlsProbe]:
    """Probe each port of `address` concurrently: a normal, a TLS 1.0 and a TLS 1.1 handshake."""
    return list(await asyncio.gather(*(_probe_port(address, port, timeout) for port in ports)))
