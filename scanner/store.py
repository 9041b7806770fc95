"""Where runs live on disk: the run folder, and the facts snapshots saved with it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from scanner.facts import FactsSnapshot

DEFAULT_REPORTS_DIR = Path("reports")


class SnapshotError(Exception):
    """A facts file that cannot be read back (names the file)."""


def run_dir(out: Path | None, now: datetime | None = None) -> Path:
    """`out` exactly when given, else `reports/<UTC timestamp>/` (never an existing run)."""
    if out is not None:
        return out
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    path, n = DEFAULT_REPORTS_DIR / stamp, 1
    while path.exists():
        n += 1
        path = DEFAULT_REPORTS_DIR / f"{stamp}-{n}"
    return path


def safe_file_name(host: str) -> str:
    """A host name made safe as a file name (no path separators, no leading dot)."""
    name = re.sub(r"[^A-Za-z0-9._@-]", "_", host).lstrip(".")
    return name[:200] or "host"


def write_snapshots(snapshots: list[FactsSnapshot], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for snapshot in snapshots:
        path = folder / f"{safe_file_name(snapshot.host)}.json"
        path.write_text(snapshot.model_dump_json(indent=2), encoding="utf-8")
        paths.append(path)
    return paths


def read_snapshots(path: Path) -> list[FactsSnapshot]:
    """Snapshots from one facts file, a `facts/` folder, or a run folder holding `facts/`."""
    if path.is_dir() and (path / "facts").is_dir():
        path = path / "facts"
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise SnapshotError(f"{path}: no facts files (*.json) here")
    snapshots = []
    for file in files:
        try:
            snapshots.append(FactsSnapshot.model_validate(json.loads(file.read_text("utf-8"))))
        except FileNotFoundError as exc:
            raise SnapshotError(f"{file}: no such file") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"{file}: not a JSON facts file: {exc}") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SnapshotError(
                f"{file}: not a Hygie facts snapshot: {where}: {first['msg']}"
            ) from exc
    return snapshots
