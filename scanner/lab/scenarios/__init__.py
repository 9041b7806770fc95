"""Scenarios: scripted, repeatable states applied to a fresh lab host from the host side.

Each `<name>.sh` beside this file runs inside the target (nsenter into all its namespaces),
after `lib.sh`, so applying one never depends on the sshd or firewall config it changes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from scanner.lab.system import LabError

HERE = Path(__file__).parent
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def available() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.sh") if p.stem != "lib")


def script(name: str) -> str:
    """The full script of a scenario: the shared helpers, then the scenario itself."""
    if name not in available():
        raise LabError(f"unknown scenario {name!r}; known: {', '.join(available())}")
    return (HERE / "lib.sh").read_text() + "\n" + (HERE / f"{name}.sh").read_text()


def in_target(init_pid: int, command: list[str], *, input: str | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a command inside a target (all its namespaces, its root) with a clean environment."""
    cmd = ["nsenter", "-t", str(init_pid), "-a", "-r", "-w",
           "env", "-i", f"PATH={PATH}", "LANG=C.UTF-8", "HOME=/root", *command]
    return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)


def apply(init_pid: int, name: str, log: Path, timeout: float = 600) -> None:
    """Apply scenario `name` to the target whose PID 1 is init_pid; its output goes to log."""
    done = in_target(init_pid, ["bash", "-s", name], input=script(name), timeout=timeout)
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-25:])
        raise LabError(f"scenario {name} failed (exit {done.returncode}), see {log}:\n{tail}")
