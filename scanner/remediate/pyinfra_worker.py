"""Runs the pyinfra deploys in a process of their own (pyinfra uses gevent): reads a job (hosts,
connection data, rules and parameters, preview or apply) and writes per-host, per-operation
results as JSON. `python -m scanner.remediate.pyinfra_worker JOB.json RESULTS.json`."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import logging
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    sys.path.insert(0, job["deploys"])
    from pyinfra.api import Config, Inventory, State
    from pyinfra.api.connect import connect_all, disconnect_all
    from pyinfra.api.exceptions import PyinfraError

    logging.getLogger("pyinfra").setLevel(logging.CRITICAL)
    inventory = Inventory(([(h["name"], h["data"]) for h in job["hosts"]], {}))
    state = State(inventory=inventory, check_for_changes=False,
                  config=Config(PARALLEL=job["parallel"], CONNECT_TIMEOUT=job["connect_timeout"]))
    state.print_output = state.print_fact_output = False
    with contextlib.suppress(PyinfraError):  # no host could be reached: each is reported below
        connect_all(state)
    tasks: list[dict[str, Any]] = []
    added = {}
    for spec in job["hosts"]:
        host = inventory.get_host(spec["name"])
        if host not in state.activated_hosts:
            tasks.append(_task(spec["name"], [], "Connect", "unreachable",
                               message="could not connect (see pyinfra log)"))
            continue
        added[spec["name"]] = _add_deploys(state, host, spec["rules"], tasks, job["deploys"])
    if job["preview"]:
        tasks += _preview(state, inventory, added)
    else:
        tasks += _apply(state, inventory, added)
    disconnect_all(state)
    Path(argv[1]).write_text(json.dumps({"tasks": tasks}), encoding="utf-8")
    return 0


def deploys_module(folder: str, area: str) -> Any:
    """The deploys of an area, loaded from folder/<area>.py under a name of its own: areas such
    as logging and time are also standard modules, which import_module(area) would return."""
    name = f"hygie_deploys_{area}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(folder) / f"{area}.py")
        assert spec is not None and spec.loader is not None, area
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def _task(host: str, rule_ids: list[str], name: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"host": host, "rule_ids": rule_ids, "task": name, "status": status, **extra}


def _add_deploys(state, host, rules: list[dict[str, Any]], tasks: list,
                 folder: str) -> list[tuple[str, str]]:
    """Add each rule's deploy for `host`; returns (op hash, rule id) in order."""
    from pyinfra.api.deploy import add_deploy

    ops: list[tuple[str, str]] = []
    for rule in rules:
        module = deploys_module(folder, rule["area"])
        before = len(host.op_hash_order)
        try:
            add_deploy(state, getattr(module, rule["rule_id"]), host=host, **rule["parameters"])
        except Exception as exc:  # a guard or a fact that stops this rule, not the whole run
            tasks.append(_task(host.name, [rule["rule_id"]], rule["rule_id"], "failed",
                               message=f"{type(exc).__name__}: {exc}"))
        ops += [(op_hash, rule["rule_id"]) for op_hash in host.op_hash_order[before:]]
    return ops


def _name(state, op_hash: str, rule_id: str) -> str:
    names = sorted(state.op_meta[op_hash].names)
    mine = [n for n in names if n.startswith(f"{rule_id} | ")]
    return (mine or names or [rule_id])[0]


def _describe(command: Any) -> str:
    from pyinfra.api import FileUploadCommand

    return f"upload {command.dest}" if isinstance(command, FileUploadCommand) else str(command)


def _preview(state, inventory, added: dict[str, list[tuple[str, str]]]) -> list[dict[str, Any]]:
    """Run each operation's generator (facts read, nothing executed): its commands say whether
    and how it would change the host."""
    import hygie_ops
    from pyinfra.context import ctx_host, ctx_state

    tasks = []
    for host_name, ops in added.items():
        host = inventory.get_host(host_name)
        for op_hash, rule_id in ops:
            op_data = state.get_op_data_for_host(host, op_hash)
            with ctx_state.use(state), ctx_host.use(host):
                try:
                    commands = [_describe(c) for c in op_data.command_generator()]
                except Exception as exc:
                    tasks.append(_task(host_name, [rule_id], _name(state, op_hash, rule_id),
                                       "failed", message=f"{type(exc).__name__}: {exc}"))
                    continue
            key = (host_name, op_hash)
            diff = hygie_ops.PREVIEW.get(key) or "\n".join(commands)
            tasks.append(_task(host_name, [rule_id], _name(state, op_hash, rule_id),
                               "changed" if commands else "ok", diff=diff if commands else "",
                               refusal=key in hygie_ops.REFUSALS,
                               message=hygie_ops.REFUSALS.get(key, "")))
    return tasks


def _apply(state, inventory, added: dict[str, list[tuple[str, str]]]) -> list[dict[str, Any]]:
    import hygie_ops
    from pyinfra.api.exceptions import PyinfraError
    from pyinfra.api.operations import run_ops
    from pyinfra.api.state import StateStage

    state.set_stage(StateStage.Execute)
    with contextlib.suppress(PyinfraError):  # "No hosts remaining!": all failed, see below
        run_ops(state)
    tasks = []
    for host_name, ops in added.items():
        host = inventory.get_host(host_name)
        for op_hash, rule_id in ops:
            meta = state.get_op_data_for_host(host, op_hash).operation_meta
            key = (host_name, op_hash)
            name = _name(state, op_hash, rule_id)
            if not meta.is_complete():
                continue  # the host stopped before this operation
            if meta.did_error():
                output = meta._combined_output
                message = "\n".join(output.stderr_lines[-20:] or output.stdout_lines[-20:]) \
                    if output else ""
                tasks.append(_task(host_name, [rule_id], name, "failed", message=message))
                continue
            tasks.append(_task(host_name, [rule_id], name,
                               "changed" if meta.did_change() else "ok",
                               diff=hygie_ops.PREVIEW.get(key, "") if meta.did_change() else "",
                               refusal=key in hygie_ops.REFUSALS,
                               message=hygie_ops.REFUSALS.get(key, "")))
    return tasks


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
