"""pyinfra deploys of the removable media rules, twins of roles/hygie_linux/tasks/
removable_media_*.yml: the usb-storage driver stopped in modprobe.d (a loaded driver is never
unloaded), autofs stopped and masked, GNOME media automount and autorun off and locked."""

from __future__ import annotations

from hygie_config import config_file, unit_off
from hygie_ops import ExactText, Lines, note, replace_file, unified
from pyinfra import host
from pyinfra.api import deploy, operation

USB_STORAGE_CONF = "/etc/modprobe.d/hygie-usb-storage.conf"
AUTOMOUNTERS = (
    "systemctl list-unit-files --no-legend autofs.service 2>/dev/null | grep -q '^autofs' && "
    "echo autofs; { [ -x /usr/bin/gnome-shell ] || [ -x /usr/bin/nautilus ]; } && echo gnome; "
    "true")
DCONF_PROFILE = "/etc/dconf/profile/user"
DCONF_FILES = {
    "/etc/dconf/db/local.d/00-hygie-media-handling": (
        "# Hygie removable_media_automount_disabled\n[org/gnome/desktop/media-handling]\n"
        "automount=false\nautomount-open=false\nautorun-never=true\n"),
    "/etc/dconf/db/local.d/locks/00-hygie-media-handling": (
        "# Hygie removable_media_automount_disabled: users cannot turn these back on\n"
        "/org/gnome/desktop/media-handling/automount\n"
        "/org/gnome/desktop/media-handling/automount-open\n"
        "/org/gnome/desktop/media-handling/autorun-never\n"),
}


def usb_storage_text(blocking_command: str) -> str:
    return ("# Hygie removable_media_usb_storage_blocked: no USB mass storage on this host\n"
            f"install usb-storage {blocking_command}\nblacklist usb-storage\n")


def dconf_profile_text(current: str | None) -> str:
    """The user profile with "system-db:local" (Ansible's copy force: false, then lineinfile)."""
    if current is None:
        return "user-db:user\nsystem-db:local\n"
    if any(line.strip() == "system-db:local" for line in current.splitlines()):
        return current
    return current + ("" if current.endswith("\n") or not current else "\n") + "system-db:local\n"


@deploy("removable_media_usb_storage_blocked")
def removable_media_usb_storage_blocked(blocking_commands: list[str]) -> None:
    config_file(name="Stop the usb-storage driver from loading", path=USB_STORAGE_CONF,
                content=usb_storage_text(blocking_commands[0]))


@operation()
def dconf_media_handling():
    """Media automount and autorun off and locked in the dconf database "local", read by the
    user profile; the databases compiled after any change."""
    changed = []
    for path, wanted in [(DCONF_PROFILE, None), *DCONF_FILES.items()]:
        current = host.get_fact(ExactText, path=path)
        wanted = dconf_profile_text(current) if wanted is None else wanted
        if current != wanted:
            changed.append(unified(current or "", wanted, path))
            yield f"mkdir -p {path.rsplit('/', 1)[0]}"
            yield from replace_file(path, wanted, "true")
            yield f"chown root:root {path} && chmod 644 {path}"
    if not changed:
        host.noop("GNOME media automount and autorun are off and locked")
        return
    note("".join(changed))
    yield "dconf update"


@deploy("removable_media_automount_disabled")
def removable_media_automount_disabled() -> None:
    found = host.get_fact(Lines, script=AUTOMOUNTERS) or []
    if "autofs" in found:
        unit_off(name="Stop, disable and mask autofs", unit="autofs.service")
    if "gnome" in found:
        dconf_media_handling(name="Turn off media automount and autorun for every user")
