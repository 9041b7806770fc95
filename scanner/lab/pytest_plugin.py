"""pytest fixtures for tests on real lab hosts: lab, lab_hosts, lab_inventory, lab_ssh_config.

Without root or network namespaces, `lab`-marked tests are skipped with the reason; with CI=true
they must run, and a lab that cannot start fails the run. Load with
`pytest_plugins = ["scanner.lab.pytest_plugin"]` in a root conftest.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from scanner.lab.hosts import LabHost
from scanner.lab.lab import Lab
from scanner.lab.system import LabError

TOOLS = ("ip", "unshare", "nsenter", "setpriv", "mount", "ssh", "ssh-keygen", "socat", "zstd",
         "debootstrap", "nmap")
_started: list[Lab] = []


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def lab_unavailable() -> str | None:
    """Why the lab cannot run on this machine, or None when it can."""
    if os.geteuid() != 0:
        return "lab tests need root (network namespaces, overlay mounts, systemd targets)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return (f"lab tests need {', '.join(missing)}: "
                "apt-get install $(cat scanner/lab/host-packages.txt)")
    probe = f"hygie-probe-{os.getpid()}"
    done = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if done.returncode != 0:
        return f"`ip netns` is unusable here: {done.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    lab_items = [item for item in items if item.get_closest_marker("lab")]
    if not lab_items or in_ci():
        return  # in CI the `lab` fixture fails loudly instead
    reason = lab_unavailable()
    if reason:
        for item in lab_items:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for lab in _started:
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in lab.timings.items())
        terminalreporter.write_line(f"hygie lab timings: {timings}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # so fixture teardown runs and the lab goes down


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """The session's Lab: started on first use, torn down (and checked clean) at session end."""
    reason = lab_unavailable()
    if reason:
        if in_ci():
            pytest.fail(f"CI=true and the lab cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    the_lab = Lab(owner="session")
    _started.append(the_lab)
    try:
        the_lab.start()
    except LabError as error:  # start() has taken down what it started; another lab stays
        pytest.fail(f"the lab could not start: {error}", pytrace=False)
    try:
        yield the_lab
    finally:
        the_lab.down()
        left = the_lab.leftovers()
        if left:
            pytest.fail(f"lab teardown left things behind: {left}", pytrace=False)


@pytest.fixture(scope="session")
def lab_hosts(lab: Lab) -> dict[str, LabHost]:
    """One host per scenario, `weak` and `hardened`, brought up together on first use."""
    hosts = lab.up({"weak": "weak", "hardened": "hardened"})
    return {host.scenario or host.name: host for host in hosts}


@pytest.fixture(scope="session")
def lab_inventory(lab: Lab, lab_hosts: dict[str, LabHost]) -> Path:
    """Ansible-format YAML inventory of the lab hosts (user hygie, become, lab key)."""
    return lab.inventory


@pytest.fixture(scope="session")
def lab_ssh_config(lab: Lab, lab_hosts: dict[str, LabHost]) -> Path:
    """OpenSSH client config for the lab hosts (strict checking against the lab known_hosts)."""
    return lab.ssh_config


@pytest.fixture(scope="session")
def lab_known_hosts(lab: Lab, lab_hosts: dict[str, LabHost]) -> Path:
    return lab.known_hosts
