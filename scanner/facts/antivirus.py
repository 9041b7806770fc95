"""Antivirus facts: ClamAV (packages, clamd, freshclam, signature age) and Linux EDR agents.

e.g. AntivirusFacts(engines=[AntivirusEngine(name="clamav", installed=True, running=True,
enabled_at_boot=True, signature_version="27500", signature_age_days=1, auto_update=True)], ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from scanner.facts.antivirus_clamav import ClamavDatabases, parse_databases
from scanner.facts.antivirus_presence import (
    AGENTS,
    ALL_PACKAGES,
    ALL_PATHS,
    ALL_PROCESSES,
    ALL_UNITS,
    FRESHCLAM_UNIT,
    Presence,
    parse_clock,
    parse_cron,
    parse_packages,
    parse_presence,
)
from scanner.facts.base import CommandOutput, Fact, require

ENABLED_STATES = ("enabled", "enabled-runtime")


class AntivirusEngine(BaseModel):
    name: str  # clamav, microsoft_defender, crowdstrike_falcon, sentinelone, sophos, eset, ...
    installed: bool  # its package or install directory is present
    running: bool  # its service is active or its process runs
    enabled_at_boot: bool | None  # its service starts at boot; None: no systemd to ask
    signatures: Literal["read", "missing", "managed_by_agent"]
    signature_version: str | None  # None where the agent keeps its own, unreadable here
    signature_age_days: int | None
    auto_update: bool | None  # None: the agent updates itself, not observable here


class FreshclamState(BaseModel):
    running: bool
    enabled_at_boot: bool | None
    cron_files: list[str]  # cron files that run freshclam


class AntivirusFacts(BaseModel):
    engines: list[AntivirusEngine]  # only the engines found on the host
    clock_epoch: int  # the host's clock when collected: ages are computed against it
    clamav_packages: dict[str, str]  # installed package -> version
    clamav_databases: ClamavDatabases | None  # None: ClamAV is not installed
    freshclam: FreshclamState | None  # None: ClamAV is not installed
    units: dict[str, list[str]]  # unit -> [active state, is-enabled state] ("-": unknown)
    processes: list[str]


def _enabled(presence: Presence, units: tuple[str, ...]) -> bool | None:
    if not presence.has_systemctl:
        return None
    return any(presence.units.get(unit, ("-", "-"))[1] in ENABLED_STATES for unit in units)


def _engine(name: str, presence: Presence, packages: dict[str, str]) -> AntivirusEngine | None:
    agent = AGENTS[name]
    installed = any(p in packages for p in agent.packages) or any(
        path in presence.paths for path in agent.paths
    )
    running = any(presence.units.get(u, ("-",))[0] == "active" for u in agent.units) or any(
        process in presence.processes for process in agent.processes
    )
    if not (installed or running):
        return None
    return AntivirusEngine(
        name=name,
        installed=installed,
        running=running,
        enabled_at_boot=_enabled(presence, agent.units),
        signatures="managed_by_agent",
        signature_version=None,
        signature_age_days=None,
        auto_update=None,
    )


def _clamav(engine: AntivirusEngine, dbs: ClamavDatabases, freshclam: FreshclamState) -> None:
    """Fill in what ClamAV lets us read: the newest database, and freshclam's state."""
    engine.auto_update = freshclam.running or bool(freshclam.cron_files)
    if not dbs.databases:
        engine.signatures = "missing"
        return
    newest = min(dbs.databases, key=lambda db: db.age_days)
    daily = next((db for db in dbs.databases if db.file.startswith("daily.")), newest)
    engine.signatures = "read"
    engine.signature_version = str(daily.version)
    engine.signature_age_days = newest.age_days


