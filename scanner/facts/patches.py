"""Patches: pending (security) updates, index age, last upgrade, reboot need, automatic updates.

e.g. PatchesFacts(package_manager="apt", pending_updates=[PendingUpdate(name="openssl", …,
security=True)], index_age_days=2, days_since_upgrade=9, reboot_flag=False, running_kernel=…)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.patches_apt import (
    PendingUpdate,
    kernel_release_of_package,
    parse_apt_history,
    parse_apt_list_upgradable,
    utc_offset,
    version_key,
)
from scanner.facts.patches_dnf import (
    parse_check_update,
    parse_history_list,
    parse_updateinfo_security,
)

__all__ = ["AutomaticUpdates", "PatchesFacts", "PendingUpdate", "FACT", "parse"]

DAY = 86400
Manager = Literal["apt", "dnf", "yum"]
MANAGERS: dict[str, Manager] = {"apt": "apt", "dnf": "dnf", "yum": "yum"}


class AutomaticUpdates(BaseModel):
    """What would install updates unattended: the tool, its settings and its systemd timers."""

    tool: Literal["unattended-upgrades", "dnf-automatic"]
    installed: bool
    settings: dict[str, str]  # APT::Periodic::* values, or automatic.conf apply_updates
    timers: dict[str, str]  # unit -> `systemctl is-enabled` state ("" when the unit is unknown)
    systemd_running: bool
    cron_job: str | None = None  # /etc/cron.daily/apt-compat runs apt when systemd does not


class PatchesFacts(BaseModel):
    package_manager: Manager
    checked_at: int  # host clock when collected (epoch seconds): ages below are relative to it
    pending_updates: list[PendingUpdate]
    index_refreshed_at: int | None  # newest repository metadata on the host; None: none at all
    index_age_days: int | None
    last_upgrade_at: int | None  # last whole-system upgrade (apt upgrade, unattended-upgrade…)
    days_since_upgrade: int | None
    last_partial_upgrade_at: int | None  # last transaction that upgraded any package
    reboot_flag: bool | None  # /run/reboot-required, or `needs-restarting -r`; None: no signal
    reboot_packages: list[str]  # /run/reboot-required.pkgs
    running_kernel: str
    installed_kernels: list[str]  # releases of installed kernel packages (none in containers)
    newest_kernel: str | None
    kernel_outdated: bool | None  # running kernel older than the newest installed; None: unknown
    automatic_updates: AutomaticUpdates


_MANAGER = (
    "if command -v apt-get >/dev/null 2>&1; then pm=apt\n"
    "elif command -v dnf >/dev/null 2>&1; then pm=dnf\n"
    "elif command -v yum >/dev/null 2>&1; then pm=yum\n"
    "else exit 127; fi\n"
)
_UPGRADE_COMMANDS = "upgrade|dist-upgrade|full-upgrade|safe-upgrade|unattended-upgrade"
_HISTORY_AWK = (
    "/^Start-Date:/ { full = 0; up = 0 }\n"
    f"/^Commandline:/ {{ full = ($0 ~ /[ \\/]({_UPGRADE_COMMANDS})( |$)/) }}\n"
    + r"""/^Upgrade:/ { up = 1 }
