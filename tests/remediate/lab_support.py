"""Helpers of the remediation lab tests: run `hygie scan` and `hygie fix` in-process, read the
fix record, reach a lab host with a changed SSH port."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import yaml
from rich.console import Console

from scanner import cli
from scanner.connections import ConnectOptions
from scanner.inventory import load_inventory
from scanner.lab.hosts import LabHost
from scanner.remediate import command
from scanner.remediate.connection import Reach
from scanner.remediate.record import FixRun
from scanner.rules import load_catalog
from tests.remediate.playbook_files import TASKS

CORE = "firewall,antivirus,patches,ssh"
COVERED = sorted(p.stem for p in TASKS.glob("*.yml") if p.stem in load_catalog())
# the weak scenario fails them all; a reboot is never allowed in these tests
EXPECTED_PLAN = sorted(set(COVERED) - {"patches_reboot_not_required"})
# freshclam cannot reach a mirror from the lab: the fix starts it, the signatures stay old
LAB_CANNOT_FIX = {"antivirus_signatures_fresh"}


def scan(out: Path, inventory: Path, ssh_config: Path, limit: str, rules: str = CORE) -> int:
    return cli.main(["scan", "-i", str(inventory), "--limit", limit, "--ssh-config",
                     str(ssh_config), "--rules", rules, "-o", str(out), "-q"])


def fix(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hygie")
    command.add_parser(parser.add_subparsers(dest="command"))
    console = Console(file=io.StringIO(), width=200)
    return command.run(parser.parse_args(["fix", *argv]), console)


def last_fix(run_folder: Path) -> FixRun:
    newest = sorted(run_folder.glob("fix-*/fix.json"))[-1]
    return FixRun.model_validate_json(newest.read_text())


def statuses(run_folder: Path, host: str) -> dict[str, str]:
    data = json.loads((run_folder / "findings.json").read_text())
    found = next(h for h in data["hosts"] if h["name"] == host)
    return {f["rule_id"]: f["status"] for f in found["findings"]}


def reach(inventory: Path, ssh_config: Path, *names: str) -> Reach:
    hosts = load_inventory(inventory).hosts
    return Reach(hosts={n: hosts[n] for n in names}, inventory=inventory,
                 options=ConnectOptions(ssh_config=(str(ssh_config),)))


def moved_ssh_files(host: LabHost, lab_inventory: Path, lab_ssh_config: Path,
                    lab_known_hosts: Path, port: int, folder: Path) -> tuple[Path, Path]:
    """Inventory, ssh config and known_hosts for `host` reached on another SSH port."""
    known = folder / "known_hosts"
    known.write_text("".join(f"[{host.address}]:{port} {line.split(' ', 1)[1]}\n"
                             for line in lab_known_hosts.read_text().splitlines()
                             if line.startswith(f"{host.address} ")))
    config = folder / "ssh_config"
    config.write_text(f"Host {host.name} {host.address}\n  HostName {host.address}\n"
                      f"  Port {port}\n  User {host.user}\n  IdentityFile {host.key_file}\n"
                      f"  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
                      "  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n")
    entry = yaml.safe_load(lab_inventory.read_text())["all"]["children"]["lab"]["hosts"]
    variables = dict(entry[host.name], ansible_port=port, ansible_ssh_common_args=(
        f"-o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes"))
    inventory = folder / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {host.name: variables}}}))
    return inventory, config
