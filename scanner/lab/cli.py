"""`hygie lab up|status|inventory|down`: start a few lab hosts for people, print their
inventory, stop them. Hosts started by `up` keep running until `down`."""

from __future__ import annotations

import argparse
import socket
import sys

from scanner.cli_options import UsageParser
from scanner.lab import scenarios
from scanner.lab.clientfiles import LAB_PROFILE
from scanner.lab.hosts import LabHost
from scanner.lab.lab import Lab
from scanner.lab.system import LabError, alive
from scanner.models import ExitStatus


def _parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="hygie lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=UsageParser)
    up = commands.add_parser("up", help="start N hosts (lab1..labN), default 2")
    up.add_argument("count", nargs="?", type=int, default=2)
    up.add_argument("--scenario", action="append", default=[], metavar="NAME",
                    choices=scenarios.available(),
                    help="scenario of the next host, in order (repeat); others stay as built")
    commands.add_parser("status", help="list the hosts and whether they answer SSH")
    commands.add_parser("inventory", help="print the Ansible YAML inventory")
    commands.add_parser("down", help="stop every host, the relay and the bridge")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except LabError as error:
        print(f"hygie lab: {error}", file=sys.stderr)
        return 2


def _up(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 50:
        print("hygie lab: count must be between 1 and 50", file=sys.stderr)
        return ExitStatus.USAGE
    wanted = args.scenario + [None] * (args.count - len(args.scenario))
    lab = Lab(owner="cli").start()
    try:
        lab.up({f"lab{i + 1}": scenario for i, scenario in enumerate(wanted)})
    except BaseException:
        lab.down()
        raise
    lab.detach()
    _print_hosts(list(lab.hosts.values()))
    print(f"\ninventory:  {lab.inventory}\nssh config: {lab.ssh_config}  "
          f"(ssh -F {lab.ssh_config} lab1)\nprofile:    {LAB_PROFILE}  (hygie scan -i "
          f"{lab.inventory} --ssh-config {lab.ssh_config} --profile {LAB_PROFILE})\n"
          "stop:       hygie lab down")
    return 0


def _status(args: argparse.Namespace) -> int:
    lab = Lab(owner="cli")
    state = lab.read_state() or {}
    hosts = [LabHost.from_json(h) for h in state.get("hosts", [])]
    if not hosts:
        print("no lab hosts are running")
        return 0
    _print_hosts(hosts)
    return 0 if all(_answers(h) for h in hosts) else 1


def _inventory(args: argparse.Namespace) -> int:
    lab = Lab(owner="cli")
    if not lab.inventory.exists():
        print("hygie lab: no lab is running (hygie lab up)", file=sys.stderr)
        return 1
    print(lab.inventory.read_text(), end="")
    return 0


def _down(args: argparse.Namespace) -> int:
    lab = Lab(owner="cli")
    state = lab.read_state() or {}
    lab.hosts = {h["name"]: LabHost.from_json(h) for h in state.get("hosts", [])}
    lab.down()
    print(f"lab down ({lab.timings['down']:.1f} s)")
    return 0


def _answers(host: LabHost) -> bool:
    try:
        with socket.create_connection((host.address, host.port), timeout=2) as sock:
            sock.settimeout(2)
            return alive(host.pid) and sock.recv(8).startswith(b"SSH-")
    except OSError:
        return False


def _print_hosts(hosts: list[LabHost]) -> None:
    print(f"{'name':<12} {'address':<14} {'scenario':<10} {'user':<6} ssh")
    for host in sorted(hosts, key=lambda h: h.index):
        state = "up" if _answers(host) else "DOWN"
        print(f"{host.name:<12} {host.address:<14} {host.scenario or '-':<10} {host.user:<6} "
              f"{state}")


COMMANDS = {"up": _up, "status": _status, "inventory": _inventory, "down": _down}

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
