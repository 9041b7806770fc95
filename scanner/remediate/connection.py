"""How the engines reach the hosts: the same Host entries and options `hygie scan` uses."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from scanner.connections import ConnectOptions
from scanner.models import Host


@dataclass(frozen=True)
class Reach:
    """Hosts by name, the scan's connection options, and the user's inventory file, if any."""

    hosts: dict[str, Host]
    options: ConnectOptions = field(default_factory=ConnectOptions)
    inventory: Path | None = None
    parallel: int = 10


def ssh_extra_args(options: ConnectOptions) -> str:
    """OpenSSH options matching the scan's: config file, known_hosts, host-key policy."""
    args = []
    if options.ssh_config:
        args += ["-F", options.ssh_config[0]]  # ssh reads a single -F
    if options.known_hosts:
        args += ["-o", f"UserKnownHostsFile={options.known_hosts}"]
    if options.trust_new_host_keys:
        args += ["-o", "StrictHostKeyChecking=accept-new"]
    return shlex.join(args)


def ansible_host_vars(host: Host, options: ConnectOptions) -> dict[str, object]:
    """Connection variables of one host for an Ansible inventory (only what is known)."""
    variables: dict[str, object] = {"ansible_connection": "local" if host.connection == "local"
                                    else "ssh"}
    if host.address:
        variables["ansible_host"] = host.address
    if host.port:
        variables["ansible_port"] = host.port
    if host.user:
        variables["ansible_user"] = host.user
    if host.key_file:
        variables["ansible_ssh_private_key_file"] = host.key_file
    if host.become:
        variables["ansible_become"] = True
    extra = ssh_extra_args(options)
    if extra and host.connection == "ssh":
        variables["ansible_ssh_extra_args"] = extra
    return variables
