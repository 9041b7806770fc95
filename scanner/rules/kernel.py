"""Checks of kernel and network hardening sysctls: each set in the sysctl files AND in effect."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from scanner.facts import Facts
from scanner.models import Result
from scanner.rules.outcome import failed, not_applicable, passed

Accept = Callable[[int], bool]


def _both(family: str, *names: str) -> list[str]:
    return [f"net.{family}.conf.{where}.{name}" for name in names for where in ("all", "default")]


def _expect(facts: Facts, wanted: Mapping[str, Accept], expected: str) -> Result:
    """Passes when each sysctl is configured (winning file assignment) and effective as accepted.

    IPv6 keys are skipped when the host has no IPv6 stack. `expected` words the accepted values.
    """
    assert facts.kernel_hardening is not None  # the engine never calls a check without its facts
    kernel = facts.kernel_hardening
    seen: dict[str, dict[str, str | None]] = {}
    wrong: list[str] = []
    for key, accept in wanted.items():
        if key.startswith("net.ipv6.") and not kernel.ipv6_enabled:
            continue
        configured = kernel.configured.get(key)
        seen[key] = {
            "configured": configured.value if configured else None,
            "file": configured.file if configured else None,
            "effective": kernel.effective.get(key),
        }
        for where in ("configured", "effective"):
            value = seen[key][where]
            if value is None or not value.lstrip("-").isdigit() or not accept(int(value)):
                wrong.append(f"{key} {where} {value if value is not None else 'unset'}")
    if wrong:
        return failed(f"expected {expected}: " + ", ".join(wrong), **seen)
    return passed(f"{', '.join(seen)}: {expected}, configured and effective", **seen)


def _equals(value: int) -> Accept:
    return lambda seen: seen == value


def kernel_network_ip_forwarding_disabled(facts: Facts, forwarding_allowed: bool) -> Result:
    """Passes when IPv4 and IPv6 forwarding are off, in the sysctl files and in effect."""
    if forwarding_allowed:
        return not_applicable("forwarding is allowed on this host (parameter forwarding_allowed)")
    keys = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]
    return _expect(facts, dict.fromkeys(keys, _equals(0)), "0")


def kernel_network_redirects_disabled(facts: Facts) -> Result:
    """Passes when ICMP redirects are neither accepted nor sent (IPv4 and IPv6, all and default)."""
    keys = [
        *_both("ipv4", "accept_redirects", "secure_redirects", "send_redirects"),
        *_both("ipv6", "accept_redirects"),
    ]
    return _expect(facts, dict.fromkeys(keys, _equals(0)), "0")


def kernel_network_source_route_disabled(facts: Facts) -> Result:
    """Passes when source-routed packets are refused (IPv4 and IPv6, all and default)."""
    keys = [*_both("ipv4", "accept_source_route"), *_both("ipv6", "accept_source_route")]
    return _expect(facts, dict.fromkeys(keys, _equals(0)), "0")


def kernel_network_rp_filter_enabled(facts: Facts, allowed_values: list[int]) -> Result:
    """Passes when reverse-path filtering (all and default) is one of the allowed modes."""
    accept: Accept = lambda seen: seen in allowed_values  # noqa: E731
    wording = " or ".join(str(value) for value in allowed_values)
    return _expect(facts, dict.fromkeys(_both("ipv4", "rp_filter"), accept), wording)


def kernel_network_syncookies_enabled(facts: Facts) -> Result:
    """Passes when TCP SYN cookies are on (net.ipv4.tcp_syncookies = 1)."""
    return _expect(facts, {"net.ipv4.tcp_syncookies": _equals(1)}, "1")


def kernel_network_martians_logged(facts: Facts) -> Result:
    """Passes when packets with impossible source addresses are logged (all and default)."""
    return _expect(facts, dict.fromkeys(_both("ipv4", "log_martians"), _equals(1)), "1")


def kernel_aslr_enabled(facts: Facts) -> Result:
    """Passes when full address space layout randomisation is on (kernel.randomize_va_space = 2)."""
    return _expect(facts, {"kernel.randomize_va_space": _equals(2)}, "2")


def kernel_pointer_and_dmesg_restricted(facts: Facts, min_kptr_restrict: int) -> Result:
    """Passes when kernel pointers are hidden (kptr_restrict ≥ minimum) and dmesg is root-only."""
    wanted: dict[str, Accept] = {
        "kernel.kptr_restrict": lambda seen: seen >= min_kptr_restrict,
        "kernel.dmesg_restrict": _equals(1),
    }
    return _expect(facts, wanted, f"kptr_restrict >= {min_kptr_restrict}, dmesg_restrict 1")


def kernel_ptrace_restricted(facts: Facts, min_ptrace_scope: int) -> Result:
    """Passes when Yama restricts ptrace (kernel.yama.ptrace_scope ≥ the minimum)."""
    wanted: dict[str, Accept] = {"kernel.yama.ptrace_scope": lambda seen: seen >= min_ptrace_scope}
    return _expect(facts, wanted, f">= {min_ptrace_scope}")


def kernel_core_dumps_restricted(facts: Facts) -> Result:
    """Passes when setuid programs never dump core (fs.suid_dumpable = 0)."""
    return _expect(facts, {"fs.suid_dumpable": _equals(0)}, "0")


def kernel_protected_links(facts: Facts) -> Result:
    """Passes when symlink and hardlink protections are on (fs.protected_symlinks/hardlinks = 1)."""
    keys = ["fs.protected_symlinks", "fs.protected_hardlinks"]
    return _expect(facts, dict.fromkeys(keys, _equals(1)), "1")
