"""Where antivirus engines show up on Linux (packages, paths, units, processes), and parsers.

e.g. parse_presence("systemctl\\nenabled clamav-daemon.service enabled enabled\\nprocess clamd")
-> Presence(has_systemctl=True, units={"clamav-daemon.service": ("-", "enabled")}, ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scanner.facts.base import CollectionError


@dataclass(frozen=True)
class Agent:
    packages: tuple[str, ...]  # deb / rpm names
    paths: tuple[str, ...]  # install directories or binaries
    units: tuple[str, ...]  # its scanning service (not its updater)
    processes: tuple[str, ...]  # process names (/proc/<pid>/comm, 15 characters at most)


AGENTS = {
    "clamav": Agent(
        ("clamav", "clamav-daemon", "clamd", "clamav-freshclam", "clamav-update"),
        ("/usr/sbin/clamd", "/usr/bin/clamscan"),
        ("clamav-daemon.service", "clamd@scan.service"),
        ("clamd",),
    ),
    "microsoft_defender": Agent(
        ("mdatp",), ("/opt/microsoft/mdatp",), ("mdatp.service",), ("wdavdaemon",)
    ),
    "crowdstrike_falcon": Agent(
        ("falcon-sensor",),
        ("/opt/CrowdStrike",),
        ("falcon-sensor.service",),
        ("falcond", "falcon-sensor"),
    ),
    "sentinelone": Agent(
        ("sentinelagent", "SentinelAgent"),
        ("/opt/sentinelone",),
        ("sentinelone.service",),
        ("s1-agent",),
    ),
    "sophos": Agent(
        ("sophos-spl",), ("/opt/sophos-spl",), ("sophos-spl.service",), ("sophos_watchdog",)
    ),
    "eset": Agent(
        ("eea", "esets"),
        ("/opt/eset/eea", "/opt/eset/esets"),
        ("eea.service", "esets.service"),
        ("esets_daemon",),
    ),
    "trend_micro": Agent(
        ("ds-agent", "ds_agent"), ("/opt/ds_agent",), ("ds_agent.service",), ("ds_agent",)
    ),
}
FRESHCLAM_UNIT = "clamav-freshclam.service"


def _all(attribute: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for a in AGENTS.values() for v in getattr(a, attribute)))


ALL_PACKAGES = _all("packages")
ALL_PATHS = _all("paths")
ALL_UNITS = (*_all("units"), FRESHCLAM_UNIT)
ALL_PROCESSES = (*_all("processes"), "freshclam")


@dataclass
class Presence:
    has_systemctl: bool
    units: dict[str, tuple[str, str]] = field(default_factory=dict)  # (active, enabled) or "-"
    processes: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)


def parse_clock(text: str) -> int:
    """`date +%s` -> the host's clock, in seconds since the epoch."""
    value = text.strip()
    if not value.isdigit() or len(value) > 12:
        raise CollectionError(f"date +%s: not an epoch: {value[:30]!r}")
    return int(value)


def parse_packages(text: str) -> dict[str, str]:
    """`manager dpkg|rpm`, then `<status> <package> <version>`: installed package -> version."""
    if not re.match(r"manager (dpkg|rpm)$", text.split("\n", 1)[0]):
        raise CollectionError("packages: no 'manager' line")
    installed = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        # dpkg status abbreviations: "ii" installed, "hi" held; "rc" removed, config left
        if len(fields) == 3 and fields[0] in ("ii", "hi") and fields[1] in ALL_PACKAGES:
            installed[fields[1]] = fields[2]
    return installed


def parse_presence(text: str) -> Presence:
    """Lines `systemctl`, `enabled <unit> <state> <preset>`, `active <unit> <state>`,
    `process <name>`, `path <path>`; lines naming anything not looked for are skipped."""
    lines = text.splitlines()
    presence = Presence(has_systemctl="systemctl" in lines)
    for line in lines:
        kind, _, rest = line.partition(" ")
        fields = rest.split()
        if kind in ("enabled", "active") and len(fields) >= 2 and fields[0] in ALL_UNITS:
            active, enabled = presence.units.get(fields[0], ("-", "-"))
            if kind == "enabled":
                enabled = fields[1]
            else:
                active = fields[1]
            presence.units[fields[0]] = (active, enabled)
        elif kind == "process" and rest in ALL_PROCESSES:
            presence.processes.add(rest)
        elif kind == "path" and rest in ALL_PATHS:
            presence.paths.add(rest)
    return presence


def parse_cron(text: str) -> list[str]:
    """Lines `cron <file>`: cron files that mention freshclam."""
    return sorted({line[5:] for line in text.splitlines() if line.startswith("cron /")})[:20]
