"""Every rule the catalog marks automatable has both remediations, written to the house rules:
one tasks file per rule id, tasks named `<Title> | <rule_id>` and tagged with it, only
ansible.builtin modules, parameters named after the catalog's; a pyinfra @deploy per rule id
taking the catalog's parameters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scanner.remediate import playbooks_dir
from scanner.rules import load_catalog
from tests.remediate.playbook_files import ROLE, TASKS, module_of, pyinfra_deploys, tasks

CATALOG = load_catalog()
RULE_FILES = sorted(p for p in TASKS.glob("*.yml") if p.stem in CATALOG)
SHARED_FILES = {"main.yml", "preflight.yml", "firewall_ruleset.yml"}
COVERED = sorted(p.stem for p in RULE_FILES)


def test_every_automatable_rule_has_both_remediations() -> None:
    deploys = pyinfra_deploys()
    missing = []
    for rule in CATALOG.values():
        remediation = rule.meta.remediation
        if not (remediation.ansible or remediation.pyinfra):
            continue
        if not (TASKS / f"{rule.id}.yml").exists():
            missing.append(f"{rule.id}: no roles/hygie_linux/tasks/{rule.id}.yml")
        if deploys.get(rule.id) != rule.area:
            missing.append(f"{rule.id}: no @deploy {rule.id} in playbooks/pyinfra/{rule.area}.py")
    assert not missing, "\n".join(missing)


def test_every_remediation_belongs_to_a_rule_and_has_its_twin() -> None:
    deploys = pyinfra_deploys()
    stray = [p.name for p in TASKS.glob("*.yml") if p.stem not in CATALOG
             and p.name not in SHARED_FILES]
    assert not stray, f"tasks files named after no rule: {stray}"
    assert set(COVERED) == set(deploys), "Ansible and pyinfra cover different rules"
    assert all(CATALOG[rule_id].area == area for rule_id, area in deploys.items())


def test_manual_only_rules_are_never_automated() -> None:
    for rule_id in ("disk_encryption_fixed_volumes", "disk_encryption_swap"):
        assert rule_id not in COVERED
        assert not CATALOG[rule_id].meta.remediation.ansible
        assert not CATALOG[rule_id].meta.remediation.pyinfra


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_tasks_are_named_and_tagged_with_their_rule(path: Path) -> None:
    for task in tasks(path):
        assert task["name"].endswith(f"| {path.stem}"), task["name"]
        assert path.stem in task.get("tags", []), f"{task['name']}: not tagged {path.stem}"


def test_main_imports_every_rule_file_once() -> None:
    imported = [t["ansible.builtin.import_tasks"] for t in tasks(TASKS / "main.yml")]
    assert sorted(imported) == sorted(["preflight.yml", *(f"{r}.yml" for r in COVERED)])


def test_shared_and_handler_tasks_are_named_with_a_suffix() -> None:
    for path in [TASKS / "preflight.yml", TASKS / "firewall_ruleset.yml",
                 ROLE / "handlers" / "main.yml"]:
        for task in tasks(path):
            assert " | " in task["name"], f"{path.name}: {task['name']}"


def test_only_ansible_builtin_modules() -> None:
    files = [*TASKS.glob("*.yml"), ROLE / "handlers" / "main.yml"]
    for path in files:
        for task in tasks(path):
            assert module_of(task).startswith("ansible.builtin."), f"{path.name}: {task['name']}"


def test_daemon_configs_are_validated() -> None:
    for path in TASKS.glob("*.yml"):
        for task in tasks(path):
            module = module_of(task)
            args = task[module] if isinstance(task[module], dict) else {}
            target = str(args.get("path") or args.get("dest") or "")
            if "sshd_config" in target or "hygie_linux_sshd_config" in target:
                validate = args.get("validate", "")
                assert validate == "{{ hygie_linux_sshd_binary }} -t -f %s", task["name"]
            if target == "/etc/nftables.conf":
                assert args.get("validate") == "/usr/sbin/nft -c -f %s", task["name"]


def test_role_defaults_are_the_catalog_parameters() -> None:
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    for rule_id in COVERED:
        for name, value in CATALOG[rule_id].meta.parameters.items():
            key = f"hygie_linux_{rule_id}_{name}"
            assert defaults.get(key) == value, f"{key}: {defaults.get(key)!r} != {value!r}"


def test_pyinfra_deploys_take_the_catalog_parameters() -> None:
    for path in (playbooks_dir() / "pyinfra").glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name in CATALOG:
                params = [a.arg for a in node.args.args]
                assert params == list(CATALOG[node.name].meta.parameters), node.name


def test_site_playbook_passes_syntax_check(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    playbook = Path(sys.executable).parent / "ansible-playbook"
    done = subprocess.run([str(playbook), "-i", str(inventory), "--syntax-check",
                           str(playbooks_dir() / "ansible" / "site.yml")],
                          capture_output=True, text=True, env={
                              "ANSIBLE_ROLES_PATH": str(ROLE.parent), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
