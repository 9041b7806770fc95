"""pyinfra deploys of the services rules, twins of roles/hygie_linux/tasks/services_*.yml: the
clear-text legacy server packages purged (refused when apt would take other packages with
them), their inetd.conf lines turned off as update-inetd does, the running inetd restarted.
services_listening_allowed stays manual: only a person knows which services a host needs."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import yaml
from hygie_ops import APT_ENV, ROLE, ExactText, note, refuse, replace_file, unified
from pyinfra import host
from pyinfra.api import deploy, operation
from pyinfra.facts.server import Command

DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
PACKAGES: list[str] = DEFAULTS["hygie_linux_services_legacy_packages"]
INETD_LINE = re.compile(DEFAULTS["hygie_linux_services_inetd_line"], re.MULTILINE)
INETD_CONF = "/etc/inetd.conf"


def role_script(name: str, *args: str) -> str:
    """A read-only script of the role's files/ run on the host with `args` (as Ansible's
    script module runs it)."""
    script = (ROLE / "files" / name).read_text(encoding="utf-8")
    quoted = " ".join(shlex.quote(arg) for arg in args)
    return f"sh -s {quoted} <<'HYGIE_EOF'\n{script}\nHYGIE_EOF"


def inetd_disabled(text: str) -> str:
    """inetd.conf with its legacy service lines turned off (Ansible replace, the same regexp)."""
    return INETD_LINE.sub(r"#<off># \1", text)


def legacy_servers(packages: list[str]) -> dict[str, Any]:
    """What files/legacy_servers.sh reads: installed, others (apt would remove), inetd, units."""
    return json.loads(host.get_fact(Command, command=role_script("legacy_servers.sh", *packages)))


@operation()
def legacy_packages_purged(packages: list[str]):
    """Purge the legacy server packages installed (apt-get purge, as Ansible's apt purge)."""
    installed = legacy_servers(packages)["installed"]
    if not installed:
        host.noop("no legacy server package is installed")
        return
    command = f"{APT_ENV} apt-get -y -q purge {' '.join(map(shlex.quote, installed))}"
    note(command)
    yield command


@operation()
def inetd_legacy_off():
    """Turn off the legacy lines of /etc/inetd.conf and restart the running inetd."""
    current = host.get_fact(ExactText, path=INETD_CONF)
    if current is None or inetd_disabled(current) == current:
        host.noop("inetd.conf enables no legacy service")
        return
    wanted = inetd_disabled(current)
    note(unified(current, wanted, INETD_CONF))
    yield from replace_file(INETD_CONF, wanted, "true")
    units = legacy_servers(PACKAGES)["units"]
    yield from (f"systemctl restart {shlex.quote(unit)}" for unit in units)


@deploy("services_legacy_cleartext_absent")
def services_legacy_cleartext_absent() -> None:
    found = legacy_servers(PACKAGES)
    if found["others"]:
        refuse(
            name="Refuse to remove packages that depend on a legacy server",
            reason=f"purging {', '.join(found['installed'])} would also remove "
            f"{', '.join(found['others'])}. Decide about those packages first (remove "
            "them, or keep the server and waive the rule), then run the fix again.",
        )
        return
    legacy_packages_purged(name="Purge the clear-text server packages", packages=PACKAGES)
    inetd_legacy_off(name="Turn off the legacy services in inetd.conf")
