"""`systemctl show -p Id -p LoadState -p UnitFileState -p ActiveState <units>` parser, shared by
the logging, time_sync and removable_media facts. Example: {"rsyslog.service": {"enabled":
"enabled", "active": "active"}} — units that are not installed (LoadState not-found) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput

_UNIT = re.compile(r"^[A-Za-z0-9@_.:\\-]{1,128}$")
_STATE = re.compile(r"^[a-z-]{0,32}$")
MAX_OUTPUT = 100_000


class UnitState(BaseModel):
    enabled: str  # UnitFileState: "enabled", "disabled", "static", "masked", "" …
    active: str  # ActiveState: "active", "inactive", "failed", "activating" …

    @property
    def running(self) -> bool:
        return self.active in {"active", "reloading"}

    @property
    def enabled_at_boot(self) -> bool:
        return self.enabled == "enabled"


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
        if not _UNIT.match(unit) or props.get("LoadState") != "loaded":
            continue
        enabled, active = props.get("UnitFileState", ""), props.get("ActiveState", "")
        if _STATE.match(enabled) and _STATE.match(active):
            units[unit] = UnitState(enabled=enabled, active=active)
    return units


# the unit names are appended by each fact
UNITS_SNIPPET = (
    "command -v systemctl >/dev/null || exit 127\n"
    "systemctl show -p Id -p LoadState -p UnitFileState -p ActiveState"
)


def unit_states(outputs: Mapping[str, CommandOutput], name: str) -> dict[str, UnitState]:
    """The installed units from the snippet `name` (UNITS_SNIPPET + unit names)."""
    out = outputs.get(name)
    if out is None:
        raise CollectionError(f"{name}: no output")
    if out.missing:
        raise CollectionError("systemctl not found: cannot tell which services are enabled")
    if out.rc != 0:
        if "not been booted with systemd" in out.stderr:
            raise CollectionError("systemd is not running here: service states cannot be read")
        raise CollectionError(f"systemctl show exited with {out.rc}", out.stderr)
    return parse_unit_states(out.stdout)
