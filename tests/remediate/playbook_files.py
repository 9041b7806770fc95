"""Read the remediation playbooks as data, for the tests: Ansible tasks files and pyinfra
deploys by rule id."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import yaml

from scanner.remediate import playbooks_dir

ROLE = playbooks_dir() / "ansible" / "roles" / "hygie_linux"
TASKS = ROLE / "tasks"
PYINFRA = playbooks_dir() / "pyinfra"
TASK_KEYWORDS = {
    "name", "tags", "when", "register", "notify", "vars", "become", "check_mode", "changed_when",
    "failed_when", "loop", "listen", "ignore_errors", "no_log", "environment", "delegate_to",
    "block", "rescue", "always", "args", "loop_control", "until", "retries", "delay",
}


def tasks(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def module_of(task: dict[str, Any]) -> str:
    modules = [key for key in task if key not in TASK_KEYWORDS]
    assert len(modules) == 1, f"task {task.get('name')!r}: modules {modules}"
    return modules[0]


def pyinfra_deploys() -> dict[str, str]:
    """rule id -> area file, for every function decorated with @deploy in playbooks/pyinfra."""
    found = {}
    for path in PYINFRA.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "deploy"
                for d in node.decorator_list
            ):
                found[node.name] = path.stem
    return found
