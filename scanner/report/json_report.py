"""findings.json: the ScanRun plus computed summaries, written as JSON, and read back.
Its JSON schema is generated from FindingsDocument by `python -m scanner.report.schema`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, ValidationError

from scanner.models import HostResult, ScanRun
from scanner.report.score import FleetSummary, Summary, fleet_summary, host_summary
from scanner.report.untrusted import json_safe

# additive change: bump the minor; breaking change: bump the major (docs/findings-schema.md)
SCHEMA_VERSION: str = ScanRun.model_fields["schema_version"].default
FILENAME = "findings.json"


class HostReport(HostResult):
    summary: Summary


class FindingsDocument(ScanRun):
    """What findings.json holds: a ScanRun whose fleet and hosts carry their summaries."""

    model_config = ConfigDict(title="Hygie findings")
    summary: FleetSummary
    hosts: list[HostReport]  # type: ignore[assignment]  # a narrower list, on purpose


class FindingsFileError(ValueError):
    """findings.json cannot be read: not JSON, not this schema, or an unsupported version."""


def _with_key_before(data: dict[str, Any], key: str, value: Any, before: str) -> dict[str, Any]:
    ordered = {}
    for name, item in data.items():
        if name == before:
            ordered[key] = value
        ordered[name] = item
    return ordered


def to_document(run: ScanRun) -> dict[str, Any]:
    """The findings.json content: summaries placed before the long lists they summarise."""
    data = run.model_dump(mode="python")
    data["schema_version"] = SCHEMA_VERSION  # a re-written old run takes today's format
    data["hosts"] = [
        _with_key_before(host_data, "summary", host_summary(host).model_dump(), "findings")
        for host_data, host in zip(data["hosts"], run.hosts, strict=True)
    ]
    data = _with_key_before(data, "summary", fleet_summary(run).model_dump(), "hosts")
    return json_safe(data)


def write_atomically(path: Path, text: str) -> None:
    """Readers never see half a report: write beside the target, then rename over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_json(run: ScanRun, out_dir: Path, lang: str = "en") -> Path:
    """Write findings.json (language-neutral: `lang` is accepted like every writer's)."""
    path = out_dir / FILENAME
    text = json.dumps(to_document(run), ensure_ascii=False, indent=2, allow_nan=False)
    write_atomically(path, text + "\n")
    return path


def load_run(path: Path | str) -> ScanRun:
    """Read a findings.json back; newer minor versions load (extra fields are ignored)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FindingsFileError(f"{path}: not a readable findings.json: {exc}") from exc
    if not isinstance(data, dict) or "schema_version" not in data:
        raise FindingsFileError(f"{path}: no schema_version; not a Hygie findings.json")
    version = str(data["schema_version"])
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise FindingsFileError(
            f"{path}: schema_version {version} is not supported; this Hygie reads "
            f"{SCHEMA_VERSION.split('.')[0]}.x (see docs/findings-schema.md)"
        )
    try:
        return ScanRun.model_validate(data)
    except ValidationError as exc:
        raise FindingsFileError(f"{path}: does not match schema {version}: {exc}") from exc
