"""Time synchronisation facts: NTP daemons' units, configured sources, synchronisation status.

Example: {"units": {"chrony.service": {"enabled": "enabled", "active": "active"}}, "sources":
[{"daemon": "chrony", "directive": "pool", "address": "2.debian.pool.ntp.org", "counts_for": 4,
"file": "/etc/chrony/chrony.conf"}], "ntp_synchronized": true, "chrony_leap_status": "Normal"}
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.logging_systemd import UnitState, unit_states, units_snippet

MAX_OUTPUT = 500_000
# which units run which daemon (Debian names chrony.service, RHEL chronyd.service)
DAEMON_UNITS = {
    "chrony": ["chrony.service", "chronyd.service"],
    "timesyncd": ["systemd-timesyncd.service"],
    "ntp": ["ntpsec.service", "ntp.service", "ntpd.service", "openntpd.service"],
}
CHRONY_POOL_MAXSOURCES = 4  # chrony.conf(5): a pool adds up to maxsources servers, default 4
_SOURCE = re.compile(r"^\s*(server|pool|peer|refclock|servers)\s+(\S{1,255})(.*)$")
_SYSTEMD_LIST = re.compile(r"^\s*(NTP|FallbackNTP)\s*=(.*)$")
_ADDRESS = re.compile(r"^[A-Za-z0-9_.:\[\]%/-]{1,255}$")
_MAXSOURCES = re.compile(r"\bmaxsources\s+(\d{1,2})\b")


class TimeSource(BaseModel):
    daemon: str  # chrony, timesyncd, ntp
    directive: str  # server, pool, peer, refclock, NTP, FallbackNTP
    address: str
    counts_for: int  # how many servers it can give: a pool several, anything else 1
    file: str


class TimeSyncFacts(BaseModel):
    units: dict[str, UnitState] | None  # installed time synchronisation units; None: unknown
    units_unreadable: str | None = None  # why units is None: "systemd is not running …"
    unit_files: dict[str, str] | None = None  # when units is None: unit -> unit file state
    sources: list[TimeSource]
    ntp_synchronized: bool | None  # timedatectl NTPSynchronized (the kernel clock's status)
    ntp_status_unreadable: str | None  # why timedatectl could not tell
    chrony_leap_status: str | None  # `chronyc tracking`: "Normal", "Not synchronised" …
    chrony_reference: str | None
    chrony_stratum: int | None


def parse_sources(text: str) -> list[TimeSource]:
    """Sources from `<daemon>\\t<file>:<line>` lines (chrony, timesyncd, ntpd/ntpsec configs)."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("time source configuration output is larger than 500 kB")
    sources = []
    for line in text.splitlines():
        daemon, _, rest = line.partition("\t")
        path, sep, content = rest.partition(":")
        if (
            daemon not in DAEMON_UNITS
            or not sep
            or not path.startswith("/")
            or not rest.isprintable()
        ):
            continue
        if daemon == "timesyncd":
            listed = _SYSTEMD_LIST.match(content)
            if listed:
                for address in listed.group(2).split():
                    if _ADDRESS.match(address):
                        sources.append(
                            TimeSource(
                                daemon=daemon,
                                directive=listed.group(1),
                                address=address,
                                counts_for=1,
                                file=path,
                            )
                        )
            continue
        match = _SOURCE.match(content)
        if not match or not _ADDRESS.match(match.group(2)):
            continue
        directive, address, options = match.groups()
        counts_for = 1
        if directive == "pool":
            maximum = _MAXSOURCES.search(options)
            counts_for = int(maximum.group(1)) if maximum else CHRONY_POOL_MAXSOURCES
        sources.append(
            TimeSource(
                daemon=daemon,
                directive=directive,
                address=address,
                counts_for=counts_for,
                file=path,
            )
        )
    return sources


def parse_timedatectl(text: str) -> bool | None:
    """NTPSynchronized from `timedatectl show -p NTPSynchronized`; None when not printed."""
    for line in text.splitlines()[:50]:
        key, _, value = line.strip().partition("=")
        if key == "NTPSynchronized" and value in {"yes", "no"}:
            return value == "yes"
    return None


