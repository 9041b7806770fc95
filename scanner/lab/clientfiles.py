"""What clients need to reach the lab hosts: an Ansible YAML inventory, an OpenSSH config and
the lab's own known_hosts (strict host-key checking stays on everywhere)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from scanner.lab.hosts import LabHost
from scanner.lab.layout import PACKAGE_DIR

# the tailoring of the server baseline that fits the lab's hosts (README.md): scan them with
# `hygie scan -i <inventory> --ssh-config <ssh config> --profile <it>`
LAB_PROFILE = PACKAGE_DIR / "lab-profile.yml"


def ssh_options(known_hosts: Path) -> list[str]:
    return ["-o", f"UserKnownHostsFile={known_hosts}", "-o", "StrictHostKeyChecking=yes",
            "-o", "IdentitiesOnly=yes"]


def control_dir(ssh_config: Path) -> Path:
    return ssh_config.parent


def inventory(hosts: Iterable[LabHost], ssh_config: Path) -> dict[str, object]:
    """Ansible-format inventory: group `lab` with every host, one `scenario_<name>` group each."""
    hosts = sorted(hosts, key=lambda h: h.index)
    entries: dict[str, object] = {}
    groups: dict[str, dict[str, object]] = {}
    for host in hosts:
        entries[host.name] = {
            "ansible_host": host.address,
            "ansible_port": host.port,
            "ansible_user": host.user,
            "ansible_become": True,
            "ansible_ssh_private_key_file": str(host.key_file),
            "ansible_ssh_common_args": " ".join(ssh_options(host.known_hosts)),
            # Ansible's connection reuse, with its sockets in the run dir so that the lab's
            # teardown finds and ends the master processes
            "ansible_ssh_args": "-C -o ControlMaster=auto -o ControlPersist=30s "
                                f"-o ControlPath={control_dir(ssh_config)}/cp-%r@%h:%p",
            "hygie_known_hosts": str(host.known_hosts),
            "hygie_lab_scenario": host.scenario or "base",
        }
        group = groups.setdefault(f"scenario_{host.scenario or 'base'}", {"hosts": {}})
        group["hosts"][host.name] = None  # type: ignore[index]
    return {"all": {"children": {"lab": {"hosts": entries, "children": groups}},
                    "vars": {"hygie_lab_ssh_config": str(ssh_config),
                             "hygie_lab_profile": str(LAB_PROFILE)}}}


def ssh_config(hosts: Iterable[LabHost]) -> str:
    """OpenSSH client config: one stanza per host name, strict checking against lab known_hosts."""
    stanzas = []
    for host in sorted(hosts, key=lambda h: h.index):
        stanzas.append(
            f"Host {host.name} {host.address}\n"
            f"  HostName {host.address}\n"
            f"  Port {host.port}\n"
            f"  User {host.user}\n"
            f"  IdentityFile {host.key_file}\n"
            f"  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {host.known_hosts}\n"
            f"  StrictHostKeyChecking yes\n"
            f"  CheckHostIP no\n"
            f"  BatchMode yes\n"
            f"  ConnectTimeout 5\n"
            f"  LogLevel ERROR\n"
        )
    return "\n".join(stanzas)


def known_hosts(lines_by_host: dict[str, list[str]]) -> str:
    return "".join(line + "\n" for name in sorted(lines_by_host) for line in lines_by_host[name])


def write_all(hosts: list[LabHost], lines_by_host: dict[str, list[str]], inventory_path: Path,
              ssh_config_path: Path, known_hosts_path: Path) -> None:
    _write(known_hosts_path, known_hosts(lines_by_host))
    _write(ssh_config_path, ssh_config(hosts))
    _write(inventory_path, yaml.safe_dump(inventory(hosts, ssh_config_path), sort_keys=False))


def _write(path: Path, text: str) -> None:
    part = path.with_suffix(path.suffix + ".part")
    part.write_text(text)
    part.chmod(0o644)
    part.replace(path)
