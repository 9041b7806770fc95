"""System facts: distribution, kernel, identity, virtualisation, init, server or workstation.

Example: {"distro_id": "debian", "distro_version_id": "12", "family": "debian",
"kernel_release": "6.1.0-18-amd64", "virtualization": "docker", "init": "systemd", "role": "server"}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.system_parsers import (
    parse_init,
    parse_machine_id,
    parse_os_release,
    parse_role,
    parse_uname,
    parse_virtualization,
)

Family = Literal["debian", "rhel", "other"]

_DEBIAN_IDS = {"debian", "ubuntu"}
_RHEL_IDS = {"rhel", "centos", "fedora", "ol", "rocky", "almalinux", "amzn"}


class SystemFacts(BaseModel):
    distro_id: str | None  # os-release ID; None: no os-release file, or nothing readable in it
    distro_name: str | None
    distro_version: str | None
    distro_version_id: str | None
    distro_codename: str | None
    distro_id_like: list[str]
    family: Family
    kernel_release: str
    architecture: str
    hostname: str
    machine_id: str | None  # None: /etc/machine-id absent, empty or not an id
    virtualization: str | None  # "none", "kvm", "docker", …; None: could not be told
    virtualization_kind: Literal["vm", "container", "none"] | None
    init: str | None  # "systemd", else the name of PID 1; None: unreadable
    role: Literal["server", "workstation"]
    role_evidence: list[str]


def family_of(distro_id: str | None, id_like: list[str]) -> Family:
    """Debian or RHEL family from os-release ID and ID_LIKE."""
    ids = {distro_id or "", *id_like}
    if ids & _DEBIAN_IDS:
        return "debian"
    if ids & _RHEL_IDS:
        return "rhel"
    return "other"


def parse(outputs: Mapping[str, CommandOutput]) -> SystemFacts:
    os_out = outputs.get("os_release")
    if os_out is None:
        raise CollectionError("os_release: no output")
    if os_out.missing:
        release: dict[str, str] = {}
    elif os_out.rc != 0:
        raise CollectionError(f"reading os-release exited with {os_out.rc}", os_out.stderr)
    else:
        release = parse_os_release(os_out.stdout)
    hostname, kernel, architecture = parse_uname(require(outputs, "uname").stdout)
    machine = outputs.get("machine_id")
    virt = require(outputs, "virtualization")
    virtualization, kind = parse_virtualization(virt.stdout)
    role, role_evidence = parse_role(require(outputs, "desktop").stdout)
    # os-release(5): a missing ID means "linux"
    distro_id = release.get("ID", "linux") if release else None
    id_like = release.get("ID_LIKE", "").split()
    return SystemFacts(
        distro_id=distro_id,
        distro_name=release.get("NAME"),
        distro_version=release.get("VERSION"),
        distro_version_id=release.get("VERSION_ID"),
        distro_codename=release.get("VERSION_CODENAME") or release.get("UBUNTU_CODENAME"),
        distro_id_like=id_like,
        family=family_of(distro_id, id_like),
        kernel_release=kernel,
        architecture=architecture,
        hostname=hostname,
        machine_id=parse_machine_id(machine.stdout) if machine and machine.rc == 0 else None,
        virtualization=virtualization,
        virtualization_kind=kind,
        init=parse_init(require(outputs, "init").stdout),
        role=role,
        role_evidence=role_evidence,
    )


# Paths, not package queries: a stat is cheaper than dpkg/rpm and works on every family.
_DISPLAY_MANAGERS = "/usr/sbin/gdm3 /usr/sbin/gdm /usr/bin/sddm /usr/sbin/lightdm /usr/bin/xdm"
_DESKTOP_SESSIONS = (
    "/usr/bin/gnome-shell /usr/bin/plasmashell /usr/bin/xfce4-session"
    " /usr/bin/cinnamon-session /usr/bin/mate-session /usr/bin/lxqt-session"
)

FACT = Fact(
    name="system",
    linux={
        "os_release": (
            "for f in /etc/os-release /usr/lib/os-release; do\n"
            '  [ -r "$f" ] && exec head -c 65536 "$f"\n'
            "done\n"
            "exit 127"
        ),
        "uname": "uname -n && uname -r && uname -m",
        "machine_id": "[ -e /etc/machine-id ] || exit 127\nexec head -c 256 /etc/machine-id",
        "virtualization": (
            "if command -v systemd-detect-virt >/dev/null 2>&1; then\n"
            '  echo "container $(systemd-detect-virt --container 2>/dev/null)"\n'
            '  echo "vm $(systemd-detect-virt --vm 2>/dev/null)"\n'
            "else\n"
            "  [ -e /run/.containerenv ] && echo 'marker podman'\n"
            "  [ -e /.dockerenv ] && echo 'marker docker'\n"
            "fi\n"
            "exit 0"
        ),
        "init": (
            "if [ -d /run/systemd/system ]; then echo systemd; else head -c 64 /proc/1/comm; fi"
        ),
        "desktop": (
            # Debian's vendor default.target is graphical.target even on servers: only an
            # admin's choice in /etc/systemd/system says something about the host
            "t=$(readlink /etc/systemd/system/default.target 2>/dev/null)"
            ' && echo "default_target ${t##*/}"\n'
            "d=$(readlink /etc/systemd/system/display-manager.service 2>/dev/null)"
            ' && echo "display_manager_service ${d##*/}"\n'
            f'for f in {_DISPLAY_MANAGERS}; do [ -x "$f" ] && echo "display_manager $f"; done\n'
            f'for f in {_DESKTOP_SESSIONS}; do [ -x "$f" ] && echo "desktop_session $f"; done\n'
            "for f in /usr/share/xsessions/*.desktop /usr/share/wayland-sessions/*.desktop; do\n"
            '  [ -e "$f" ] && echo "session_file $f"\n'
            "done\n"
            "exit 0"
        ),
    },
    parse=parse,
)
