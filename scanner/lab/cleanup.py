"""Finding and removing what a lab leaves on the machine: processes (by cgroup), netns, overlay
mounts, relays, the bridge, Ansible's ssh masters. Used at start (after a crash) and at down."""

from __future__ import annotations

import signal
from pathlib import Path

from scanner.lab import hosts, net
from scanner.lab.layout import Layout
from scanner.lab.system import CGROUP_ROOT, kill, kill_cgroup, pids_matching, run, wait_gone


def remove_all(layout: Layout) -> None:
    """Remove whatever of this lab exists, whoever started it (this process or a crashed one)."""
    prefix = layout.prefix
    for cgroup in CGROUP_ROOT.glob(f"{prefix}*"):
        kill_cgroup(cgroup)
    names = {p.name for p in layout.hosts.glob("*")}
    names |= {n[len(prefix) :] for n in netns_names() if n.startswith(prefix)}
    for name in names:
        hosts.remove_leftovers(layout, name)
    for link in stray_veths(layout):  # a veth whose namespace lost its name but still lingers
        run(["ip", "link", "del", link], check=False)
    for mount in mounts_under(layout.run):
        if run(["umount", mount], check=False).returncode != 0:
            run(["umount", "-l", mount])
    net.relays_down(layout)
    net.bridge_down(layout)
    masters = ssh_masters(layout)
    for pid in masters:
        kill(pid, signal.SIGTERM)  # an ssh master removes its socket on TERM
    if not wait_gone(masters, 5):
        for pid in masters:
            kill(pid)


def leftovers(layout: Layout) -> list[str]:
    """What of this lab exists on the machine now (empty after a clean down)."""
    prefix, found = layout.prefix, []
    found += [f"netns {n}" for n in netns_names() if n.startswith(prefix)]
    found += [f"veth {link}" for link in stray_veths(layout)]
    found += [f"mount {m}" for m in mounts_under(layout.run)]
    found += [f"cgroup {c}" for c in CGROUP_ROOT.glob(f"{prefix}*")]
    found += [f"relay pid {p}" for p in pids_matching("socat", f"bind={layout.subnet}.")]
    if Path(f"/sys/class/net/{layout.bridge}").exists():
        found.append(f"bridge {layout.bridge}")
    found += [f"host dir {d}" for d in layout.hosts.glob("*")]
    found += [f"ssh master pid {p}" for p in ssh_masters(layout)]
    return found


def ssh_masters(layout: Layout) -> list[int]:
    """Connection-sharing ssh processes (Ansible's) whose sockets are in the run dir."""
    return pids_matching("ssh", f"{layout.run}/cp-")


def stray_veths(layout: Layout) -> list[str]:
    """Host-side veths named like this lab's (`<prefix>v<index>`) that exist right now."""
    stem = layout.veth(0)[:-1]
    return sorted(
        p.name for p in Path("/sys/class/net").glob(f"{stem}*") if p.name[len(stem) :].isdigit()
    )


def netns_names() -> list[str]:
    out = run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def mounts_under(path: Path) -> list[str]:
    prefix = str(path).rstrip("/") + "/"
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    return sorted((m for m in mounts if m.startswith(prefix)), key=len, reverse=True)
