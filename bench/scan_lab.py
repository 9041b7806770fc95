"""Benchmark: scan N lab hosts with the whole baseline, K times; print medians.

Run on purpose, as root:  .venv/bin/python bench/scan_lab.py --hosts 4 --runs 5
Reports the median wall time per host (collection + evaluation, from the host's own timer), the
median wall time of the whole fleet, and the SSH connections and round trips each host took.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from scanner.connections import ConnectOptions
from scanner.engine import Selection, scan_fleet
from scanner.inventory import load_inventory, select
from scanner.lab.lab import Lab


def _measure(lab: Lab, runs: int, parallel: int) -> None:
    hosts = select(load_inventory(lab.inventory), None)
    options = ConnectOptions(ssh_config=(str(lab.ssh_config),))
    selection = Selection(profile="server")
    per_host: list[float] = []
    fleet: list[float] = []
    connections: set[int] = set()
    round_trips: set[int] = set()
    rules = 0
    for _ in range(runs):
        started = time.monotonic()
        run, _snapshots = asyncio.run(scan_fleet(hosts, selection, options, parallel))
        fleet.append(time.monotonic() - started)
        for host in run.hosts:
            if host.status != "scanned":
                raise SystemExit(f"{host.name}: {host.status} {host.reason}")
            per_host.append(host.duration_s)
            connections.add(host.connections)
            round_trips.add(host.round_trips)
            rules = len(host.findings)
    print(f"hosts: {len(hosts)}  runs: {runs}  rules per host: {rules}  parallel: {parallel}")
    print(f"median per host:  {statistics.median(per_host):.3f} s "
          f"(min {min(per_host):.3f}, max {max(per_host):.3f})")
    print(f"median fleet:     {statistics.median(fleet):.3f} s "
          f"(min {min(fleet):.3f}, max {max(fleet):.3f})")
    print(f"SSH connections per host: {sorted(connections)}  round trips per host: "
          f"{sorted(round_trips)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parallel", type=int, default=20)
    args = parser.parse_args()
    with Lab(owner="session") as lab:
        started = time.monotonic()
        lab.up([f"bench{i + 1}" for i in range(args.hosts)])
        print(f"lab: {args.hosts} hosts up in {time.monotonic() - started:.1f} s")
        _measure(lab, args.runs, args.parallel)


if __name__ == "__main__":
    main()
