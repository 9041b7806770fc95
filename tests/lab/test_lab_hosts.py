"""Lab hosts are real: SSH with strict host-key checking, systemd as PID 1, isolated from the
machine, reachable by Ansible through the generated inventory, apt through the relay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scanner.lab import Lab, LabHost

pytestmark = pytest.mark.lab
BIN = Path(sys.executable).parent


def ssh(config: Path, host: str, command: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ssh", "-F", str(config), *options, host, command],
                          capture_output=True, text=True, timeout=60)


def test_hosts_answer_ssh_as_their_own_systemd_hosts(lab_hosts: dict[str, LabHost],
                                                     lab_ssh_config: Path) -> None:
    for host in lab_hosts.values():
        done = ssh(lab_ssh_config, host.name, "hostname; cat /proc/1/comm; id -un; sudo -n id -u")
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [host.name, "systemd", "hygie", "0"]


def test_strict_host_key_checking_refuses_unknown_and_wrong_keys(
        lab_hosts: dict[str, LabHost], lab_ssh_config: Path, tmp_path: Path) -> None:
    host = lab_hosts["weak"]
    unknown = ssh(lab_ssh_config, host.name, "true", "-o", "UserKnownHostsFile=/dev/null")
    assert unknown.returncode == 255
    assert "No ED25519 host key is known" in unknown.stderr or "verification failed" in \
        unknown.stderr
    other = lab_hosts["hardened"]
    wrong = tmp_path / "known_hosts"
    lines = host.known_hosts.read_text().splitlines()
    wrong.write_text("".join(f"{host.address} {line.split(' ', 1)[1]}\n"
                             for line in lines if line.startswith(f"{other.address} ")))
    mismatch = ssh(lab_ssh_config, host.name, "true", "-o", f"UserKnownHostsFile={wrong}")
    assert mismatch.returncode == 255
    assert "HOST IDENTIFICATION HAS CHANGED" in mismatch.stderr


def test_root_key_login_on_weak_refused_on_hardened(lab_hosts: dict[str, LabHost],
                                                     lab_ssh_config: Path) -> None:
    assert ssh(lab_ssh_config, "root@weak", "true").returncode == 0
    refused = ssh(lab_ssh_config, "root@hardened", "true")
    assert refused.returncode == 255 and "Permission denied" in refused.stderr


def test_a_target_cannot_change_the_machine(lab: Lab, lab_hosts: dict[str, LabHost]) -> None:
    name = lab_hosts["weak"].name
    for key in ("kernel/pid_max", "vm/swappiness"):  # rewriting the same value is refused
        sysctl = lab.exec(name, ["sh", "-c", f"cat /proc/sys/{key} > /proc/sys/{key}"])
        assert sysctl.returncode != 0 and "Read-only file system" in sysctl.stderr
    net_sysctl = "cat /proc/sys/net/ipv4/ip_forward > /proc/sys/net/ipv4/ip_forward"
    assert lab.exec(name, ["sh", "-c", net_sysctl]).returncode == 0  # net.* is per netns
    devices = lab.exec(name, ["ls", "/dev"]).stdout.split()
    assert not [d for d in devices if d.startswith(("sd", "vd", "nvme", "loop", "dm-"))]
    assert lab.exec(name, ["sh", "-c", "cat /proc/swaps | wc -l"]).stdout.strip() == "1"
    net = lab.exec(name, ["ip", "-o", "route"]).stdout
    assert "default" not in net  # no route out: only the bridge subnet


def test_apt_reaches_the_mirror_through_the_relay(lab: Lab,
                                                  lab_hosts: dict[str, LabHost]) -> None:
    done = lab.exec(lab_hosts["weak"].name,
                    ["sh", "-c", "cd /tmp && apt-get -q download hostname && ls hostname_*.deb"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(".deb")


def test_inventory_is_ansible_format_and_ansible_reaches_every_host(
        lab_hosts: dict[str, LabHost], lab_inventory: Path) -> None:
    data = yaml.safe_load(lab_inventory.read_text())
    hosts = data["all"]["children"]["lab"]["hosts"]
    assert set(hosts) == {"weak", "hardened"}
    for name, host in lab_hosts.items():
        assert hosts[name]["ansible_host"] == host.address
        assert hosts[name]["ansible_user"] == "hygie"
        assert hosts[name]["ansible_become"] is True
        assert hosts[name]["ansible_port"] == 22
    listed = subprocess.run([BIN / "ansible-inventory", "-i", str(lab_inventory), "--list"],
                            capture_output=True, text=True, check=True)
    assert set(json.loads(listed.stdout)["scenario_hardened"]["hosts"]) == {"hardened"}
    ping = subprocess.run([BIN / "ansible", "-i", str(lab_inventory), "lab", "-m", "ping",
                           "-o"], capture_output=True, text=True, timeout=120)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert ping.stdout.count("SUCCESS") == 2
