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


# --- removable media, logging and time (tests/remediate/test_fix_lab_removable_logging_time.py)
TRACES = "removable_media,logging,time"  # the weak scenario fails their rules


def tailoring(folder: Path, collector: str, ntp_servers: list[str]) -> Path:
    """A profile naming the log collector and NTP servers (their fixes refuse without them)."""
    file = folder / "profile.yml"
    file.write_text(yaml.safe_dump({
        "id": "lab_traces", "title": {"en": "Lab", "fr": "Lab"}, "extends": "server",
        "parameters": {"logging_remote_forwarding": {"collector": collector},
                       "time_sources_configured": {"ntp_servers": ntp_servers}}}))
    return file


def scan_with(out: Path, inventory: Path, ssh_config: Path, limit: str, rules: str,
              profile: Path) -> int:
    return cli.main(["scan", "-i", str(inventory), "--limit", limit, "--ssh-config",
                     str(ssh_config), "--rules", rules, "--profile", str(profile), "-o", str(out),
                     "-q"])


# --- services and kernel (tests/remediate/test_fix_lab_services_kernel.py)
SERVICES_KERNEL = "services,kernel"
# the weak state of these areas, applied on top of the weak scenario, each step a no-op when the
# scenario already did it (it does: telnet through inetd, 99-zz-hygie.conf with weak sysctls):
# a telnet server enabled in inetd, IPv4 forwarding on
WEAK_SERVICES_KERNEL = r"""
set -e
export DEBIAN_FRONTEND=noninteractive
installed() { dpkg-query -W -f='${db:Status-Abbrev}\n' "$@" 2>/dev/null | grep -q '^.i'; }
installed telnetd inetutils-telnetd ||
  apt-get -q install -y inetutils-inetd inetutils-telnetd >/dev/null
if ! grep -qE '^[[:space:]]*telnet[[:space:]]' /etc/inetd.conf; then
  sed -i 's/^#<off># telnet/telnet/' /etc/inetd.conf
  for unit in inetd inetutils-inetd; do systemctl restart $unit.service 2>/dev/null || true; done
fi
sysctl -q -w net.ipv4.ip_forward=1
"""


def weaken_services_kernel(lab, name: str) -> None:  # type: ignore[no-untyped-def]
    """Put host `name` of the Lab `lab` in the weak state above."""
    done = lab.exec(name, ["sh", "-c", WEAK_SERVICES_KERNEL])
    assert done.returncode == 0, done.stdout + done.stderr


def findings(run_folder: Path, host: str) -> dict[str, dict]:
    """rule id -> finding (status, message, evidence) of `host` in a scan run folder."""
    data = json.loads((run_folder / "findings.json").read_text())
    found = next(h for h in data["hosts"] if h["name"] == host)
    return {f["rule_id"]: f for f in found["findings"]}


# test_fix_lab.py scans and fixes the core areas only: its plan is their covered rules
EXPECTED_PLAN = sorted(r for r in EXPECTED_PLAN if load_catalog()[r].area in CORE.split(","))


# --- session lock, passwords, accounts (tests/remediate/test_fix_lab_accounts.py)
ACCOUNT_AREAS = "session_lock,passwords,accounts"
# weak states of these areas on top of the weak scenario (each step harmless when the scenario
# already did it): pam_pwquality off, a root password, a password account (alice, changed
# today), an empty password (bob, home 0777), a system account with a shell, loose account files
WEAK_ACCOUNTS = r"""
set -e
export DEBIAN_FRONTEND=noninteractive
pam-auth-update --disable pwquality >/dev/null 2>&1
echo 'root:HygieLab-root-1' | chpasswd
id alice >/dev/null 2>&1 || useradd -m -s /bin/bash alice
echo 'alice:HygieLab-alice-1' | chpasswd
id bob >/dev/null 2>&1 || useradd -m -s /bin/bash bob
passwd -d bob >/dev/null
chmod 0777 /home/bob
usermod -s /bin/bash daemon
chmod 0644 /etc/shadow
chmod 0664 /etc/group
"""
# what both engines must leave identical on two hosts weakened the same way
ACCOUNT_FINGERPRINT = r"""
cd /etc
sha256sum login.defs default/useradd security/faillock.conf pam.d/common-auth \
  pam.d/common-account pam.d/common-password profile.d/tmout.sh sudoers.d/zz_hygie_sudo_logging \
  security/pwquality.conf.d/*.conf /usr/share/pam-configs/hygie-faillock*
stat -c '%n %a %U %G' shadow gshadow passwd group ssh/sshd_config crontab cron.d cron.daily \
  /home/*
cut -d: -f1,7 passwd
awk -F: '{ print $1, substr($2, 1, 1), $5, $7 }' shadow
"""


def weaken_accounts(lab, name: str) -> None:  # type: ignore[no-untyped-def]
    """Put host `name` of the Lab `lab` in the weak state above."""
    done = lab.exec(name, ["sh", "-c", WEAK_ACCOUNTS])
    assert done.returncode == 0, done.stdout + done.stderr


def account_fingerprint(lab, name: str) -> str:  # type: ignore[no-untyped-def]
    done = lab.exec(name, ["sh", "-c", ACCOUNT_FINGERPRINT])
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
