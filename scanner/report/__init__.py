"""Report writers: plain functions in a dict, each fed by the same ScanRun and its Findings.
`write_reports` writes findings.json and report.html; `load_run` reads findings.json back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scanner.models import ScanRun
from scanner.report.html import write_html
from scanner.report.i18n import labels
from scanner.report.json_report import FindingsFileError, load_run, write_json
from scanner.report.score import fleet_summary, host_summary, score

Writer = Callable[[ScanRun, Path, str], Path]

WRITERS: dict[str, Writer] = {"json": write_json, "html": write_html}


def write_reports(run: ScanRun, out_dir: Path, lang: str = "en") -> dict[str, Path]:
    """Write every report into `out_dir` (created if missing); returns format -> path."""
    labels(lang)  # an unknown language fails before anything is written
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return {name: write(run, out_dir, lang) for name, write in WRITERS.items()}


__all__ = [
    "WRITERS",
    "FindingsFileError",
    "fleet_summary",
    "host_summary",
    "load_run",
    "score",
    "write_reports",
]
