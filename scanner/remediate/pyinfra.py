"""Run the pyinfra remediations: one worker process (pyinfra's gevent stays out of Hygie's
asyncio) runs the deploys of playbooks/pyinfra as a real dry run (preview: every operation's
commands computed from facts, none executed) or for real, and returns structured results."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Literal

import yaml

from scanner.models import Host
from scanner.remediate import playbooks_dir
from scanner.remediate.connection import Reach
from scanner.remediate.record import EngineRun, FixPlan, TaskOutcome, summarize
from scanner.rules import load_catalog


def rule_order() -> list[str]:
    """Rule ids in the order the Ansible role runs them (roles/.../tasks/main.yml): both
    engines then write sshd_config blocks in the same order, so the files come out equal."""
    main = playbooks_dir() / "ansible" / "roles" / "hygie_linux" / "tasks" / "main.yml"
    imported = [task["ansible.builtin.import_tasks"] for task in yaml.safe_load(main.read_text())]
    return [name.removesuffix(".yml") for name in imported if name != "preflight.yml"]


def host_data(host: Host, reach: Reach, plan: FixPlan) -> tuple[str, dict[str, object]]:
    """pyinfra inventory name and data of one host, from the same Host and options as a scan."""
    options = reach.options
    data: dict[str, object] = {"hygie_allow_reboot": plan.allow_reboot}
    if host.connection == "local":
        return "@local", {**data, "_sudo": host.become}
    data.update({
        "ssh_hostname": host.address or host.name,
        "ssh_strict_host_key_checking": "accept-new" if options.trust_new_host_keys else "yes",
        "ssh_connect_retries": 1,
        "_sudo": host.become,
    })
    optional = {"ssh_port": host.port, "ssh_user": host.user, "ssh_key": host.key_file,
                "ssh_known_hosts_file": options.known_hosts,
                "ssh_config_file": options.ssh_config[0] if options.ssh_config else None}
    data.update({key: value for key, value in optional.items() if value})
    return host.name, data


def job(plan: FixPlan, reach: Reach, preview: bool) -> dict[str, Any]:
    catalog, order = load_catalog(), rule_order()
    hosts = []
    for host_plan in plan.hosts:
        name, data = host_data(reach.hosts[host_plan.host], reach, plan)
        rules = sorted(host_plan.rules, key=lambda r: order.index(r.rule_id)
                       if r.rule_id in order else len(order))
        hosts.append({"name": name, "hygie_name": host_plan.host, "data": data, "rules": [
            {"rule_id": r.rule_id, "area": catalog[r.rule_id].area, "parameters": r.parameters}
            for r in rules]})
    return {"deploys": str(playbooks_dir() / "pyinfra"), "preview": preview,
            "parallel": reach.parallel, "connect_timeout": int(reach.options.connect_timeout),
            "hosts": hosts}


def run(plan: FixPlan, reach: Reach, workdir: Path, preview: bool) -> EngineRun:
    mode: Literal["preview", "apply"] = "preview" if preview else "apply"
    workdir.mkdir(parents=True, exist_ok=True)
    job_file, results = workdir / f"pyinfra-{mode}-job.json", workdir / f"pyinfra-{mode}.json"
    the_job = job(plan, reach, preview)
    job_file.write_text(json.dumps(the_job, indent=2), encoding="utf-8")
    results.unlink(missing_ok=True)
    started = time.monotonic()
    with (workdir / f"pyinfra-{mode}.log").open("w") as log:
        done = subprocess.run([sys.executable, "-m", "scanner.remediate.pyinfra_worker",
                               str(job_file), str(results)], stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False)
    names = {h["name"]: h["hygie_name"] for h in the_job["hosts"]}
    tasks = read_results(results, names)
    if done.returncode != 0 and not tasks:
        tasks = [TaskOutcome(host=h.host, task="pyinfra", status="failed",
                             message=f"the pyinfra worker exited {done.returncode}: see "
                                     f"pyinfra-{mode}.log") for h in plan.hosts]
    return EngineRun(mode=mode, duration_s=round(time.monotonic() - started, 2),
                     rc=done.returncode, log=f"pyinfra-{mode}.log",
                     outcomes=summarize(plan, tasks, mode))


def read_results(path: Path, names: dict[str, str]) -> list[TaskOutcome]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [TaskOutcome(**{**task, "host": names.get(task["host"], task["host"])})
            for task in data["tasks"]]
