"""Small process and /proc helpers shared by the lab modules (commands, pids, cgroups)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path


def _cgroup2_root() -> Path:
    """Where the cgroup2 hierarchy is mounted: /sys/fs/cgroup/unified (hybrid) or /sys/fs/cgroup."""
    mounts = Path("/proc/mounts").read_text().splitlines()
    roots = [line.split()[1] for line in mounts if line.split()[2] == "cgroup2"]
    for candidate in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        if candidate in roots:
            return Path(candidate)
    return Path("/sys/fs/cgroup/unified")


CGROUP_ROOT = _cgroup2_root()


class LabError(RuntimeError):
    """The lab could not do what was asked; the message says what and where to look."""


def run(cmd: Sequence[str], *, check: bool = True, input: str | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a command, capture its output; a failure raises LabError with its stderr."""
    done = subprocess.run(list(cmd), input=input, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise LabError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done


def alive(pid: int) -> bool:
    """True when pid exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def pids_matching(*needles: str) -> list[int]:
    """Pids whose command line contains every needle (the caller's own pid excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            line = " ".join(cmdline(int(entry.name)))
            if line and all(n in line for n in needles):
                found.append(int(entry.name))
    return found


def kill(pid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def wait_gone(pids: Sequence[int], timeout: float) -> bool:
    """Wait until none of the pids is alive (reaping our own children); True if they all went."""
    deadline = time.monotonic() + timeout
    while True:
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        if not any(alive(p) for p in pids):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def kill_cgroup(path: Path) -> None:
    """Kill every process in a cgroup2 subtree, then remove the subtree."""
    if not path.is_dir():
        return
    kill_file = path / "cgroup.kill"
    if kill_file.exists():
        kill_file.write_text("1")
    else:  # kernels before 5.14
        for procs in path.rglob("cgroup.procs"):
            for pid in procs.read_text().split():
                kill(int(pid))
    deadline = time.monotonic() + 10
    for sub in sorted((p for p in path.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        _rmdir(sub, deadline)
    _rmdir(path, deadline)


def _rmdir(path: Path, deadline: float) -> None:
    while True:
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:  # still busy while the killed processes exit
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
