"""`hygie fix` of the session lock, passwords and accounts areas on real lab hosts, for each
engine: a weak host (the scenario, plus support.WEAK_ACCOUNTS) -> preview (every rule would
change, nothing did) -> apply -> re-scan passes -> second apply changes nothing -> the `hygie`
user still logs in with the same key and host key, again and again (pam_faillock does not count
key logins), and `sudo -n true` works -> testinfra sees the state -> both engines leave the
same files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import testinfra

from scanner.lab.lab import Lab
from scanner.remediate import flow
from scanner.remediate.record import Verdict
from scanner.rules import load_catalog
from tests.remediate import lab_support as support

pytestmark = [pytest.mark.lab, pytest.mark.timeout(1200)]
ENGINES = ["ansible", "pyinfra"]
AREAS = support.ACCOUNT_AREAS.split(",")
AUTOMATED = sorted(
    r.id for r in load_catalog().values() if r.area in AREAS and r.meta.remediation.ansible
)
# manual rules the weak host fails: the lab's hygie has NOPASSWD: ALL, the scenario adds a
# second UID-0 account (toor) and an MD5-hashed password (legacy)
MANUAL_FAILING = {
    "accounts_sudo_nopasswd_restricted",
    "accounts_uid0_only_root",
    "passwords_hashing_strong",
}
TIMINGS: dict[str, float] = {}
FINGERPRINTS: dict[str, str] = {}


def ssh(ssh_config: Path, name: str, command: str = "true") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ssh", "-F", str(ssh_config), "-o", "BatchMode=yes", name, command],
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_fix_brings_weak_accounts_to_pass(engine: str, lab: Lab, tmp_path: Path) -> None:
    name = f"acc-{engine}"
    lab.up({name: "weak"})  # one host at a time, stopped at the end
    try:
        run_engine(engine, name, lab, tmp_path)
    finally:
        lab.stop(name)


def run_engine(engine: str, name: str, lab: Lab, tmp_path: Path) -> None:
    support.weaken_accounts(lab, name)
    inventory, ssh_config = lab.inventory, lab.ssh_config
    scanned = tmp_path / "scan"
    assert support.scan(scanned, inventory, ssh_config, name, support.ACCOUNT_AREAS) == 1
    before = support.statuses(scanned, name)
    failing = sorted(rule for rule, status in before.items() if status == "fail")
    assert failing == sorted([*AUTOMATED, *MANUAL_FAILING]), before
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
    ]

    # preview: every automated rule would change, and nothing did
    assert support.fix(*common) == 0
    preview = support.last_fix(scanned)
    assert sorted(rule for _, rule in preview.plan.pairs()) == AUTOMATED
    assert sorted(n.rule_id for n in preview.plan.not_attempted) == sorted(MANUAL_FAILING)
    assert {o.rule_id: o.verdict for o in preview.preview.outcomes} == dict.fromkeys(
        AUTOMATED, Verdict.WOULD_CHANGE
    )
    assert all(o.diff for o in preview.preview.outcomes), "each preview says what changes"
    rescanned = tmp_path / "after-preview"
    support.scan(rescanned, inventory, ssh_config, name, support.ACCOUNT_AREAS)
    assert support.statuses(rescanned, name) == before, "the preview changed the host"

    # apply, then the re-scan: every automated rule passes (no lab limit in these areas)
    assert support.fix(*common, "--apply", "--yes") == 0  # the manual rule is not re-checked
    applied = support.last_fix(scanned)
    assert applied.still_failing == [], applied.still_failing
    assert {o.rule_id: o.verdict for o in applied.apply.outcomes} == dict.fromkeys(
        AUTOMATED, Verdict.CHANGED
    )
    TIMINGS[f"{engine} preview"] = preview.preview.duration_s
    TIMINGS[f"{engine} apply"] = applied.apply.duration_s

    # idempotence: the same plan again changes nothing
    again = flow.run_engine(
        engine,
        applied.plan,
        support.reach(inventory, ssh_config, name),
        tmp_path / "again",
        preview=False,
    )
    assert {o.rule_id: o.verdict for o in again.outcomes} == dict.fromkeys(
        AUTOMATED, Verdict.UNCHANGED
    )

    # no lost access: the same key and host key (strict checking), many times, and sudo
    for _ in range(8):
        assert ssh(ssh_config, name).returncode == 0
    assert ssh(ssh_config, name, "sudo -n true").returncode == 0
    # a wrong password counts as a failure for pam_faillock; key logins above did not
    host = testinfra.get_host(f"ssh://{name}", ssh_config=str(ssh_config), sudo=True)
    assert host.run("faillock --user hygie").stdout.count("\n") <= 2
    check_state(host)
    FINGERPRINTS[engine] = support.account_fingerprint(lab, name)


def check_state(host) -> None:  # type: ignore[no-untyped-def]
    tmout = host.file("/etc/profile.d/tmout.sh")
    assert tmout.mode == 0o644 and tmout.contains("^readonly TMOUT$")
    assert host.run("bash -lc 'echo $TMOUT'").stdout.strip() == "900"
    assert host.file("/etc/pam.d/common-password").contains("pam_pwquality.so")
    auth = host.file("/etc/pam.d/common-auth")
    assert auth.contains("pam_faillock.so preauth") and auth.contains("pam_unix.so")
    assert host.file("/etc/security/faillock.conf").contains("^deny = 5$")
    assert host.file("/etc/login.defs").contains("^PASS_MAX_DAYS\t365$")
    sudoers = host.file("/etc/sudoers.d/zz_hygie_sudo_logging")
    assert sudoers.mode == 0o440 and sudoers.user == "root"
    assert host.run("visudo -c").succeeded
    assert host.user("daemon").shell == "/usr/sbin/nologin"
    assert host.user("hygie").shell == "/bin/bash"
    shadow = host.check_output("awk -F: '{ print $1, substr($2, 1, 1), $5, $7 }' /etc/shadow")
    states = {line.split()[0]: line.split()[1:] for line in shadow.splitlines()}
    assert states["root"][0] == "!" and states["bob"][0] == "!"
    assert states["alice"] == ["$", "365", "45"]
    assert host.file("/etc/shadow").mode == 0o640 and host.file("/etc/shadow").group == "shadow"
    assert host.file("/etc/group").mode == 0o644
    assert host.file("/etc/ssh/sshd_config").mode == 0o600
    assert host.file("/etc/crontab").mode == 0o600 and host.file("/etc/cron.d").mode == 0o700
    assert host.file("/home/bob").mode == 0o750 and host.file("/home/hygie").mode == 0o750
    assert host.service("cron").is_running


def test_both_engines_leave_the_same_files() -> None:
    if set(FINGERPRINTS) != set(ENGINES):
        pytest.skip("needs both engine runs above")
    assert FINGERPRINTS["ansible"] == FINGERPRINTS["pyinfra"]


def test_report_timings() -> None:
    """Not a check: prints the measured wall times (pytest -s) for the notes."""
    for step, seconds in TIMINGS.items():
        print(f"hygie fix timing (accounts): {step} {seconds:.1f} s")
