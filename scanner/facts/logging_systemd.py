"""Unit states for the logging, time_sync and removable_media facts, read with `systemctl show`.

e.g. Units(states={"rsyslog.service": UnitState(enabled="enabled", active="active")}), or where
systemd is not PID 1: Units(states=None, unreadable="systemd is not running (PID 1 is sh)",
unit_files={"rsyslog.service": "enabled"}). Units not installed (LoadState not-found) are left
out; masked units are kept (installed, state "masked").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput

_UNIT = re.compile(r"^[A-Za-z0-9@_.:\\-]{1,128}$")
_STATE = re.compile(r"^[a-z-]{0,32}$")
_PID1 = re.compile(r"^[A-Za-z0-9_.:/+-]{1,64}$")
MAX_OUTPUT = 100_000
NO_SYSTEMD = "no_systemd"  # the snippet's first line when systemd is not PID 1
UNIT_FILES = "unit_files"  # then the `systemctl list-unit-files` lines follow
STATE_UNKNOWN = "service state unknown"  # how checks start their message when units is None


class UnitState(BaseModel):
    enabled: str  # UnitFileState: "enabled", "disabled", "static", "masked", "" …
    active: str  # ActiveState: "active", "inactive", "failed", "activating" …

    @property
    def running(self) -> bool:
        return self.active in {"active", "reloading"}

    @property
    def enabled_at_boot(self) -> bool:
        return self.enabled == "enabled"


class Units(NamedTuple):
    """What the units snippet told: the states, or why they are unknown and the unit files."""

    states: dict[str, UnitState] | None  # None: systemd is not running, states unknown
    unreadable: str | None = None  # why states is None
    unit_files: dict[str, str] | None = None  # when states is None: unit -> file state; None:
    # not even the unit files could be listed (no systemctl)


def installed(
    states: dict[str, UnitState] | None, unit_files: dict[str, str] | None, unit: str
) -> bool | None:
    """Whether `unit` is installed: from its state, else from the unit files; None: unknown."""
    if states is not None:
        return unit in states
    return None if unit_files is None else unit in unit_files


def parse_unit_states(text: str) -> dict[str, UnitState]:
    """Installed units by Id (aliases collapse into their unit); lines that are not
    `Key=value` of the four properties are skipped."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("systemctl show printed more than 100 kB")
    units: dict[str, UnitState] = {}
    for block in re.split(r"\n\s*\n", text):
        props: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key in {"Id", "LoadState", "UnitFileState", "ActiveState"}:
                props[key] = value
        unit = props.get("Id", "")
        # a masked unit is installed but forbidden to start: keep it, its state says "masked"
        if not _UNIT.match(unit) or props.get("LoadState") not in {"loaded", "masked"}:
            continue
        enabled, active = props.get("UnitFileState", ""), props.get("ActiveState", "")
        if _STATE.match(enabled) and _STATE.match(active):
            units[unit] = UnitState(enabled=enabled, active=active)
    return units


def parse_no_systemd(text: str) -> Units:
    """The snippet's output where systemd is not PID 1: `no_systemd <PID 1's name>`, then
    `unit_files` and `systemctl list-unit-files` lines (`<unit> <state> <preset>`) if it can."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("systemctl list-unit-files printed more than 100 kB")
    lines = text.splitlines()
    pid1 = lines[0].removeprefix(NO_SYSTEMD).strip() if lines else ""
    reason = "systemd is not running" + (f" (PID 1 is {pid1})" if _PID1.match(pid1) else "")
    if UNIT_FILES not in lines:
        return Units(None, reason + ", and systemctl is not installed", None)
    unit_files = {}
    for line in lines[lines.index(UNIT_FILES) + 1 :]:
        fields = line.split()
        if len(fields) >= 2 and _UNIT.match(fields[0]) and _STATE.match(fields[1]):
            unit_files[fields[0]] = fields[1]
    return Units(None, reason, unit_files)


def units_snippet(units: Iterable[str]) -> str:
    """Unit states with `systemctl show`; where systemd is not PID 1 (sd_booted(3): no
    /run/systemd/system), what the unit files on disk say, which no init reads there."""
    names = " ".join(units)
    return (
        "if [ ! -d /run/systemd/system ]; then\n"
        f'  echo "{NO_SYSTEMD} $(head -c 64 /proc/1/comm 2>/dev/null)"\n'
        "  command -v systemctl >/dev/null || exit 0\n"
        f"  echo {UNIT_FILES}\n"
        f"  systemctl list-unit-files --no-legend --no-pager {names} 2>/dev/null\n"
        "  exit 0\n"
        "fi\n"
        "command -v systemctl >/dev/null || exit 127\n"
        f"systemctl show -p Id -p LoadState -p UnitFileState -p ActiveState {names}"
    )


def unit_states(outputs: Mapping[str, CommandOutput], name: str) -> Units:
    """The units from the snippet `name` (units_snippet): their states where systemd runs,
    else None with the reason; a failing systemctl under a running systemd is a CollectionError."""
    out = outputs.get(name)
    if out is None:
        raise CollectionError(f"{name}: no output")
    if out.rc == 0 and out.stdout.startswith(NO_SYSTEMD):
        return parse_no_systemd(out.stdout)
    if out.missing:
        raise CollectionError("systemctl not found although systemd runs", out.stderr)
    if out.rc != 0:
        if "not been booted with systemd" in out.stderr:  # systemctl's own words (v240+)
            return Units(None, "systemd is not running", None)
        raise CollectionError(f"systemctl show exited with {out.rc}", out.stderr)
    return Units(parse_unit_states(out.stdout))
