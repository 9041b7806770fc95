"""A small made-up fleet to see and test the reports without scanning anything:
`python -m scanner.report.demo OUT_DIR [en|fr]` writes its findings.json and report.html."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.models import AppliedWaiver, Finding, HostResult, HostStatus, ScanRun, Status

RULES: dict[str, dict[str, Any]] = {
    "firewall_inbound_default_deny": {
        "area": "firewall", "severity": "high",
        "title": "Inbound traffic is denied by default",
        "title_fr": "Le trafic entrant est refusé par défaut",
        "references": {"iso27001_2022": ["8.20"], "hipaa": ["164.312(e)(1)"]},
        "remediation": "Set the default inbound policy to drop and allow only the services "
        "this host provides; the SSH port stays open.",
        "automated_fix": True,
    },
    "ssh_root_login_disabled": {
        "area": "ssh", "severity": "critical",
        "title": "SSH refuses root logins", "title_fr": "SSH refuse les connexions de root",
        "references": {"iso27001_2022": ["8.5"], "hipaa": ["164.312(d)"]},
        "remediation": "Set PermitRootLogin no in sshd_config, check it with sshd -t, reload.",
        "automated_fix": True,
    },
    "antivirus_signatures_fresh": {
        "area": "antivirus", "severity": "high",
        "title": "Antivirus signatures are up to date",
        "title_fr": "Les signatures antivirus sont à jour",
        "references": {"iso27001_2022": ["8.7"]},
        "remediation": "Start the signature updater (freshclam) and check it runs daily.",
        "automated_fix": True,
    },
    "patches_security_updates_applied": {
        "area": "patches", "severity": "medium",
        "title": "Security updates are applied",
        "title_fr": "Les mises à jour de sécurité sont appliquées",
        "references": {"iso27001_2022": ["8.8"]},
        "remediation": "Install the pending security updates and enable unattended upgrades.",
        "automated_fix": True,
    },
    "disk_encryption_fixed_volumes": {
        "area": "disk_encryption", "severity": "high",
        "title": "Fixed volumes are encrypted", "title_fr": "Les volumes fixes sont chiffrés",
        "references": {"iso27001_2022": ["8.24"]},
        "remediation": "Encrypting an existing volume needs a backup and a reinstall or an "
        "offline conversion: plan it with the host's owner.",
        "automated_fix": False,
    },
}


def finding(rule_id: str, status: str, message: str, **evidence: Any) -> Finding:
    return Finding(rule_id=rule_id, status=Status(status), message=message, evidence=evidence,
                   **RULES[rule_id])


def demo_run() -> ScanRun:
    """Three scanned hosts (pass, fail, error, not_applicable, waived), one unreachable,
    one timed out. Scores: web-01 15.4, db-01 84.6, pc-accueil 100.0, fleet 64.9."""
    waiver = AppliedWaiver(justification="Replacement server ordered for Q3",
                           owner="DSI", expires="2025-09-30", original_status=Status.FAIL)
    web = [
        finding("firewall_inbound_default_deny", "fail", "inbound policy is ACCEPT",
                policy="ACCEPT", open_ports=[22, 80, 443, 5432]),
        finding("ssh_root_login_disabled", "fail", "PermitRootLogin is yes",
                permitrootlogin="yes", file="/etc/ssh/sshd_config"),
        finding("antivirus_signatures_fresh", "error", "a needed fact could not be collected",
                antivirus={"message": "clamscan: command not found", "exit": 127}),
        finding("patches_security_updates_applied", "pass", "no pending security update"),
        finding("disk_encryption_fixed_volumes", "not_applicable", "no fixed data volume"),
    ]
    db = [
        finding("firewall_inbound_default_deny", "pass", "inbound policy is DROP"),
        finding("ssh_root_login_disabled", "pass", "PermitRootLogin is no"),
        finding("antivirus_signatures_fresh", "pass", "signatures 1 day old at most"),
        finding("patches_security_updates_applied", "fail", "3 security updates pending",
                pending=["openssl 3.0.15-1~deb12u1", "libc6 2.36-9+deb12u9", "sudo 1.9.13p3"]),
        finding("disk_encryption_fixed_volumes", "waived", "/dev/sda2 is not encrypted"),
    ]
    db[-1].waiver = waiver
    workstation = [
        finding("firewall_inbound_default_deny", "pass", "inbound policy is DROP"),
        finding("antivirus_signatures_fresh", "pass", "signatures 0 days old at most"),
        finding("patches_security_updates_applied", "pass", "no pending security update"),
        finding("disk_encryption_fixed_volumes", "pass", "every fixed volume is encrypted"),
        finding("ssh_root_login_disabled", "not_applicable", "no SSH server installed"),
    ]
    scanned = HostStatus.SCANNED
    return ScanRun(
        tool_version="0.1.0",
        started_at=datetime(2025, 3, 4, 9, 30, 0, tzinfo=UTC),
        finished_at=datetime(2025, 3, 4, 9, 30, 4, tzinfo=UTC),
        profile="server",
        hosts=[
            HostResult(name="web-01", address="10.0.0.11", status=scanned, findings=web),
            HostResult(name="db-01", address="10.0.0.12", status=scanned, findings=db),
            HostResult(name="pc-accueil", address="10.0.1.20", status=scanned,
                       findings=workstation),
            HostResult(name="nas-01", address="10.0.0.30", status=HostStatus.UNREACHABLE,
                       reason="connection refused on port 22"),
            HostResult(name="lab-pc", address="10.0.2.7", status=HostStatus.TIMEOUT,
                       reason="no answer within 10 s"),
        ],
        notices=["waiver for db-01 disk_encryption_fixed_volumes expires in 30 days"],
    )


if __name__ == "__main__":
    from scanner.report import write_reports

    language = sys.argv[2] if len(sys.argv) > 2 else "en"
    for path in write_reports(demo_run(), Path(sys.argv[1]), language).values():
        print(path)
