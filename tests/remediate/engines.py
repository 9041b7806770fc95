"""Both engines side by side, for the engine-agreement tests: the role's tasks pointed at scratch
files and played by a real local ansible-playbook, and the pyinfra modules whose text they match."""

from __future__ import annotations

import copy
import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from scanner.remediate.pyinfra_worker import deploys_module
from tests.remediate.playbook_files import PYINFRA, ROLE, TASKS, module_of, tasks

# the deploys import their helpers (hygie_ops, services, ...) by their plain names
sys.path.insert(0, str(PYINFRA))

DEFAULTS: dict[str, Any] = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
NOT_AS_ROOT = ("owner", "group", "validate", "mode", "create", "force")


def pyinfra_module(name: str) -> ModuleType:
    """playbooks/pyinfra/<name>.py imported by its plain name, as the deploys import it."""
    return importlib.import_module(name)


def area_deploys(area: str) -> ModuleType:
    """An area's deploys under a name of their own, as hygie fix loads them (logging and time are
    also standard modules)."""
    return deploys_module(str(PYINFRA), area)


def role_task(rule_id: str, title: str) -> dict[str, Any]:
    """A copy of the one task named `<title> | <rule_id>` in the rule's tasks file."""
    found = [t for t in tasks(TASKS / f"{rule_id}.yml") if t["name"] == f"{title} | {rule_id}"]
    assert len(found) == 1, (rule_id, title)
    return copy.deepcopy(found[0])


def scratch_task(rule_id: str, title: str, dest: Path, values: dict[str, Any]) -> dict[str, Any]:
    """The role's task writing `dest` instead, with the values given and its own vars, without
    ownership, mode, creation or validation (the tests do not run as root)."""
    task = role_task(rule_id, title)
    module = module_of(task)
    args = {k: v for k, v in task[module].items() if k not in NOT_AS_ROOT}
    args["path" if "path" in args else "dest"] = str(dest)
    return {"name": task["name"], module: args, "vars": {**values, **task.get("vars", {})}}


def run_playbook(
    folder: Path, play_tasks: list[dict[str, Any]], variables: dict[str, Any] | None = None
) -> None:
    """Play the tasks on this machine with the venv's ansible-playbook; asserts they succeed."""
    playbook = folder / "play.yml"
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "connection": "local",
        "vars": {"ansible_python_interpreter": sys.executable, **(variables or {})},
        "tasks": play_tasks,
    }
    # in the order given: the role keeps the order of syscall_groups, as hygie fix does
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(playbook)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