/^End-Date:/ { if (up) print (full ? "full" : "partial"), $2, $3 }"""
)

SNIPPETS = {
    "clock": "date +%s; date +%z",
    "manager": _MANAGER + 'echo "$pm"',
    # Offline on purpose: apt reads its lists, dnf/yum only their cache (-C); no network.
    "pending": _MANAGER
    + 'if [ "$pm" = apt ]; then apt list --upgradable; exit; fi\n'
    + '"$pm" -q -C check-update; rc=$?; [ "$rc" -eq 100 ] && rc=0; exit "$rc"',
    "security": _MANAGER + '[ "$pm" = apt ] && exit 0\n"$pm" -q -C updateinfo list --security',
    "index": _MANAGER
    + 'if [ "$pm" = apt ]; then set -- /var/lib/apt/lists/*Release '
    + "/var/lib/apt/periodic/update-success-stamp\n"
    + "else set -- /var/cache/dnf/*/repodata/repomd.xml /var/cache/yum/*/*/*/repomd.xml; fi\n"
    + 'rc=0; for f in "$@"; do [ -e "$f" ] || continue; stat -c \'%Y %n\' -- "$f" || rc=1; done\n'
    + 'exit "$rc"',
    "history": _MANAGER
    + 'if [ "$pm" != apt ]; then\n'
    + '  out=$("$pm" -q -C history list 2>&1) || { echo "$out" >&2; exit 1; }\n'
    + '  printf "%s\\n" "$out" | head -n 60; exit 0; fi\n'
    + "rc=0\n"
    + "for f in /var/log/apt/history.log.*.gz /var/log/apt/history.log; do\n"
    + '  [ -e "$f" ] || continue\n'
    + '  [ -r "$f" ] || { echo "cannot read $f" >&2; rc=1; continue; }\n'
    + '  case $f in *.gz) zcat -- "$f" ;; *) cat -- "$f" ;; esac'
    + f" | awk '{_HISTORY_AWK}' | tail -n 20\n"
    + 'done; exit "$rc"',
    "reboot": _MANAGER
    + "[ -e /run/reboot-required ] && echo flag /run/reboot-required\n"
    + "[ -r /run/reboot-required.pkgs ] && head -n 50 /run/reboot-required.pkgs"
    + " | sed 's/^/package /'\n"
    + 'if [ "$pm" != apt ] && command -v needs-restarting >/dev/null 2>&1; then\n'
    + '  needs-restarting -r >/dev/null 2>&1; echo "needs-restarting $?"; fi\nexit 0',
    "kernel": 'echo "running $(uname -r)"\n'
    + "if command -v dpkg-query >/dev/null 2>&1; then\n"
    + "  dpkg-query -W -f='${db:Status-Abbrev} ${Package}\\n' 'linux-image-*' 2>/dev/null"
    + " | awk '$1 ~ /^[ih]i$/ {print \"package\", $2}'\n"
    + "elif command -v rpm >/dev/null 2>&1; then\n"
    + "  rpm -q --qf 'release %{VERSION}-%{RELEASE}.%{ARCH}\\n' kernel kernel-core 2>/dev/null"
    + " | grep '^release '\nfi\nexit 0",
    "automatic": _MANAGER
    + '[ -d /run/systemd/system ] && echo "systemd running" || echo "systemd offline"\n'
    + 'if [ "$pm" = apt ]; then\n'
    + "  case $(dpkg-query -W -f='${db:Status-Abbrev}' unattended-upgrades 2>/dev/null) in\n"
    + '  ii*|hi*) echo "installed yes" ;; *) echo "installed no" ;; esac\n'
    + "  apt-config dump | grep -E '^APT::Periodic::(Update-Package-Lists|Unattended-Upgrade) '"
    + " | sed 's/^/setting /'\n"
    + '  [ -e /etc/cron.daily/apt-compat ] && echo "cron /etc/cron.daily/apt-compat"\n'
    + '  units="apt-daily.timer apt-daily-upgrade.timer"\nelse\n'
    + '  rpm -q dnf-automatic >/dev/null 2>&1 && echo "installed yes" || echo "installed no"\n'
    + "  [ -r /etc/dnf/automatic.conf ] && grep -E '^[[:space:]]*apply_updates[[:space:]]*='"
    + " /etc/dnf/automatic.conf | sed 's/^/setting /'\n"
    + '  units="dnf-automatic.timer dnf-automatic-install.timer"\nfi\n'
    + "command -v systemctl >/dev/null 2>&1 || exit 0\n"
    + 'for u in $units; do echo "timer $u $(systemctl is-enabled "$u" 2>/dev/null)"; done\nexit 0',
}


def parse_clock(text: str) -> tuple[int, str]:
    """`date +%s; date +%z` -> (epoch seconds, UTC offset text)."""
    lines = text.split()
    if len(lines) != 2 or not lines[0].isdigit():
        raise CollectionError("clock: unexpected `date` output")
    return int(lines[0]), lines[1]


def parse_index_times(text: str) -> int | None:
    """Newest mtime among the "<epoch> <path>" lines of the index snippet; None when none."""
    times = [
        int(f[0])
        for f in (line.split(maxsplit=1) for line in text.splitlines())
        if f and f[0].isdigit()
    ]
    return max(times, default=None)


def parse_reboot(text: str) -> tuple[bool | None, list[str]]:
    """Reboot flag file / `needs-restarting -r` code -> (reboot needed or None, packages)."""
    flag: bool | None = None
    packages = []
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        if key == "flag":
            flag = True
        elif key == "package" and value:
            packages.append(value.strip())
        elif key == "needs-restarting" and value in ("0", "1"):
            flag = bool(flag) or value == "1"
    return flag, packages


def parse_kernels(text: str) -> tuple[str, list[str]]:
    """Lines "running <release>", "package <deb name>" and "release <rpm release>"."""
    running = ""
    releases: list[str] = []
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        release = kernel_release_of_package(value) if key == "package" else value
        if key == "running":
            running = value
        elif key in ("package", "release") and release and release not in releases:
            releases.append(release)
    if not running:
        raise CollectionError("kernel: `uname -r` printed nothing")
    return running, sorted(releases, key=version_key)


def parse_automatic(text: str, manager: str) -> AutomaticUpdates:
    """Tagged lines of the automatic snippet: installed, setting, timer, cron, systemd."""
    fields: dict[str, dict[str, str]] = {"setting": {}, "timer": {}}
    flags: dict[str, str] = {}
    for line in text.splitlines():
        key, _, rest = line.strip().partition(" ")
        if key == "setting" and rest.strip():
            name, _, value = rest.replace("=", " ", 1).partition(" ")
            fields["setting"][name.strip()] = value.strip().strip('";').strip()
        elif key == "timer" and rest.strip():
            unit, _, state = rest.partition(" ")
            fields["timer"][unit] = state.strip()
        elif key in ("installed", "systemd", "cron"):
            flags[key] = rest.strip()
    return AutomaticUpdates(
        tool="unattended-upgrades" if manager == "apt" else "dnf-automatic",
        installed=flags.get("installed") == "yes",
        settings=fields["setting"],
        timers=fields["timer"],
        systemd_running=flags.get("systemd") == "running",
        cron_job=flags.get("cron") or None,
    )


def _pending(outputs: Mapping[str, CommandOutput], manager: str) -> list[PendingUpdate]:
    out = outputs.get("pending")
    if manager != "apt" and out is not None and "Cache-only enabled" in out.stderr:
        raise CollectionError(f"{manager} has no metadata cache (run `{manager} makecache`)")
    text = require(outputs, "pending").stdout
    if manager == "apt":
        return parse_apt_list_upgradable(text)
    security = parse_updateinfo_security(require(outputs, "security").stdout)
    updates = [
        PendingUpdate(name=n, version=v, sources=[r], security=n in security)
        for n, v, r in parse_check_update(text)
    ]
    return updates


def _days(now: int, then: int | None) -> int | None:
    return None if then is None else (now - then) // DAY


def parse(outputs: Mapping[str, CommandOutput]) -> PatchesFacts:
    manager_output = outputs.get("manager")
    if manager_output is not None and manager_output.missing:
        raise CollectionError("no supported package manager (apt, dnf, yum) on this host")
    printed = require(outputs, "manager").stdout.strip()
    manager = MANAGERS.get(printed)
    if manager is None:
        raise CollectionError(f"manager: unexpected output {printed[:40]!r}")
    now, offset = parse_clock(require(outputs, "clock").stdout)
    history = require(outputs, "history").stdout
    if manager == "apt":
        last_full, last_any = parse_apt_history(history, utc_offset(offset))
    else:
        last_full, last_any = parse_history_list(history, utc_offset(offset))
    index_time = parse_index_times(require(outputs, "index").stdout)
    reboot_flag, reboot_packages = parse_reboot(require(outputs, "reboot").stdout)
    running, kernels = parse_kernels(require(outputs, "kernel").stdout)
    newest = kernels[-1] if kernels else None
    return PatchesFacts(
        package_manager=manager,
        checked_at=now,
        pending_updates=_pending(outputs, manager),
        index_refreshed_at=index_time,
        index_age_days=_days(now, index_time),
        last_upgrade_at=last_full,
        days_since_upgrade=_days(now, last_full),
        last_partial_upgrade_at=last_any,
        reboot_flag=False if manager == "apt" and reboot_flag is None else reboot_flag,
        reboot_packages=reboot_packages,
        running_kernel=running,
        installed_kernels=kernels,
        newest_kernel=newest,
        kernel_outdated=None if newest is None else version_key(newest) > version_key(running),
        automatic_updates=parse_automatic(require(outputs, "automatic").stdout, manager),
    )


FACT = Fact(name="patches", linux=SNIPPETS, parse=parse)
