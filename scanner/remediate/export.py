"""`hygie fix --export FILE`: the planned fixes as files a team reviews, commits and runs
itself: an Ansible playbook (one play per host, its rules and parameters as variables) with the
hygie_linux role copied beside it, or a pyinfra deploy with the Hygie deploys copied beside it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from pprint import pformat

import yaml

from scanner.remediate import playbooks_dir
from scanner.remediate.plan import role_variables
from scanner.remediate.pyinfra import rule_order
from scanner.remediate.record import FixPlan
from scanner.rules import load_catalog

ROLE = Path("ansible") / "roles" / "hygie_linux"


def export(plan: FixPlan, file: Path) -> list[Path]:
    """Write the tailored playbook or deploy to `file`; returns every path written."""
    file.parent.mkdir(parents=True, exist_ok=True)
    if plan.engine == "ansible":
        return _ansible(plan, file)
    return _pyinfra(plan, file)


def _header(plan: FixPlan, run: str) -> str:
    left = "".join(f"#   {n.host} {n.rule_id}: {n.reason}\n" for n in plan.not_attempted)
    return (f"# Hygie fixes exported {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
            f"{len(plan.pairs())} fixes on {len(plan.hosts)} hosts.\n"
            f"# Review and commit, preview, then apply:\n{run}"
            + (f"# Not attempted (fix by hand, see `hygie fix` or the report):\n{left}"
               if left else ""))


def _ansible(plan: FixPlan, file: Path) -> list[Path]:
    plays = []
    for host_plan in plan.hosts:
        variables = {"hygie_linux_rules": list(host_plan.rule_ids),
                     "hygie_linux_allow_reboot": plan.allow_reboot,
                     **role_variables(host_plan.rules)}
        plays.append({"name": f"Hygie fixes for {host_plan.host}", "hosts": host_plan.host,
                      "become": True, "gather_facts": True, "gather_subset": ["!all", "min"],
                      "vars": variables, "roles": [{"role": "hygie_linux"}]})
    run = (f"#   ansible-playbook -i INVENTORY {file.name} --check --diff\n"
           f"#   ansible-playbook -i INVENTORY {file.name}\n"
           "# The role hygie_linux is in roles/ beside this file.\n")
    file.write_text(_header(plan, run) + yaml.safe_dump(plays, sort_keys=False), "utf-8")
    role = file.parent / "roles" / "hygie_linux"
    shutil.copytree(playbooks_dir() / ROLE, role, dirs_exist_ok=True)
    return [file, role]


def _pyinfra(plan: FixPlan, file: Path) -> list[Path]:
    catalog, order = load_catalog(), rule_order()
    fixes = {h.host: [(catalog[r.rule_id].area, r.rule_id, r.parameters)
                      for r in sorted(h.rules, key=lambda r: order.index(r.rule_id))]
             for h in plan.hosts}
    run = (f"#   pyinfra INVENTORY {file.name} --dry\n#   pyinfra INVENTORY {file.name}\n"
           "# Hosts are matched by their Hygie inventory name; the deploys are in hygie/.\n"
           + ("# Reboots: set hygie_allow_reboot=True in the host data to allow them.\n"
              if plan.allow_reboot else ""))
    body = f'''
import importlib.util
import sys
from pathlib import Path

DEPLOYS = Path(__file__).resolve().parent / "hygie" / "pyinfra"
sys.path.insert(0, str(DEPLOYS))

from pyinfra import host  # noqa: E402

FIXES = {pformat(fixes, width=96, sort_dicts=False)}


def deploys(area):
    """An area's deploys, from its file (logging and time are also standard module names)."""
    name = f"hygie_deploys_{{area}}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DEPLOYS / f"{{area}}.py")
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


for area, rule_id, parameters in FIXES.get(host.name, []):
    getattr(deploys(area), rule_id)(**parameters)
'''
    file.write_text(_header(plan, run) + body, "utf-8")
    copy = file.parent / "hygie"
    shutil.copytree(playbooks_dir() / "pyinfra", copy / "pyinfra", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(playbooks_dir() / ROLE, copy / ROLE, dirs_exist_ok=True)
    return [file, copy]
