"""The lab network: a bridge of its own and socat relays from the bridge to the apt mirrors.

Targets have no route and no DNS: their /etc/hosts maps each mirror name to its relay address.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from scanner.lab import mirror
from scanner.lab.layout import PREFIX_LEN, Layout
from scanner.lab.system import LabError, alive, kill, pids_matching, run, wait_gone


def bridge_up(layout: Layout) -> None:
    bridge = layout.bridge
    if Path(f"/sys/class/net/{bridge}").exists():
        return
    run(["ip", "link", "add", bridge, "type", "bridge"])
    run(["sysctl", "-qw", f"net.ipv6.conf.{bridge}.disable_ipv6=1"], check=False)
    run(["ip", "addr", "add", f"{layout.relay_address(0)}/{PREFIX_LEN}", "dev", bridge])
    run(["ip", "link", "set", bridge, "up"])


def bridge_down(layout: Layout) -> None:
    if Path(f"/sys/class/net/{layout.bridge}").exists():
        run(["ip", "link", "del", layout.bridge])


def mirror_map(layout: Layout) -> dict[str, str]:
    """Mirror host name -> relay address on the bridge, for the targets' /etc/hosts."""
    hosts = mirror.mirror_hosts(mirror.bookworm_sources(mirror.host_sources()))
    if len(hosts) > 8:
        raise LabError(f"too many distinct apt mirror hosts for the relay: {hosts}")
    return {host: layout.relay_address(i) for i, host in enumerate(hosts)}


def relays_up(layout: Layout) -> dict[str, str]:
    """Start one relay per mirror host (port 80 only); return the mirror map."""
    mapping = mirror_map(layout)
    layout.logs.mkdir(parents=True, exist_ok=True)
    for i, (host, address) in enumerate(mapping.items()):
        pidfile = layout.run / f"relay-{i}.pid"
        if pidfile.exists() and alive(int(pidfile.read_text())):
            continue
        if i > 0:
            run(["ip", "addr", "replace", f"{address}/{PREFIX_LEN}", "dev", layout.bridge])
        with (layout.logs / f"relay-{i}.log").open("a") as out:
            proc = subprocess.Popen(
                ["socat", f"TCP-LISTEN:80,bind={address},fork,reuseaddr", f"TCP:{host}:80"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True,
            )
        pidfile.write_text(str(proc.pid))
    return mapping


def relays_down(layout: Layout) -> None:
    """Stop the relays we started, and any relay on the lab subnet a crashed run left behind."""
    pids = []
    for pidfile in layout.run.glob("relay-*.pid"):
        pids.append(int(pidfile.read_text()))
        pidfile.unlink()
    pids += pids_matching("socat", f"bind={layout.subnet}.")
    for pid in pids:
        kill(pid)
    wait_gone(pids, timeout=5)
