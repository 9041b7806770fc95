"""ClamAV signature databases: the 512-byte `ClamAV-VDB:` header of main/daily/bytecode files.

e.g. SignatureDatabase(file="daily.cld", version=27500, signatures=2071032,
build_time="2026-11-28T10:15:00+00:00", age_days=1)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import BaseModel

from scanner.facts.base import CollectionError

HEADER = re.compile(r"^ClamAV-VDB:(?P<time>[^:]*):(?P<version>\d+):(?P<sigs>\d+):(?P<rest>.*)$")
DB_FILE = re.compile(r"^(main|daily|bytecode)\.(cvd|cld|cud)$")
SECONDS_PER_DAY = 86400


class SignatureDatabase(BaseModel):
    file: str  # daily.cld
    version: int
    signatures: int
    build_time: str  # ISO 8601, from the header's build-time epoch (or its text date)
    age_days: int  # whole days between build_time and the host's clock at collection


class ClamavDatabases(BaseModel):
    directory: str
    directory_from: str  # "config" (DatabaseDirectory) | "default"
    databases: list[SignatureDatabase]


def parse_header(header: str) -> tuple[int, int, int]:
    """`ClamAV-VDB:<time>:<version>:<sigs>:<flevel>:<md5>:<dsig>:<builder>:<stime>` ->
    (version, signatures, build epoch)."""
    match = HEADER.match(header.strip())
    if not match:
        raise CollectionError(f"clamav: not a ClamAV-VDB header: {header[:40]!r}")
    stime = match["rest"].split(":")[-1].strip()
    if stime.isdigit() and len(stime) <= 12:
        built = int(stime)
    else:  # no build epoch: fall back on the text date, "28 Nov 2026 10-15 +0000"
        try:
            built = int(datetime.strptime(match["time"], "%d %b %Y %H-%M %z").timestamp())
        except ValueError as exc:
            raise CollectionError(f"clamav: unreadable build time {match['time'][:40]!r}") from exc
    return int(match["version"]), int(match["sigs"]), built


def parse_databases(text: str, now_epoch: int) -> ClamavDatabases:
    """Lines `directory <path> <config|default>` then `file <name> <header text>`."""
    directory = re.search(r"^directory (\S+) (config|default)$", text, re.M)
    if not directory:
        raise CollectionError("clamav databases: no 'directory' line")
    databases = []
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        name, _, header = rest.partition(" ")
        if kind != "file" or not DB_FILE.match(name):
            continue
        if not header.strip():
            raise CollectionError(f"clamav: cannot read the header of {name}")
        version, signatures, built = parse_header(header)
        databases.append(
            SignatureDatabase(
                file=name,
                version=version,
                signatures=signatures,
                build_time=_iso(built),
                age_days=(now_epoch - built) // SECONDS_PER_DAY,
            )
        )
    return ClamavDatabases(directory=directory[1], directory_from=directory[2], databases=databases)


def _iso(epoch: int) -> str:
    try:
        return datetime.fromtimestamp(epoch, UTC).isoformat()
    except (ValueError, OverflowError, OSError) as exc:
        raise CollectionError(f"clamav: build time out of range: {epoch}") from exc
