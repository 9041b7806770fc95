"""Options shared by the commands that reach hosts (`scan`, `fix`) or evaluate (`evaluate`).

One definition, so `hygie fix` takes exactly the inventory, connection and evaluation options
of `hygie scan`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from scanner.attestations import load_attestations
from scanner.connections import ConnectOptions
from scanner.engine import Selection
from scanner.inventory import load_inventory, parse_target, select
from scanner.models import ExitStatus, Host
from scanner.profiles import AUTO, builtin_profiles, load_profile
from scanner.rules import load_catalog
from scanner.waivers import Waiver, load_waivers


class UsageError(Exception):
    """Bad command line or input file: reported in one line, exit 64."""


class UsageParser(argparse.ArgumentParser):
    """argparse exits 2 on a bad command line, which means "hosts failed" here: exit 64."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitStatus.USAGE, f"{self.prog}: error: {message}\n")


def add_target_options(command: argparse.ArgumentParser) -> None:
    """Which hosts, and how to reach them."""
    command.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="user@host:port, host, or 'local' (default: local, without -i)",
    )
    command.add_argument("-i", "--inventory", type=Path, help="Ansible inventory (YAML or INI)")
    command.add_argument("-l", "--limit", help="hosts or groups of the inventory (Ansible pattern)")
    command.add_argument("-u", "--user", help="SSH user where the inventory sets none")
    command.add_argument("--key", help="private key file where the inventory sets none")
    command.add_argument("-b", "--become", action="store_true", help="run via sudo -n")
    command.add_argument(
        "--ssh-config",
        type=Path,
        action="append",
        default=[],
        help="OpenSSH client config (default ~/.ssh/config)",
    )
    command.add_argument("--known-hosts", help="known_hosts file (default per SSH config)")
    command.add_argument(
        "--trust-new-host-keys",
        action="store_true",
        help="record unknown host keys (a changed key is still refused)",
    )
    command.add_argument("--connect-timeout", type=float, default=10.0, metavar="S")
    command.add_argument(
        "--timeout", type=float, default=120.0, metavar="S", help="collection time limit per host"
    )
    command.add_argument(
        "-p", "--parallel", type=int, default=20, metavar="N", help="hosts worked on at once"
    )


def add_evaluation_options(command: argparse.ArgumentParser) -> None:
    """Which rules, with which parameters and exceptions, and where the reports go."""
    profiles = ", ".join(builtin_profiles())
    command.add_argument(
        "--profile",
        default=AUTO,
        help=f"{AUTO} (by detected role), {profiles}, or a tailoring file",
    )
    command.add_argument("--rules", help="only these rule ids or areas (comma separated)")
    command.add_argument("--waivers", type=Path, help="waivers file (accepted exceptions, YAML)")
    command.add_argument(
        "--attestations", type=Path, help="attestations file (organisational measures, YAML)"
    )
    command.add_argument(
        "-o", "--out", type=Path, help="report folder (default reports/<UTC time>)"
    )
    command.add_argument("--lang", choices=("en", "fr"), default="en", help="report language")
    command.add_argument("-q", "--quiet", action="store_true", help="no terminal summary")


def selection_from(args: argparse.Namespace) -> Selection:
    """Profile, rules and attestations, checked before any host is contacted."""
    if args.profile != AUTO:
        load_profile(args.profile)  # a bad profile is a usage error before any connection
    only = tuple(x.strip() for x in (args.rules or "").split(",") if x.strip())
    catalog = load_catalog()
    known = {*catalog, *(rule.area for rule in catalog.values())}
    unknown = [x for x in only if x not in known]
    if unknown:
        raise UsageError(f"--rules: no rule or area named {', '.join(unknown)}")
    attestations = load_attestations(args.attestations) if args.attestations else None
    return Selection(profile=args.profile, only=only, attestations=attestations)


def waivers_from(args: argparse.Namespace) -> list[Waiver]:
    return load_waivers(args.waivers) if args.waivers else []


def hosts_from(args: argparse.Namespace) -> list[Host]:
    """The hosts of the inventory (with --limit) or of the targets; command-line defaults fill
    what the inventory leaves unset."""
    if args.inventory and args.targets:
        raise UsageError("give either an inventory (-i) or targets, not both")
    if args.limit and not args.inventory:
        raise UsageError("--limit needs an inventory (-i)")
    if args.parallel < 1:
        raise UsageError("--parallel must be at least 1")
    if args.inventory:
        hosts = select(load_inventory(args.inventory), args.limit)
    else:
        hosts = [parse_target(t) for t in (args.targets or ["local"])]
    return [
        host.model_copy(
            update={
                "user": host.user or args.user,
                "key_file": host.key_file or args.key,
                "become": host.become or args.become,
            }
        )
        for host in hosts
    ]


def connect_options_from(args: argparse.Namespace) -> ConnectOptions:
    return ConnectOptions(
        ssh_config=tuple(str(p) for p in args.ssh_config),
        known_hosts=args.known_hosts,
        trust_new_host_keys=args.trust_new_host_keys,
        connect_timeout=args.connect_timeout,
        command_timeout=args.timeout,
    )
