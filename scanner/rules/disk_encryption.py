"""Checks of the disk encryption area: fixed data volumes and swap on encrypted devices."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.facts.disk_encryption import DiskEncryptionFacts, Volume
from scanner.models import Result
from scanner.rules.outcome import failed, not_applicable, passed

MAX_LISTED = 20


def _disks(facts: Facts) -> DiskEncryptionFacts:
    assert facts.disk_encryption is not None  # the engine never calls a check without its facts
    return facts.disk_encryption


def _why_unencrypted(volume: Volume) -> str:
    if volume.kind == "overlay":
        return "overlay (container root: backing device not visible, not shown encrypted)"
    if volume.kind == "other":
        return f"{volume.source} ({volume.fstype}: not on a traceable block device)"
    return f"{volume.source} ({volume.fstype}, not encrypted)"


def disk_encryption_fixed_volumes(facts: Facts, excluded_mounts: list[str]) -> Result:
    """Passes when every fixed, non-removable local filesystem sits on a dm-crypt device."""
    judged = [v for v in _disks(facts).volumes if v.fixed and v.mountpoint not in excluded_mounts]
    if not judged:
        return not_applicable("no fixed local volume mounted (besides excluded ones)")
    plain = [v for v in judged if not v.encrypted_by]
    if plain:
        return failed(
            f"{len(plain)} of {len(judged)} fixed volumes not encrypted",
            unencrypted={v.mountpoint: _why_unencrypted(v) for v in plain[:MAX_LISTED]},
        )
    return passed(
        f"all {len(judged)} fixed volumes encrypted",
        encrypted={v.mountpoint: f"{v.source} on {v.encrypted_by}" for v in judged[:MAX_LISTED]},
    )


def disk_encryption_swap(facts: Facts) -> Result:
    """Passes when there is no swap, or every swap area is in RAM (zram) or on dm-crypt."""
    swaps = _disks(facts).swaps
    if not swaps:
        return passed("no swap")
    plain = [s for s in swaps if s.kind != "zram" and not s.encrypted_by]
    if plain:
        return failed(
            f"{len(plain)} swap areas not encrypted",
            unencrypted={s.path: f"{s.kind} on {s.device or 'unknown device'}" for s in plain},
        )
    return passed(
        f"all {len(swaps)} swap areas encrypted or in memory",
        swaps={
            s.path: "zram (memory)" if s.kind == "zram"
            else f"on {s.encrypted_by}" + (" (random key)" if s.random_key else "")
            for s in swaps
        },
    )  # fmt: skip
