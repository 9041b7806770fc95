"""One lab host's life: overlay root, identity, netns + veth, systemd as PID 1, and teardown.

A host is a process tree in its own cgroup (/sys/fs/cgroup/unified/hygie-<name>) and netns.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from scanner.lab.layout import PREFIX_LEN, Layout, shell_script
from scanner.lab.system import (
    CGROUP_ROOT,
    LabError,
    alive,
    children,
    kill,
    kill_cgroup,
    run,
    wait_gone,
)


@dataclass
class LabHost:
    """A running lab host: what a client needs to reach it, and what the lab needs to stop it."""

    name: str
    address: str
    index: int
    key_file: Path
    known_hosts: Path
    port: int = 22
    user: str = "hygie"
    scenario: str | None = None
    pid: int = 0  # host pid of the `unshare` holding the namespaces
    init_pid: int = 0  # host pid of the target's PID 1 (systemd)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["key_file"], data["known_hosts"] = str(self.key_file), str(self.known_hosts)
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LabHost:
        fields = dict(data)
        fields["key_file"] = Path(str(fields["key_file"]))
        fields["known_hosts"] = Path(str(fields["known_hosts"]))
        return cls(**fields)  # type: ignore[arg-type]


def prepare_root(root: Path, host: LabHost, mirrors: dict[str, str], public_key: str) -> None:
    """Per-host identity in the overlay: hostname, /etc/hosts, authorized keys, host keys."""
    (root / "etc/hostname").write_text(f"{host.name}\n")
    relay_lines = "".join(f"{address} {name}\n" for name, address in mirrors.items())
    (root / "etc/hosts").write_text(
        f"127.0.0.1 localhost\n127.0.1.1 {host.name}\n::1 localhost ip6-localhost\n{relay_lines}"
    )
    (root / "etc/machine-id").write_text(uuid.uuid4().hex + "\n")
    for home, owner in (("root", "0:0"), ("home/hygie", "hygie")):
        ssh_dir = root / home / ".ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        (ssh_dir / "authorized_keys").write_text(public_key)
        (ssh_dir / "authorized_keys").chmod(0o600)
        if owner != "0:0":
            uid, gid = _ids(root, owner)
            for path in (ssh_dir, ssh_dir / "authorized_keys"):
                os.chown(path, uid, gid)
    for old in (root / "etc/ssh").glob("ssh_host_*"):
        old.unlink()
    run(["ssh-keygen", "-A", "-f", str(root)])


def host_key_lines(root: Path, address: str) -> list[str]:
    """known_hosts lines for the host's fresh keys."""
    lines = []
    for pub in sorted((root / "etc/ssh").glob("ssh_host_*_key.pub")):
        key_type, key = pub.read_text().split()[:2]
        lines.append(f"{address} {key_type} {key}")
    return lines


def _ids(root: Path, user: str) -> tuple[int, int]:
    for line in (root / "etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise LabError(f"no user {user} in the image")


def start(layout: Layout, lower: Path, host: LabHost, mirrors: dict[str, str],
          public_key: str) -> None:
    """Mount the overlay, create the netns and veth, and boot systemd in new namespaces."""
    base = layout.host_dir(host.name)
    for sub in ("upper", "work", "root"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    root = base / "root"
    run(["mount", "-t", "overlay", "overlay", "-o",
         f"lowerdir={lower},upperdir={base / 'upper'},workdir={base / 'work'}", str(root)])
    prepare_root(root, host, mirrors, public_key)
    ns, link = layout.netns(host.name), layout.veth(host.index)
    run(["ip", "netns", "add", ns])
    run(["ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns])
    run(["ip", "link", "set", link, "master", layout.bridge, "up"])
    run(["ip", "-n", ns, "addr", "add", f"{host.address}/{PREFIX_LEN}", "dev", "eth0"])
    run(["ip", "-n", ns, "link", "set", "lo", "up"])
    run(["ip", "-n", ns, "link", "set", "eth0", "up"])
    cgroup = CGROUP_ROOT / layout.cgroup_name(host.name)
    cgroup.mkdir(exist_ok=True)
    layout.logs.mkdir(parents=True, exist_ok=True)
    console = layout.logs / f"console-{host.name}.log"
    console.write_text("")
    launch = (f'echo $$ > {cgroup}/cgroup.procs && exec ip netns exec {ns} unshare --cgroup '
              f'--mount --pid --uts --ipc --fork --kill-child '
              f'/bin/bash {shell_script("target-init.sh")} {root} {host.name} {console}')
    with console.open("a") as out:
        proc = subprocess.Popen(["sh", "-c", launch], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=out, start_new_session=True)
    host.pid = proc.pid
    deadline = time.monotonic() + 10
    while not (kids := children(proc.pid)):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise LabError(f"host {host.name} did not start, see {console}")
        time.sleep(0.01)
    host.init_pid = kids[0]


def wait_ssh(host: LabHost, timeout: float = 60) -> None:
    """Wait until the host's sshd sends its banner."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host.address, host.port), timeout=1) as sock:
                sock.settimeout(2)
                if sock.recv(64).startswith(b"SSH-"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or not alive(host.pid):
            raise LabError(f"ssh on {host.name} ({host.address}) did not answer in {timeout} s")
        time.sleep(0.1)


def signal_poweroff(host: LabHost) -> None:
    """Ask the target's systemd for an orderly poweroff (unshare --fork ignores SIGTERM)."""
    if host.init_pid and alive(host.init_pid):
        kill(host.init_pid, signal.SIGRTMIN + 4)


def finish_stop(layout: Layout, host: LabHost, timeout: float = 10) -> None:
    """After signal_poweroff: wait, kill what is left, drop netns, mount, cgroup and overlay."""
    if host.pid and not wait_gone([host.pid], timeout):
        kill(host.pid)
    kill_cgroup(CGROUP_ROOT / layout.cgroup_name(host.name))
    if host.pid:
        wait_gone([host.pid], 5)
    remove_leftovers(layout, host.name)


def remove_leftovers(layout: Layout, name: str) -> None:
    """Remove a host's netns, overlay mount and files (also for hosts of a crashed run)."""
    if Path(f"/run/netns/{layout.netns(name)}").exists():
        run(["ip", "netns", "del", layout.netns(name)])
    base = layout.host_dir(name)
    root = base / "root"
    if os.path.ismount(root) and run(["umount", str(root)], check=False).returncode != 0:
        run(["umount", "-l", str(root)])
    shutil.rmtree(base, ignore_errors=True)


def next_free_index(used: set[int]) -> int:
    return next(i for i in range(1000) if i not in used)


def check_subnet_free(layout: Layout) -> None:
    """Refuse to start when another interface already uses the lab subnet."""
    out = run(["ip", "-o", "-4", "addr", "show"]).stdout
    for line in out.splitlines():
        if f" {layout.subnet}." in line and line.split()[1] != layout.bridge:
            raise LabError(f"the lab subnet {layout.subnet}.0/24 is already in use: {line}")