def parse_chrony_tracking(text: str) -> tuple[str | None, str | None, int | None]:
    """(Leap status, Reference ID, Stratum) from `chronyc -n tracking`."""
    values = {}
    for line in text.splitlines()[:50]:
        key, sep, value = line.partition(":")
        if sep and line.isprintable():
            values[key.strip()] = value.strip()[:100]
    stratum = values.get("Stratum", "")
    return (
        values.get("Leap status"),
        values.get("Reference ID"),
        int(stratum) if stratum.isdigit() else None,
    )


def parse(outputs: Mapping[str, CommandOutput]) -> TimeSyncFacts:
    sources = parse_sources(require(outputs, "sources").stdout)
    timedatectl = outputs.get("timedatectl")
    synchronized: bool | None = None
    unreadable: str | None = "timedatectl is not installed"
    if timedatectl is not None and not timedatectl.missing:
        synchronized = parse_timedatectl(timedatectl.stdout) if timedatectl.rc == 0 else None
        last = timedatectl.stderr.strip().splitlines()[-1:] or [f"exited with {timedatectl.rc}"]
        unreadable = None if synchronized is not None else f"timedatectl: {last[0][:200]}"
    units = unit_states(outputs, "units")
    tracking = outputs.get("chrony_tracking")
    leap, reference, stratum = None, None, None
    if tracking is not None and tracking.rc == 0:
        leap, reference, stratum = parse_chrony_tracking(tracking.stdout)
    return TimeSyncFacts(
        units=units.states,
        units_unreadable=units.unreadable,
        unit_files=units.unit_files,
        sources=sources,
        ntp_synchronized=synchronized,
        ntp_status_unreadable=unreadable,
        chrony_leap_status=leap,
        chrony_reference=reference,
        chrony_stratum=stratum,
    )


_SOURCES = r"""
for f in /etc/chrony/chrony.conf /etc/chrony.conf /etc/chrony/conf.d/*.conf \
  /etc/chrony/sources.d/*.sources /run/chrony-dhcp/*.sources; do
  [ -f "$f" ] && grep -H -E '^[[:space:]]*(server|pool|peer|refclock)[[:space:]]' "$f" |
    sed 's/^/chrony\t/'
done
for f in /etc/systemd/timesyncd.conf /etc/systemd/timesyncd.conf.d/*.conf \
  /run/systemd/timesyncd.conf.d/*.conf /usr/lib/systemd/timesyncd.conf.d/*.conf; do
  [ -f "$f" ] && grep -H -E '^[[:space:]]*(NTP|FallbackNTP)[[:space:]]*=' "$f" |
    sed 's/^/timesyncd\t/'
done
for f in /etc/ntpsec/ntp.conf /etc/ntp.conf /etc/openntpd/ntpd.conf /etc/ntpd.conf; do
  [ -f "$f" ] && grep -H -E '^[[:space:]]*(server|servers|pool|peer)[[:space:]]' "$f" |
    sed 's/^/ntp\t/'
done
exit 0
"""
# chronyc waits for a daemon that does not answer: ask only when its socket exists
_CHRONY_TRACKING = r"""
command -v chronyc >/dev/null || exit 127
for s in /run/chrony/chronyd.sock /var/run/chrony/chronyd.sock; do
  [ -S "$s" ] && exec timeout 3 chronyc -n tracking
done
echo "chronyd is not running" >&2
exit 3
"""

FACT = Fact(
    name="time_sync",
    linux={
        "units": units_snippet(u for units in DAEMON_UNITS.values() for u in units),
        "sources": _SOURCES,
        "timedatectl": (
            "command -v timedatectl >/dev/null || exit 127\n"
            "exec timeout 3 timedatectl show -p NTP -p NTPSynchronized"
        ),
        "chrony_tracking": _CHRONY_TRACKING,
    },
    parse=parse,
)
