"""Waivers: scope, expiry, unmatched waivers, and bad files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scanner.engine import exit_status
from scanner.models import ExitStatus, Finding, Host, HostResult, HostStatus, ScanRun, Status
from scanner.waivers import WaiverError, apply_waivers, load_waivers

TODAY = date(2026, 11, 29)


def _finding(rule_id: str, status: Status) -> Finding:
    return Finding(
        rule_id=rule_id,
        area="ssh",
        title="t",
        title_fr="t",
        severity="high",
        status=status,
        message="m",
    )


def _run() -> ScanRun:
    hosts = [
        HostResult(
            name=name,
            address=name,
            status=HostStatus.SCANNED,
            findings=[
                _finding("ssh_root_login_disabled", Status.FAIL),
                _finding("ssh_x11_forwarding_disabled", Status.PASS),
            ],
        )
        for name in ("db1", "web1")
    ]
    now = datetime(2026, 11, 29, tzinfo=UTC)
    return ScanRun(started_at=now, finished_at=now, profile="server", hosts=hosts)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yml"
    path.write_text(body)
    return path


def test_a_group_waiver_waives_only_its_hosts_and_stays_visible(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
waivers:
  - rule: ssh_root_login_disabled
    groups: [databases]
    justification: Vendor backup agent logs in as root until March.
    owner: Dr. A. Martin (RSSI)
    expires: 2027-03-31
""",
    )
    run = _run()
    hosts = {"db1": Host(name="db1", groups=("databases",)), "web1": Host(name="web1")}
    apply_waivers(run, load_waivers(path), hosts, today=TODAY)
    db1, web1 = run.hosts
    waived = db1.findings[0]
    assert waived.status is Status.WAIVED
    assert waived.waiver is not None
    assert waived.waiver.original_status is Status.FAIL
    assert waived.waiver.owner == "Dr. A. Martin (RSSI)"
    assert waived.waiver.expires == "2027-03-31"
    assert web1.findings[0].status is Status.FAIL
    assert run.notices == []
    assert exit_status(run) == ExitStatus.FINDINGS


def test_expired_and_unmatched_waivers_are_announced(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
waivers:
  - {rule: ssh_root_login_disabled, all: true, justification: Old migration window.,
     owner: IT, expires: 2026-11-28}
  - {rule: ssh_root_login_disabled, hosts: [nohost], justification: Host was decommissioned.,
     owner: IT, expires: 2027-01-01}
""",
    )
    run = _run()
    apply_waivers(run, load_waivers(path), {}, today=TODAY)
    assert all(h.findings[0].status is Status.FAIL for h in run.hosts)
    assert run.notices == [
        "waiver for ssh_root_login_disabled (owner IT) expired on 2026-11-28: it no longer applies",
        "waiver for ssh_root_login_disabled (owner IT) matched nothing",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "waivers: [{rule: nope, all: true, justification: long enough text, owner: x, "
            "expires: 2027-01-01}]",
            "waiver 1: no rule named 'nope'",
        ),
        (
            "waivers: [{rule: ssh_root_login_disabled, justification: long enough text, owner: x, "
            "expires: 2027-01-01}]",
            "waiver 1: entry: Value error, give a scope",
        ),
        (
            "waivers: [{rule: ssh_root_login_disabled, all: true, justification: long enough, "
            "owner: x, expires: someday}]",
            "waiver 1: expires:",
        ),
        (
            "waivers: [{rule: ssh_root_login_disabled, all: true, justification: short, "
            "owner: x, expires: 2027-01-01}]",
            "waiver 1: justification:",
        ),
        ("- just a list", "expected a mapping with a `waivers:` list"),
        ("waivers: [unclosed", "not valid YAML"),
    ],
)
def test_bad_waiver_files_name_the_file_and_entry(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(WaiverError) as caught:
        load_waivers(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
