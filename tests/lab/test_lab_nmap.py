"""nmap from the machine sees the firewall of each lab host: open/closed on weak, filtered on
hardened, ssh open on both, nginx (http and https on weak, https only on hardened)."""

from __future__ import annotations

import nmap
import pytest

from scanner.lab import LabHost

pytestmark = pytest.mark.lab
PORTS = "22,80,443,3306,5432"


def port_states(address: str) -> dict[int, str]:
    scanner = nmap.PortScanner()
    scanner.scan(address, PORTS, arguments="-Pn -sS -n --max-retries 1 --host-timeout 60s")
    return {port: scanner[address]["tcp"][port]["state"] for port in scanner[address]["tcp"]}


def test_weak_host_answers_on_every_port(lab_hosts: dict[str, LabHost]) -> None:
    states = port_states(lab_hosts["weak"].address)
    assert states == {22: "open", 80: "open", 443: "open", 3306: "closed", 5432: "closed"}


def test_hardened_host_drops_all_but_ssh_and_https(lab_hosts: dict[str, LabHost]) -> None:
    states = port_states(lab_hosts["hardened"].address)
    assert states == {22: "open", 80: "filtered", 443: "open", 3306: "filtered",
                      5432: "filtered"}
