"""Teardown leaves nothing: a stopped host, an interrupted lab and a killed one (cleaned up by
the next start), and the `hygie lab` command's own up/status/inventory/down cycle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from scanner.lab import Lab, LabError
from scanner.lab.layout import Layout
from scanner.lab.system import CGROUP_ROOT, alive

pytestmark = pytest.mark.lab
HOLD = """
import time
from scanner.lab import Lab, LabError
with Lab() as lab:
    lab.up(["one"])
    print("READY", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def other_layout(tmp_path: Path) -> Iterator[tuple[Layout, dict[str, str]]]:
    """A second lab beside the session's: own run dir, bridge, subnet and name prefix."""
    layout = Layout(tmp_path / "run", Layout.default().cache, "hylt0", "10.201.7", "hylt-")
    env = dict(os.environ, HYGIE_LAB_RUN=str(layout.run), HYGIE_LAB_BRIDGE=layout.bridge,
               HYGIE_LAB_SUBNET=layout.subnet, HYGIE_LAB_PREFIX=layout.prefix)
    yield layout, env
    Lab(layout).down()  # whatever the test did, leave nothing


def test_stopping_a_host_leaves_nothing_of_it(lab: Lab) -> None:
    (host,) = lab.up(["scratch"])
    root = lab.layout.host_dir("scratch") / "root"
    assert Path("/run/netns/hygie-scratch").exists() and os.path.ismount(root)
    assert alive(host.pid) and alive(host.init_pid)
    lab.stop("scratch")
    assert not Path("/run/netns/hygie-scratch").exists()
    assert not os.path.ismount(root) and not lab.layout.host_dir("scratch").exists()
    assert not (CGROUP_ROOT / "hygie-scratch").exists()
    assert not alive(host.pid) and not alive(host.init_pid)
    assert not Path(f"/sys/class/net/{lab.layout.veth(host.index)}").exists()
    assert f"{host.address} " not in lab.known_hosts.read_text()
    assert "scratch" not in lab.inventory.read_text()


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["interrupted", "killed"])
def test_an_interrupted_or_killed_lab_leaves_nothing(
        lab: Lab, other_layout: tuple[Layout, dict[str, str]], how: signal.Signals) -> None:
    layout, env = other_layout
    holder = subprocess.Popen([sys.executable, "-c", HOLD], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "READY\n"
    assert "netns hylt-one" in Lab(layout).leftovers()
    holder.send_signal(how)
    holder.wait(timeout=60)
    if how == signal.SIGKILL:  # nothing could run: the next lab start cleans up
        left = Lab(layout).leftovers()
        assert {"netns hylt-one", "bridge hylt0"} <= set(left)
        with Lab(layout) as again:
            assert not [item for item in again.leftovers() if "hylt-one" in item]
    assert Lab(layout).leftovers() == []


def test_lab_command_up_status_inventory_down(
        lab: Lab, other_layout: tuple[Layout, dict[str, str]]) -> None:
    layout, env = other_layout

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scanner.lab.cli", *args], env=env,
                              capture_output=True, text=True, timeout=300)

    up = cli("up", "2", "--scenario", "weak")
    assert up.returncode == 0, up.stderr
    assert "lab1" in up.stdout and "lab2" in up.stdout
    status = cli("status")
    assert status.returncode == 0 and status.stdout.count(" up") == 2, status.stdout
    with pytest.raises(LabError, match="hygie lab down"):  # a test lab leaves it alone
        Lab(layout).start()
    assert cli("status").returncode == 0
    inventory = yaml.safe_load(cli("inventory").stdout)
    hosts = inventory["all"]["children"]["lab"]["hosts"]
    assert hosts["lab1"]["hygie_lab_scenario"] == "weak"
    assert hosts["lab2"]["ansible_host"] == "10.201.7.11"
    ssh = subprocess.run(["ssh", "-F", str(layout.ssh_config), "lab2", "hostname"],
                         capture_output=True, text=True, timeout=30)
    assert ssh.stdout.strip() == "lab2", ssh.stderr
    assert cli("down").returncode == 0
    assert cli("status").stdout.strip() == "no lab hosts are running"
    assert Lab(layout).leftovers() == []
