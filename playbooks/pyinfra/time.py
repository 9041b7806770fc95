"""pyinfra deploys of the time rules, twins of roles/hygie_linux/tasks/time_*.yml: the installed
time service (else chrony) enabled and started (only enabled in a container, whose clock is its
host's), and the profile's NTP servers for chrony or systemd-timesyncd (refused without them)."""

from __future__ import annotations

from hygie_config import config_file, role_script, unit_enabled
from hygie_ops import refuse, unit_on
from pyinfra.api import deploy
from pyinfra.operations import apt

CHRONY_SOURCES = "/etc/chrony/sources.d/hygie.sources"
TIMESYNCD_DROPIN = "/etc/systemd/timesyncd.conf.d/hygie.conf"
CHRONY_RELOAD = "if [ -S /run/chrony/chronyd.sock ]; then chronyc reload sources; fi"
HEADER = "# Hygie time_sources_configured: the organisation's time sources\n"


def chrony_sources_text(servers: list[str]) -> str:
    return HEADER + "".join(f"server {server} iburst\n" for server in servers)


def timesyncd_text(servers: list[str]) -> str:
    return f"{HEADER}[Time]\nNTP={' '.join(servers)}\n"


def _service() -> tuple[str, str, str]:
    """(daemon, unit, host|container) from the role's time_service.sh."""
    daemon, unit, where = (role_script("time_service.sh") or ["none - host"])[0].split()
    return daemon, unit, where


def _chrony() -> None:
    apt.packages(name="Install chrony", packages=["chrony"])


@deploy("time_sync_service_enabled")
def time_sync_service_enabled() -> None:
    daemon, unit, where = _service()
    if daemon == "none":
        _chrony()
        unit = "chrony.service"
    if where == "host":
        unit_on(name="Run the time service now and at boot", unit=unit)
    else:  # systemd does not start chrony without CAP_SYS_TIME: the clock is the host's
        unit_enabled(name="Run the time service at boot", unit=unit)


@deploy("time_sources_configured")
def time_sources_configured(min_sources: int, ntp_servers: list[str] | None) -> None:
    servers = ntp_servers or []
    daemon, unit, _ = _service()
    if len(servers) < int(min_sources):
        refuse(name="Refuse to configure time sources the profile does not name",
               reason=f"the profile lists {len(servers)} NTP server(s) and {min_sources} are "
                      "needed. Set the parameter ntp_servers of time_sources_configured (the "
                      "organisation's servers) in a tailoring file.")
        return
    if daemon == "ntp":
        refuse(name="Refuse to edit an ntp daemon's configuration",
               reason=f"{unit} keeps the time here and Hygie configures chrony and "
                      "systemd-timesyncd only. Add the servers to its configuration by hand.")
        return
    if daemon == "timesyncd":
        config_file(name="List the profile's NTP servers for systemd-timesyncd",
                    path=TIMESYNCD_DROPIN, content=timesyncd_text(servers),
                    then="systemctl restart systemd-timesyncd.service")
        return
    if daemon == "none":
        _chrony()
    config_file(name="List the profile's NTP servers for chrony", path=CHRONY_SOURCES,
                content=chrony_sources_text(servers), then=CHRONY_RELOAD)
