"""Checks of the removable media rules (facts/removable_media.py)."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.logging_systemd import STATE_UNKNOWN, installed
from scanner.facts.removable_media import RemovableMediaFacts
from scanner.models import Result, Status
from scanner.rules.outcome import error, failed, manual, not_applicable, passed

GNOME_EXPECTED = {"automount": "false", "automount-open": "false", "autorun-never": "true"}


def _media(facts: Facts) -> RemovableMediaFacts:
    assert facts.removable_media is not None  # the engine never calls a check without its facts
    return facts.removable_media


def removable_media_usb_storage_blocked(facts: Facts, blocking_commands: list[str]) -> Result:
    """Passes when USBGuard enforces a blocking policy, or usb-storage is blocked in modprobe.d
    and not in the running kernel. Without systemd: error when only a USBGuard that may not be
    running could block (modprobe.d alone still passes or fails)."""
    media = _media(facts)
    usbguard = (media.units or {}).get("usbguard.service")
    policy = media.usbguard_implicit_policy
    if usbguard and usbguard.running and policy in {"block", "reject"}:
        return passed(f"USBGuard is running with ImplicitPolicyTarget={policy}", usbguard=policy)
    blocking = [
        d.file
        for d in media.usb_storage_directives
        if d.directive == "blacklist" or d.argument.split(" ")[0] in blocking_commands
    ]
    evidence = {"blocked_by": blocking, "usb_storage_in_kernel": media.usb_storage_in_kernel}
    if blocking and not media.usb_storage_in_kernel:
        return passed(f"usb-storage blocked by {', '.join(sorted(set(blocking)))}", **evidence)
    if media.units is None and media.usbguard_installed and policy in {"block", "reject"}:
        return error(
            f"{STATE_UNKNOWN}: {media.units_unreadable}: is USBGuard running?",
            usbguard=policy,
            **evidence,
        )
    if not blocking:
        return failed("nothing stops usb-storage: no modprobe.d block, no USBGuard", **evidence)
    return failed("usb-storage is blocked in modprobe.d but loaded in the kernel", **evidence)


def _desktop_automount(facts: Facts, media: RemovableMediaFacts) -> Result:
    assert facts.system is not None
    if facts.system.role != "workstation":
        return passed("no automounter: autofs off and no desktop")
    if not media.gnome_installed:
        return manual("desktop other than GNOME: check its automount settings by hand")
    settings = {s.key: {"value": s.value, "locked": s.locked} for s in media.gnome_settings}
    wrong = [
        key
        for key, value in GNOME_EXPECTED.items()
        if settings.get(key) != {"value": value, "locked": True}
    ]
    if wrong:
        return failed(f"GNOME media handling not set and locked: {', '.join(wrong)}", **settings)
    return passed("GNOME automount and autorun are off and locked", **settings)


def removable_media_automount_disabled(facts: Facts) -> Result:
    """Passes when autofs is off and, on a GNOME workstation, automount and autorun are off
    and locked in the system dconf settings. Without systemd: error when autofs is installed
    (whether it runs is unknown), unless the desktop settings already fail."""
    media = _media(facts)
    autofs = (media.units or {}).get("autofs.service")
    if autofs and (autofs.enabled_at_boot or autofs.running):
        return failed("autofs is enabled", autofs=autofs.model_dump())
    result = _desktop_automount(facts, media)
    autofs_installed = installed(media.units, media.unit_files, "autofs.service")
    if media.units is None and autofs_installed is not False and result.status is not Status.FAIL:
        return error(
            f"{STATE_UNKNOWN}: {media.units_unreadable}: is autofs running?",
            unit_files=media.unit_files,
        )
    return result


def removable_media_mount_options(facts: Facts, required_options: list[str]) -> Result:
    """Passes when every removable-media mount and fstab entry has the required options."""
    mounts = _media(facts).removable_mounts
    if not mounts:
        return not_applicable("no removable media in /etc/fstab or mounted")
    missing = {
        f"{m.origin} {m.mountpoint}": [o for o in required_options if o not in m.options]
        for m in mounts
    }
    missing = {where: options for where, options in missing.items() if options}
    if missing:
        return failed(f"{len(missing)} removable mount(s) lack options", missing=missing)
    return passed(f"{len(mounts)} removable mount(s) with {','.join(required_options)}")
