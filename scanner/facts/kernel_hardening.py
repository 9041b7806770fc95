"""KernelHardening facts: hardening sysctls as configured (sysctl.d files) and as in effect.

Example: {"ipv6_enabled": true, "effective": {"net.ipv4.ip_forward": "0", …},
"configured": {"net.ipv4.ip_forward": {"value": "0", "file": "/etc/sysctl.d/60-hygie.conf"}}}
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, Field

from scanner.facts.base import CollectionError, CommandOutput, Fact, require

_IPV4_PER_INTERFACE = [
    "accept_redirects", "secure_redirects", "send_redirects", "accept_source_route",
    "rp_filter", "log_martians",
]  # fmt: skip
_IPV6_PER_INTERFACE = ["accept_redirects", "accept_source_route", "forwarding"]
KEYS = [
    "net.ipv4.ip_forward",
    "net.ipv4.tcp_syncookies",
    *(
        f"net.ipv4.conf.{scope}.{name}"
        for name in _IPV4_PER_INTERFACE
        for scope in ("all", "default")
    ),
    *(
        f"net.ipv6.conf.{scope}.{name}"
        for name in _IPV6_PER_INTERFACE
        for scope in ("all", "default")
    ),
    "kernel.randomize_va_space",
    "kernel.kptr_restrict",
    "kernel.dmesg_restrict",
    "kernel.yama.ptrace_scope",
    "fs.suid_dumpable",
    "fs.protected_symlinks",
    "fs.protected_hardlinks",
]
MAX_OUTPUT = 1_000_000
_VALUE = re.compile(r"^[-0-9A-Za-z_. \t]{0,200}$")


class ConfiguredValue(BaseModel):
    value: str
    file: str  # the file whose assignment wins (the last one read, as systemd-sysctl does)


class KernelHardeningFacts(BaseModel):
    ipv6_enabled: bool  # /proc/sys/net/ipv6 exists (IPv6 keys are moot without it)
    effective: dict[str, str] = Field(
        default_factory=dict
    )  # /proc/sys values; absent keys left out
    configured: dict[str, ConfiguredValue] = Field(default_factory=dict)  # only the KEYS


def parse_effective(text: str) -> dict[str, str]:
    """`key = value` lines (our snippet's reading of /proc/sys) -> {key: value}; others skipped."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("the /proc/sys reading printed more than 1 MB")
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(" = ")
        if sep and key in KEYS and _VALUE.match(value):
            values[key] = " ".join(value.split())
    return values


def parse_configured(text: str) -> dict[str, ConfiguredValue]:
    """The winning assignment of each KEY from `==> file <==` headers and their setting lines.

    Files come in the order systemd-sysctl applies them, so a later assignment replaces an
    earlier one. Keys may use `/` instead of `.`; a leading `-` (ignore errors) is dropped.
    """
    if len(text) > MAX_OUTPUT:
        raise CollectionError("the sysctl configuration files printed more than 1 MB")
    configured: dict[str, ConfiguredValue] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("==> ") and line.endswith(" <=="):
            current = line[4:-4]
            continue
        key, sep, value = line.strip().partition("=")
        key = key.strip().lstrip("-").replace("/", ".")
        value = " ".join(value.split())
        if sep and current and key in KEYS and _VALUE.match(value):
            configured[key] = ConfiguredValue(value=value, file=current)
    return configured


def parse(outputs: Mapping[str, CommandOutput]) -> KernelHardeningFacts:
    effective = require(outputs, "effective")
    configured = require(outputs, "configured")
    lines = effective.stdout.splitlines()
    if not lines or not lines[0].startswith("ipv6 "):
        raise CollectionError("the /proc/sys reading did not start with its ipv6 line")
    return KernelHardeningFacts(
        ipv6_enabled=lines[0] == "ipv6 yes",
        effective=parse_effective(effective.stdout),
        configured=parse_configured(configured.stdout),
    )


# one grep for every key (a process per key would cost a fork each): "/proc/sys/a/b:value"
_READ_EFFECTIVE = (
    "[ -d /proc/sys/net/ipv6 ] && echo 'ipv6 yes' || echo 'ipv6 no'\n"
    "cd /proc/sys && grep -H '' "
    + " ".join(key.replace(".", "/") for key in KEYS)
    + " 2>/dev/null | sed 's|^\\([^:]*\\):|\\1 = |' | tr / . | head -n 200\n"
    "exit 0"
)
# systemd-sysctl order: files sorted by name across the directories, a name in an earlier
# directory hiding the same name in a later one; /etc/sysctl.conf last unless a file links to it.
_READ_CONFIGURED = r"""dirs="/etc/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d"
dirs="$dirs /lib/sysctl.d"
seen=""
for n in $(for d in $dirs; do ls "$d" 2>/dev/null; done | grep '\.conf$' | sort -u); do
  for d in $dirs; do
    [ -f "$d/$n" ] || continue
    r=$(readlink -f "$d/$n"); case " $seen " in *" $r "*) break;; esac
    seen="$seen $r"; echo "==> $d/$n <=="
    grep -E '^[[:space:]]*-?(net|kernel|fs)[./]' "$d/$n" | head -n 2000; break
  done
done
case " $seen " in *" /etc/sysctl.conf "*) ;; *)
  [ -f /etc/sysctl.conf ] && { echo "==> /etc/sysctl.conf <=="
    grep -E '^[[:space:]]*-?(net|kernel|fs)[./]' /etc/sysctl.conf | head -n 2000; };;
esac
exit 0"""

FACT = Fact(
    name="kernel_hardening",
    linux={"effective": _READ_EFFECTIVE, "configured": _READ_CONFIGURED},
    parse=parse,
)
