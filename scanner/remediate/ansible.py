"""Run the Ansible remediations: ansible-playbook in check+diff mode (preview) or for real,
one run per group of hosts needing the same rules, results read from the hygie_results
callback (JSON lines), never from the terminal text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from shutil import which
from typing import Literal

import yaml

from scanner.remediate import playbooks_dir
from scanner.remediate.connection import Reach, ansible_host_vars
from scanner.remediate.plan import role_variables
from scanner.remediate.record import REFUSAL_TAG, EngineRun, FixPlan, TaskOutcome, summarize
from scanner.rules import load_catalog

NON_RULE_TAGS = {"always", "never", REFUSAL_TAG}


def ansible_playbook() -> str:
    """ansible-playbook beside this Python (a virtualenv), else on PATH."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    return str(beside) if beside.exists() else which("ansible-playbook") or "ansible-playbook"


def inventory(plan: FixPlan, reach: Reach, hosts: list[str]) -> dict[str, object]:
    """An inventory of `hosts` with their connection and the plan's parameters as host vars."""
    entries: dict[str, object] = {}
    for host_plan in plan.hosts:
        if host_plan.host not in hosts:
            continue
        host = reach.hosts[host_plan.host]
        variables = {} if reach.inventory else ansible_host_vars(host, reach.options)
        if reach.inventory and (extra := ansible_host_vars(host, reach.options)):
            # the user's inventory holds the connection; add only what the scan's options add
            variables.update({k: v for k, v in extra.items()
                              if k in ("ansible_ssh_extra_args", "ansible_user",
                                       "ansible_ssh_private_key_file", "ansible_become")})
        variables.update(role_variables(host_plan.rules))
        variables["hygie_linux_rules"] = list(host_plan.rule_ids)
        variables["hygie_linux_allow_reboot"] = plan.allow_reboot
        entries[host_plan.host] = variables
    return {"all": {"hosts": entries}}


def command(plan: FixPlan, reach: Reach, hosts: list[str], rules: tuple[str, ...],
            inventory_file: Path, preview: bool) -> list[str]:
    argv = [ansible_playbook()]
    if reach.inventory:
        argv += ["-i", str(reach.inventory.resolve())]
    argv += ["-i", str(inventory_file), "--limit", ",".join(hosts), "--tags", ",".join(rules),
             str(playbooks_dir() / "ansible" / "site.yml")]
    if preview:
        argv += ["--check", "--diff"]
    return argv


def environment(results: Path, reach: Reach) -> dict[str, str]:
    folder = playbooks_dir() / "ansible"
    return {
        **os.environ,
        "ANSIBLE_CALLBACK_PLUGINS": str(folder / "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "hygie_results",
        "ANSIBLE_ROLES_PATH": str(folder / "roles"),
        "HYGIE_ANSIBLE_RESULTS": str(results),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PIPELINING": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        "ANSIBLE_TIMEOUT": str(int(reach.options.connect_timeout)),
        "ANSIBLE_FORKS": str(max(1, reach.parallel)),
        "ANSIBLE_HOST_KEY_CHECKING": "1",  # never turned off: unknown keys fail the host
    }


def run(plan: FixPlan, reach: Reach, workdir: Path, preview: bool) -> EngineRun:
    """Preview (check + diff) or apply the plan; one ansible-playbook per group of hosts."""
    mode: Literal["preview", "apply"] = "preview" if preview else "apply"
    workdir.mkdir(parents=True, exist_ok=True)
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for host_plan in plan.hosts:
        groups[tuple(sorted(host_plan.rule_ids))].append(host_plan.host)
    started = time.monotonic()

    def one(index: int, rules: tuple[str, ...], hosts: list[str]) -> tuple[int, list[TaskOutcome]]:
        stem = f"ansible-{mode}-{index}"
        inventory_file = workdir / f"{stem}-inventory.yml"
        inventory_file.write_text(yaml.safe_dump(inventory(plan, reach, hosts), sort_keys=False))
        results = workdir / f"{stem}.jsonl"
        results.unlink(missing_ok=True)
        with (workdir / f"{stem}.log").open("w") as log:
            done = subprocess.run(command(plan, reach, hosts, rules, inventory_file, preview),
                                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=environment(results, reach), check=False)
        return done.returncode, read_results(results)

    with ThreadPoolExecutor(max_workers=max(1, min(len(groups), 4))) as pool:
        finished = list(pool.map(lambda g: one(*g), [(i, r, h) for i, (r, h)
                                                      in enumerate(groups.items())]))
    tasks = [task for _, group_tasks in finished for task in group_tasks]
    rc = max((code for code, _ in finished), default=0)
    return EngineRun(mode=mode, duration_s=round(time.monotonic() - started, 2), rc=rc,
                     log=f"ansible-{mode}-*.log", outcomes=summarize(plan, tasks, mode))


def read_results(path: Path) -> list[TaskOutcome]:
    """The callback's JSON lines as TaskOutcomes (rule ids from the task's tags)."""
    if not path.exists():
        return []
    rule_ids = set(load_catalog())
    outcomes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        tags = set(data.get("tags", []))
        outcomes.append(TaskOutcome(
            host=data["host"], task=data["task"], status=data["status"],
            rule_ids=sorted(tags & rule_ids - NON_RULE_TAGS), refusal=REFUSAL_TAG in tags,
            diff=data.get("diff", ""), message=data.get("message", ""),
        ))
    return outcomes
