"""Structured per-host, per-task results for Hygie: one JSON object per line.

Enabled with ANSIBLE_CALLBACKS_ENABLED=hygie_results; writes to $HYGIE_ANSIBLE_RESULTS.
Each line: host, task, tags, status (ok|changed|failed|skipped|unreachable), diff (unified
text), message. `hygie fix` reads it; nothing is scraped from the terminal output.
"""

from __future__ import annotations

import difflib
import json
import os

from ansible.playbook.handler import Handler
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: hygie_results
    type: aggregate
    short_description: per-host, per-task results as JSON lines for Hygie
    description: Writes one JSON line per task result to the file named by HYGIE_ANSIBLE_RESULTS.
    requirements: [enable in ANSIBLE_CALLBACKS_ENABLED]
"""

MAX_TEXT = 20000


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "hygie_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        path = os.environ.get("HYGIE_ANSIBLE_RESULTS")
        self._out = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def _write(self, result, status: str) -> None:
        if self._out is None:
            return
        data = result._result
        task = result._task
        line = {
            "host": result._host.get_name(),
            "task": task.get_name(),
            "tags": sorted(task.tags or []),
            "handler": isinstance(task, Handler),
            "status": status,
            "diff": _diff_text(data),
            "message": _message(data)[:MAX_TEXT],
        }
        self._out.write(json.dumps(line, default=str) + "\n")
        self._out.flush()

    def v2_runner_on_ok(self, result) -> None:
        self._write(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False) -> None:
        self._write(result, "ok" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result) -> None:
        self._write(result, "skipped")

    def v2_runner_on_unreachable(self, result) -> None:
        self._write(result, "unreachable")

    def v2_playbook_on_stats(self, stats) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def _diff_text(data: dict) -> str:
    """Unified diff text from a module's `diff` (before/after or prepared), items included."""
    diffs = []
    for item in [data, *data.get("results", [])]:
        if not isinstance(item, dict) or not item.get("diff"):
            continue
        parts = item["diff"] if isinstance(item["diff"], list) else [item["diff"]]
        for part in parts:
            diffs.append(_one_diff(part))
    return "\n".join(d for d in diffs if d)[:MAX_TEXT]


def _one_diff(part: dict) -> str:
    if "prepared" in part:
        return str(part["prepared"])
    if "before" not in part and "after" not in part:
        return ""
    before, after = part.get("before", ""), part.get("after", "")
    if isinstance(before, dict) or isinstance(after, dict):
        return f"- {json.dumps(before, sort_keys=True)}\n+ {json.dumps(after, sort_keys=True)}"
    lines = difflib.unified_diff(
        str(before).splitlines(keepends=True),
        str(after).splitlines(keepends=True),
        fromfile=str(part.get("before_header", "before")),
        tofile=str(part.get("after_header", "after")),
    )
    return "".join(lines)


def _message(data: dict) -> str:
    parts = [str(data[key]) for key in ("msg", "stderr") if data.get(key)]
    if data.get("rc") not in (None, 0) and data.get("stdout"):
        parts.append(str(data["stdout"]))
    return "\n".join(parts)
