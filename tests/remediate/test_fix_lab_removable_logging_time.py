"""`hygie fix` of the removable media, logging and time rules on real lab hosts, for each
engine: weak host -> preview (accurate, changes nothing) -> apply -> re-scan passes but the lab
limits -> second apply changes nothing -> SSH still works with the same key and host key ->
testinfra sees the state. The profile names a log collector and NTP servers (without them those
two fixes are refused: checked too)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import testinfra

from scanner.lab.lab import Lab
from scanner.remediate import flow
from scanner.remediate.record import FixPlan, HostPlan, PlannedRule, Verdict
from scanner.rules import load_catalog
from tests.remediate import lab_support as support

pytestmark = [pytest.mark.lab, pytest.mark.timeout(1200)]
ENGINES = ["ansible", "pyinfra"]
TIMINGS: dict[str, float] = {}
CATALOG = load_catalog()
AUTOMATED = sorted(
    r.id
    for r in CATALOG.values()
    if r.area in support.TRACES.split(",") and r.meta.remediation.ansible
)
MANUAL = ["removable_media_mount_options"]  # fstab edits: a person decides (catalog)
# a lab host is a container: the kernel refuses audit requests from it (auditd cannot run, the
# fix refuses), and systemd skips chrony without CAP_SYS_TIME (it is enabled, never active)
REFUSED_IN_LAB = ["logging_auditd_running"]
LAB_CANNOT_FIX = sorted([*REFUSED_IN_LAB, "time_sync_service_enabled"])
COLLECTOR, NTP_SERVERS = "logs.lab.invalid:514", ["ntp1.lab.invalid", "ntp2.lab.invalid"]


def ssh_works(ssh_config: Path, name: str) -> bool:
    done = subprocess.run(
        ["ssh", "-F", str(ssh_config), "-o", "BatchMode=yes", name, "true"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.returncode == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_fix_brings_a_weak_host_to_pass(engine: str, lab: Lab, tmp_path: Path) -> None:
    name = f"traces-{engine}"
    lab.up({name: "weak"})  # one host at a time, stopped at the end
    try:
        _fix_and_check(engine, name, lab, tmp_path)
    finally:
        lab.stop(name)


def _fix_and_check(engine: str, name: str, lab: Lab, tmp_path: Path) -> None:
    host_keys = lab.exec(name, ["sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub"]).stdout
    inventory, ssh_config = lab.inventory, lab.ssh_config
    profile = support.tailoring(tmp_path, COLLECTOR, NTP_SERVERS)
    scanned = tmp_path / "scan"
    assert support.scan_with(scanned, inventory, ssh_config, name, support.TRACES, profile) == 1
    before = support.statuses(scanned, name)
    assert {r: before[r] for r in [*AUTOMATED, *MANUAL]} == dict.fromkeys(
        [*AUTOMATED, *MANUAL], "fail"
    )
    assert before["time_synchronised"] == "not_applicable"  # a container's clock is its host's
    common = [
        "--from",
        str(scanned),
        "-i",
        str(inventory),
        "--limit",
        name,
        "--ssh-config",
        str(ssh_config),
        "--engine",
        engine,
        "--profile",
        str(profile),
    ]

    # preview: every planned rule would change (or is refused, with the reason), nothing did
    assert support.fix(*common) in (0, 1)
    preview = support.last_fix(scanned)
    assert sorted(rule for _, rule in preview.plan.pairs()) == AUTOMATED
    assert [n.rule_id for n in preview.plan.not_attempted] == MANUAL
    verdicts = {o.rule_id: o.verdict for o in preview.preview.outcomes}
    assert verdicts == {
        r: Verdict.REFUSED if r in REFUSED_IN_LAB else Verdict.WOULD_CHANGE for r in AUTOMATED
    }, verdicts
    assert all(o.diff for o in preview.preview.outcomes if o.verdict is Verdict.WOULD_CHANGE)
    rescanned = tmp_path / "after-preview"
    support.scan_with(rescanned, inventory, ssh_config, name, support.TRACES, profile)
    assert support.statuses(rescanned, name) == before, "the preview changed the host"

    # apply, then the re-scan: everything passes but the lab limits
    assert support.fix(*common, "--apply", "--yes") == 1
    applied = support.last_fix(scanned)
    TIMINGS[f"{engine} preview"] = preview.preview.duration_s
    TIMINGS[f"{engine} apply"] = applied.apply.duration_s
    assert {
        o.rule_id: o.verdict
        for o in applied.apply.outcomes
        if o.verdict not in (Verdict.CHANGED, Verdict.UNCHANGED)
    } == dict.fromkeys(REFUSED_IN_LAB, Verdict.REFUSED)
    assert applied.still_failing == [f"{name} {r}" for r in LAB_CANNOT_FIX]

    # idempotence: the same plan again changes nothing
    again = flow.run_engine(
        engine,
        applied.plan,
        support.reach(inventory, ssh_config, name),
        tmp_path / "again",
        preview=False,
    )
    assert {o.rule_id: o.verdict for o in again.outcomes} == {
        r: Verdict.REFUSED if r in REFUSED_IN_LAB else Verdict.UNCHANGED for r in AUTOMATED
    }

    final = tmp_path / "final"
    support.scan_with(final, inventory, ssh_config, name, support.TRACES, profile)
    statuses = support.statuses(final, name)
    assert {r: statuses[r] for r in [*AUTOMATED, *MANUAL]} == {
        r: "fail" if r in LAB_CANNOT_FIX or r in MANUAL else "pass" for r in [*AUTOMATED, *MANUAL]
    }

    # no lost access: same key, same host keys (strict checking), sudo still works
    assert ssh_works(ssh_config, name)
    assert lab.exec(name, ["sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub"]).stdout == host_keys
    host = testinfra.get_host(f"ssh://{name}", ssh_config=str(ssh_config), sudo=True)
    assert host.check_output("id -un") == "root"
    assert host.file("/etc/modprobe.d/hygie-usb-storage.conf").contains(
        "^install usb-storage /bin/false$"
    )
    assert host.run("systemctl is-enabled autofs").stdout.strip() == "masked"
    assert not host.service("autofs").is_running
    assert host.package("auditd").is_installed and host.service("auditd").is_enabled
    rules = host.file("/etc/audit/rules.d/50-hygie-identity.rules")
    assert rules.mode == 0o640 and rules.contains("^-w /etc/shadow -p wa -k identity$")
    assert host.file("/etc/audit/audit.rules").contains("-k privileged")  # augenrules compiled
    assert host.file("/var/log/journal").is_directory
    assert host.file("/var/log/auth.log").mode == 0o660
    assert host.file("/var/log/wtmp").mode & 0o004  # login records stay readable by `last`
    assert host.file("/etc/rsyslog.conf").contains(r"^\$FileCreateMode 0640$")
    assert host.service("rsyslog").is_running
    assert host.file("/etc/rsyslog.d/90-hygie-remote.conf").contains('target="logs.lab.invalid"')
    assert host.service("chrony").is_enabled
    assert host.file("/etc/chrony/sources.d/hygie.sources").content_string == (
        "# Hygie time_sources_configured: the organisation's time sources\n"
        "server ntp1.lab.invalid iburst\nserver ntp2.lab.invalid iburst\n"
    )
    assert host.file("/etc/fstab").contains("^/dev/sdz1 /media/usb vfat noauto,user 0 0$")


@pytest.mark.parametrize("engine", ENGINES)
def test_fixes_needing_a_destination_are_refused_without_one(
    engine: str, lab: Lab, tmp_path: Path
) -> None:
    name = f"refuse-{engine}"
    lab.up({name: "weak"})
    try:
        plan = FixPlan(
            engine=engine,
            hosts=[
                HostPlan(
                    host=name,
                    rules=[
                        PlannedRule(
                            rule_id="logging_remote_forwarding", parameters={"collector": None}
                        ),
                        PlannedRule(
                            rule_id="time_sources_configured",
                            parameters={"min_sources": 2, "ntp_servers": None},
                        ),
                    ],
                )
            ],
        )
        before = lab.exec(name, ["sh", "-c", "ls /etc/rsyslog.d /etc/chrony 2>&1"]).stdout
        result = flow.run_engine(
            engine,
            plan,
            support.reach(lab.inventory, lab.ssh_config, name),
            tmp_path,
            preview=False,
        )
        outcomes = {o.rule_id: o for o in result.outcomes}
        assert {r: o.verdict for r, o in outcomes.items()} == {
            "logging_remote_forwarding": Verdict.REFUSED,
            "time_sources_configured": Verdict.REFUSED,
        }
        assert "collector" in outcomes["logging_remote_forwarding"].message
        assert "ntp_servers" in outcomes["time_sources_configured"].message
        after = lab.exec(name, ["sh", "-c", "ls /etc/rsyslog.d /etc/chrony 2>&1"]).stdout
        assert after == before
    finally:
        lab.stop(name)


def test_report_timings() -> None:
    """Not a check: prints the measured wall times (pytest -s) for the notes."""
    for step, seconds in TIMINGS.items():
        print(f"hygie fix timing (removable media, logging, time): {step} {seconds:.1f} s")
