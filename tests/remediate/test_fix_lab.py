"""`hygie fix` on real lab hosts, for each engine: weak host -> preview (accurate, changes
nothing) -> apply -> re-scan passes -> second apply changes nothing -> SSH still works with the
same key and host key -> testinfra sees the state -> nmap sees the firewall. Plus the guards:
a non-standard SSH port stays open, an sshd change failing `sshd -t` is refused."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import nmap
import pytest
import testinfra

from scanner.lab.lab import Lab
from scanner.remediate import flow
from scanner.remediate.record import FixPlan, HostPlan, PlannedRule, Verdict
from tests.remediate import lab_support as support

pytestmark = [pytest.mark.lab, pytest.mark.timeout(1200)]
ENGINES = ["ansible", "pyinfra"]
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def weak_hosts(lab: Lab) -> Iterator[dict[str, str]]:
    """A weak host of our own per engine and per purpose (the shared `weak` host stays weak)."""
    names = {f"{kind}-{engine}": "weak" for kind in ("fix", "edge") for engine in ENGINES}
    for name, scenario in names.items():  # one at a time: Lab.up's parallel scenario runs
        lab.up({name: scenario})          # race on state.json (reported to the lab's owner)
    yield {name: lab.hosts[name].address for name in names}
    lab.stop(*names)


def ssh_works(ssh_config: Path, name: str) -> bool:
    done = subprocess.run(["ssh", "-F", str(ssh_config), "-o", "BatchMode=yes", name, "true"],
                          capture_output=True, text=True, timeout=30)
    return done.returncode == 0


def port_states(address: str, ports: str) -> dict[int, str]:
    scanner = nmap.PortScanner()
    scanner.scan(address, ports, arguments="-Pn -sS -n --max-retries 1 --host-timeout 60s")
    return {port: scanner[address]["tcp"][port]["state"] for port in scanner[address]["tcp"]}


@pytest.mark.parametrize("engine", ENGINES)
def test_fix_brings_a_weak_host_to_pass(engine: str, lab: Lab, weak_hosts: dict[str, str],
                                        tmp_path: Path) -> None:
    name, inventory, ssh_config = f"fix-{engine}", lab.inventory, lab.ssh_config
    scanned = tmp_path / "scan"
    assert support.scan(scanned, inventory, ssh_config, name) == 1
    before = support.statuses(scanned, name)
    assert all(before[r] == "fail" for r in support.EXPECTED_PLAN), before
    common = ["--from", str(scanned), "-i", str(inventory), "--limit", name,
              "--ssh-config", str(ssh_config), "--engine", engine]

    # preview: every planned rule would change, and nothing did
    assert support.fix(*common) == 0
    preview = support.last_fix(scanned)
    assert sorted(rule for _, rule in preview.plan.pairs()) == support.EXPECTED_PLAN
    assert {o.rule_id: o.verdict for o in preview.preview.outcomes} == dict.fromkeys(
        support.EXPECTED_PLAN, Verdict.WOULD_CHANGE)
    assert all(o.diff for o in preview.preview.outcomes), "each preview says what changes"
    rescanned = tmp_path / "after-preview"
    support.scan(rescanned, inventory, ssh_config, name)
    assert support.statuses(rescanned, name) == before, "the preview changed the host"

    # apply, then the re-scan: everything passes but what the lab cannot fix
    assert support.fix(*common, "--apply", "--yes") == 1  # the signatures stay old (no mirror)
    applied = support.last_fix(scanned)
    assert applied.still_failing == [f"{name} {r}" for r in sorted(support.LAB_CANNOT_FIX)]
    assert {o.verdict for o in applied.apply.outcomes} <= {Verdict.CHANGED, Verdict.UNCHANGED}
    TIMINGS[f"{engine} preview"] = preview.preview.duration_s
    TIMINGS[f"{engine} apply"] = applied.apply.duration_s

    # idempotence: the same plan again changes nothing
    again = flow.run_engine(engine, applied.plan, support.reach(inventory, ssh_config, name),
                            tmp_path / "again", preview=False)
    assert {o.rule_id: o.verdict for o in again.outcomes} == dict.fromkeys(
        support.EXPECTED_PLAN, Verdict.UNCHANGED)

    # no lost access: same key, same host key (strict checking), sudo still works
    assert ssh_works(ssh_config, name)
    host = testinfra.get_host(f"ssh://{name}", ssh_config=str(ssh_config), sudo=True)
    assert host.service("nftables").is_enabled
    assert "policy drop" in host.check_output("nft list chain inet hygie input")
    assert host.service("clamav-daemon").is_running and host.service("clamav-daemon").is_enabled
    assert host.service("clamav-freshclam").is_running
    assert host.package("unattended-upgrades").is_installed
    assert host.file("/etc/apt/apt.conf.d/20auto-upgrades").contains(
        'APT::Periodic::Unattended-Upgrade "1"')
    assert host.service("apt-daily.timer").is_enabled
    assert host.file("/etc/ssh/sshd_config").contains("^# BEGIN hygie ssh_root_login_disabled")
    effective = host.check_output("sshd -T")
    for line in ("permitrootlogin no", "passwordauthentication no", "maxauthtries 4",
                 "x11forwarding no", "loglevel VERBOSE", "logingracetime 60"):
        assert line in effective.splitlines(), line
    assert not host.run("apt-get -s upgrade --with-new-pkgs | grep -q ^Inst").succeeded
    assert port_states(weak_hosts[name], "22,80,443,3310") == {
        22: "open", 80: "filtered", 443: "filtered", 3310: "filtered"}


@pytest.mark.parametrize("engine", ENGINES)
def test_sshd_change_failing_sshd_t_is_refused(engine: str, lab: Lab,
                                               weak_hosts: dict[str, str], tmp_path: Path) -> None:
    name = f"edge-{engine}"
    checksum = ["sha256sum", "/etc/ssh/sshd_config"]
    before = lab.exec(name, checksum).stdout
    plan = FixPlan(engine=engine, hosts=[HostPlan(host=name, rules=[PlannedRule(
        rule_id="ssh_login_grace_time_limited",
        parameters={"max_login_grace_time_s": "60 seconds"})])])  # not a valid LoginGraceTime
    result = flow.run_engine(engine, plan, support.reach(lab.inventory, lab.ssh_config, name),
                             tmp_path, preview=False)
    assert [o.verdict for o in result.outcomes] == [Verdict.FAILED]
    assert lab.exec(name, checksum).stdout == before, "sshd_config changed"
    assert "logingracetime 600" in lab.exec(name, ["sshd", "-T"]).stdout
    assert ssh_works(lab.ssh_config, name)


@pytest.mark.parametrize("engine", ENGINES)
def test_firewall_fix_keeps_a_non_standard_ssh_port_open(
        engine: str, lab: Lab, weak_hosts: dict[str, str], tmp_path: Path) -> None:
    name, port = f"edge-{engine}", 2222
    lab.exec(name, ["sh", "-c", f"sed -i '1i Port {port}' /etc/ssh/sshd_config && sshd -t && "
                                "systemctl reload ssh"])
    time.sleep(1)
    inventory, ssh_config = support.moved_ssh_files(
        lab.hosts[name], lab.inventory, lab.ssh_config, lab.known_hosts, port, tmp_path)
    scanned = tmp_path / "scan"
    assert support.scan(scanned, inventory, ssh_config, name, "firewall") == 1
    assert support.fix("--from", str(scanned), "-i", str(inventory), "--ssh-config",
                       str(ssh_config), "--engine", engine, "--apply", "--yes") == 0
    assert support.last_fix(scanned).still_failing == []
    assert ssh_works(ssh_config, name)
    assert port_states(weak_hosts[name], f"22,{port},80") == {
        22: "filtered", port: "open", 80: "filtered"}


def test_report_timings() -> None:
    """Not a check: prints the measured wall times (pytest -s) for the notes."""
    for step, seconds in TIMINGS.items():
        print(f"hygie fix timing: {step} {seconds:.1f} s")