def parse(outputs: Mapping[str, CommandOutput]) -> AntivirusFacts:
    clock = parse_clock(require(outputs, "clock").stdout)
    packages = parse_packages(require(outputs, "packages").stdout)
    presence = parse_presence(require(outputs, "presence").stdout)
    engines = [e for name in AGENTS if (e := _engine(name, presence, packages)) is not None]
    clamav = next((e for e in engines if e.name == "clamav"), None)
    dbs = freshclam = None
    if clamav is not None:
        dbs = parse_databases(require(outputs, "clamav_databases").stdout, clock)
        freshclam = FreshclamState(
            running=presence.units.get(FRESHCLAM_UNIT, ("-",))[0] == "active"
            or "freshclam" in presence.processes,
            enabled_at_boot=_enabled(presence, (FRESHCLAM_UNIT,)),
            cron_files=parse_cron(require(outputs, "freshclam_cron").stdout),
        )
        _clamav(clamav, dbs, freshclam)
    return AntivirusFacts(
        engines=engines,
        clock_epoch=clock,
        clamav_packages={p: v for p, v in packages.items() if p in AGENTS["clamav"].packages},
        clamav_databases=dbs,
        freshclam=freshclam,
        units={  # the units that exist on the host (or run)
            unit: list(states)
            for unit, states in presence.units.items()
            if states[1] != "-" or states[0] == "active"
        },
        processes=sorted(presence.processes),
    )


_PRESENCE = f"""units="{" ".join(ALL_UNITS)}"
if command -v systemctl >/dev/null 2>&1; then
  echo systemctl
  systemctl list-unit-files --no-legend --no-pager $units 2>/dev/null | sed 's/^/enabled /'
  for unit in $units; do  # list-unit-files shows templates (clamd@), not enabled instances
    case $unit in *@*) echo "enabled $unit $(systemctl is-enabled "$unit" 2>/dev/null)";; esac
  done
  if [ -d /run/systemd/system ]; then
    set -- $units
    for state in $(systemctl is-active "$@" 2>/dev/null); do echo "active $1 $state"; shift; done
  fi
fi
cat /proc/[0-9]*/comm 2>/dev/null | grep -x -E '{"|".join(ALL_PROCESSES)}' | sort -u |
  sed 's/^/process /'
for path in {" ".join(ALL_PATHS)}; do [ -e "$path" ] && echo "path $path"; done
exit 0"""

_PACKAGES = f"""packages="{" ".join(ALL_PACKAGES)}"
if command -v dpkg-query >/dev/null 2>&1; then
  echo "manager dpkg"
  dpkg-query -W -f='${{db:Status-Abbrev}} ${{Package}} ${{Version}}\\n' $packages 2>/dev/null
elif command -v rpm >/dev/null 2>&1; then
  echo "manager rpm"
  rpm -q --qf 'ii %{{NAME}} %{{VERSION}}-%{{RELEASE}}\\n' $packages 2>/dev/null | grep '^ii '
else exit 127; fi
exit 0"""

# DatabaseDirectory: freshclam writes there, clamd reads there; the header is the first 512 bytes
_DATABASES = """space='[[:space:]]'
setting="s/^$space*DatabaseDirectory$space\\{1,\\}\\([^[:space:]]*\\).*/\\1/p"
dir=$(sed -n "$setting" /etc/clamav/freshclam.conf /etc/freshclam.conf /etc/clamav/clamd.conf \\
  /etc/clamd.d/scan.conf 2>/dev/null | head -n 1)
if [ -n "$dir" ]; then echo "directory $dir config"
else dir=/var/lib/clamav; echo "directory $dir default"; fi
for name in main daily bytecode; do for ext in cvd cld cud; do
  [ -f "$dir/$name.$ext" ] || continue
  printf 'file %s ' "$name.$ext"
  head -c 512 "$dir/$name.$ext" | tr -c '[:print:]' ' ' | cut -c 1-300
done; done"""

_CRON = """for f in /etc/crontab /etc/cron.d/* /etc/cron.hourly/* /etc/cron.daily/*; do
  [ -f "$f" ] && grep -qs freshclam "$f" && echo "cron $f"
done
exit 0"""

FACT = Fact(
    name="antivirus",
    linux={
        "clock": "date +%s",
        "packages": _PACKAGES,
        "presence": _PRESENCE,
        "clamav_databases": _DATABASES,
        "freshclam_cron": _CRON,
    },
    parse=parse,
)
