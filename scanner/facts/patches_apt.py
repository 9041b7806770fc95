"""Parsers of apt outputs: `apt list --upgradable`, apt history summaries, kernel packages.

e.g. "openssl/jammy-updates,jammy-security 3.0.2-0ubuntu1.10 amd64 [upgradable from: …]"
-> PendingUpdate(name="openssl", version="3.0.2-0ubuntu1.10", sources=[…], security=True)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from pydantic import BaseModel

_APT_LIST_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9.+:-]*)/(?P<suites>\S+)\s+(?P<version>\S+)\s+\S+"
    r"(?:\s+\[upgradable from: (?P<installed>[^\]]+)\])?"
)
_HISTORY_LINE = re.compile(r"^(full|partial) (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)$")
_UTC_OFFSET = re.compile(r"^([+-])(\d\d)(\d\d)$")


class PendingUpdate(BaseModel):
    """A package with a newer version available from the configured repositories."""

    name: str
    version: str  # the candidate version
    installed_version: str = ""
    sources: list[str]  # apt suites (e.g. "bookworm-security") or dnf/yum repositories
    security: bool


def is_security_suite(suite: str) -> bool:
    """Debian `bookworm-security`/`oldstable-security`, Ubuntu `jammy-security`."""
    return "security" in suite.lower()


def parse_apt_list_upgradable(text: str) -> list[PendingUpdate]:
    """Lines of `apt list --upgradable`; the "Listing..." header and anything odd are skipped."""
    updates = []
    for line in text.splitlines():
        match = _APT_LIST_LINE.match(line.strip())
        if not match:
            continue
        suites = list(dict.fromkeys(s for s in match["suites"].split(",") if s))
        updates.append(
            PendingUpdate(
                name=match["name"],
                version=match["version"],
                installed_version=match["installed"] or "",
                sources=suites,
                security=any(is_security_suite(s) for s in suites),
            )
        )
    return updates


def utc_offset(text: str) -> timezone:
    """`date +%z` output ("+0100") as a timezone; UTC when it is not understood."""
    match = _UTC_OFFSET.match(text.strip())
    if not match:
        return UTC
    sign = -1 if match[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))


def parse_apt_history(text: str, tz: timezone) -> tuple[int | None, int | None]:
    """The snippet's "full|partial <End-Date>" lines -> (last full upgrade, last any upgrade).

    "full" = an `upgrade`/`dist-upgrade`/`full-upgrade` run or unattended-upgrade; "partial" =
    packages upgraded as a side effect of an install. Times are host-local, hence `tz`.
    """
    last_full: int | None = None
    last_any: int | None = None
    for line in text.splitlines():
        match = _HISTORY_LINE.match(line.strip())
        if not match:
            continue
        try:
            moment = datetime.fromisoformat(f"{match[2]}T{match[3]}").replace(tzinfo=tz)
        except ValueError:
            continue
        epoch = int(moment.timestamp())
        last_any = max(last_any or epoch, epoch)
        if match[1] == "full":
            last_full = max(last_full or epoch, epoch)
    return last_full, last_any


def kernel_release_of_package(package: str) -> str | None:
    """`linux-image-6.1.0-18-amd64` -> "6.1.0-18-amd64"; meta (`linux-image-amd64`) -> None."""
    release = package.removeprefix("linux-image-").removeprefix("unsigned-")
    release = release.removesuffix("-unsigned")
    if release == package or not release[:1].isdigit():
        return None
    return release


def version_key(release: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key comparing kernel releases numerically part by part (6.1.0-18 > 6.1.0-9)."""
    parts = re.findall(r"\d+|[A-Za-z]+", release)
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in parts)
