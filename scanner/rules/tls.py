"""Checks of TLS on the host's servers: configured versions and ciphers, and real handshakes."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.tls import TlsFacts
from scanner.facts.tls_config import LEGACY, postfix_weak_grade, weak_cipher_words
from scanner.models import Result
from scanner.rules.outcome import failed, not_applicable, passed

NO_TLS_SERVER = "no nginx, Apache, Postfix, Dovecot, MariaDB/MySQL or PostgreSQL serving TLS"


def _tls(facts: Facts) -> TlsFacts:
    assert facts.tls is not None  # the engine never calls a check without its facts
    return facts.tls


def tls_services_min_version_12(facts: Facts) -> Result:
    """Passes when every server that serves TLS allows only TLS 1.2 and newer."""
    serving = [service for service in _tls(facts).services if service.tls_enabled]
    if not serving:
        return not_applicable(NO_TLS_SERVER)
    seen = {s.name: {"protocols": s.protocols, "settings": s.settings} for s in serving}
    legacy = {s.name: [v for v in s.protocols if v in LEGACY] for s in serving}
    weak = {name: versions for name, versions in legacy.items() if versions}
    if weak:
        listed = "; ".join(f"{name} allows {', '.join(v)}" for name, v in weak.items())
        return failed(listed, **seen)
    return passed(f"TLS 1.2+ only on {', '.join(seen)}", **seen)


def tls_weak_ciphers_absent(facts: Facts) -> Result:
    """Passes when no configured cipher string enables NULL, EXPORT, RC4, DES or MD5 suites."""
    serving = [service for service in _tls(facts).services if service.tls_enabled]
    if not serving:
        return not_applicable(NO_TLS_SERVER)
    weak: dict[str, list[str]] = {}
    for service in serving:
        for cipher in service.ciphers:
            words = weak_cipher_words(cipher)
            if service.name == "postfix" and postfix_weak_grade(cipher):
                words = [cipher]
            if words:
                weak.setdefault(service.name, []).extend(words)
    if weak:
        listed = "; ".join(f"{name}: {', '.join(words)}" for name, words in weak.items())
        return failed(f"weak ciphers enabled: {listed}", **weak)
    configured = {s.name: s.ciphers for s in serving}
    return passed(f"no weak cipher in {', '.join(configured)}", **configured)


def tls_legacy_handshake_refused(facts: Facts) -> Result:
    """Passes when no probed TLS port completes a TLS 1.0 or TLS 1.1 handshake with the scanner."""
    probes = [probe for probe in _tls(facts).handshakes if probe.tls]
    if not probes:
        return not_applicable("no TLS port was probed from the scanner")
    seen = {
        f"{p.address}:{p.port}": {"version": p.version, "legacy_accepted": p.legacy_accepted}
        for p in probes
    }
    accepting = [name for name, found in seen.items() if found["legacy_accepted"]]
    if accepting:
        return failed(f"TLS 1.0/1.1 accepted on {', '.join(accepting)}", **seen)
    return passed(f"TLS 1.0 and 1.1 refused on {', '.join(seen)}", **seen)
