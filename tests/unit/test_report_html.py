"""report.html: every failed rule with evidence and fix, French, hostile text, size, no assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.models import ScanRun
from scanner.report import write_reports
from scanner.report.demo import demo_run, finding
from scanner.report.html import _environment, evidence_entries, render_html


def hostile_run() -> ScanRun:
    run = demo_run()
    run.hosts[0].findings.append(finding(
        "ssh_root_login_disabled", "fail", "<img src=x onerror=alert(1)> \u202egnp.exe",
        banner="<script>alert(1)</script>", terminal="\x00\x1b[31m", huge="B" * 5_000_000,
        lines=[f"<u>{n}</u>" for n in range(1000)],
    ))
    run.hosts[0].name = "web-01<script>"
    return run


@pytest.fixture(scope="module")
def english() -> str:
    return render_html(demo_run(), "en")


def test_the_file_is_written_in_utf8(tmp_path: Path):
    path = write_reports(demo_run(), tmp_path, lang="fr")["html"]
    assert path.read_bytes().decode("utf-8").startswith("<!DOCTYPE html>\n<html lang=\"fr\">")


def test_header_has_date_profile_version_and_fleet_summary(english: str):
    assert '<html lang="en">' in english
    assert "<h1>Compliance report</h1>" in english
    assert "Scan date: <b>2025-03-04 09:30 UTC</b>" in english
    assert "Profile: <b>server</b>" in english and "hygie 0.1.0" in english
    assert '<div class="value">64.9 %</div>' in english  # overall score
    assert '<div class="value">3 / 5</div>' in english  # hosts scanned
    assert "Critical</span> <b>1</b>" in english and "Low</span> <b>0</b>" in english
    assert "waiver for db-01 disk_encryption_fixed_volumes expires in 30 days" in english


def test_hosts_table_shows_status_reason_and_scores(english: str):
    assert "Unreachable</span>" in english and "connection refused on port 22" in english
    assert "Timed out</span>" in english and "no answer within 10 s" in english
    assert "<b>15.4 %</b>" in english and "<b>84.6 %</b>" in english
    assert '<span class="area">Disk encryption&nbsp;<b>100.0 %</b></span>' in english  # fleet
    assert '<span class="area">Disk encryption&nbsp;<b>n/a</b></span>' in english  # web-01
    web_row = english.split('href="#host-1"')[1].split("</tr>")[0]
    assert '<span class="badge sev-critical">Critical</span>&nbsp;1</span>' in web_row
    assert '<span class="badge st-error">Error</span>&nbsp;1</span>' in web_row
    assert "Medium" not in web_row  # only the severities that failed
    assert "Updates" not in web_row  # areas at 100 % are not in the table, only in the section
    assert '<span class="area">Firewall&nbsp;<b>0.0 %</b></span>' in web_row


def test_every_failed_or_errored_rule_has_evidence_references_and_fix(english: str):
    web, db = english.split('id="host-1"')[1].split('id="host-2"')
    for rule_id in ("firewall_inbound_default_deny", "ssh_root_login_disabled",
                    "antivirus_signatures_fresh"):
        assert f'<code class="rule">{rule_id}</code>' in web
    assert "<dt>policy</dt>" in web and "<dd>ACCEPT</dd>" in web
    assert "<li>22</li><li>80</li><li>443</li><li>5432</li>" in web
    assert "<li>message: clamscan: command not found</li><li>exit: 127</li>" in web
    assert "Set PermitRootLogin no in sshd_config, check it with sshd -t, reload." in web
    assert "<li>ISO/IEC 27001:2022: 8.5</li>" in web and "<li>HIPAA: 164.312(d)</li>" in web
    assert "hygie fix --rules <code>ssh_root_login_disabled</code>" in web
    assert '<code class="rule">patches_security_updates_applied</code>' in db
    assert "<li>openssl 3.0.15-1~deb12u1</li>" in db
    assert "Install the pending security updates" in db


def test_most_severe_first_and_errors_after_failures(english: str):
    web = english.split('id="host-1"')[1].split('id="host-2"')[0]
    order = [web.index(f'class="rule">{rule}<') for rule in (
        "ssh_root_login_disabled", "firewall_inbound_default_deny", "antivirus_signatures_fresh")]
    assert order == sorted(order)


def test_passed_and_other_rules_are_listed_compactly(english: str):
    assert "Passed rules (4)" in english  # pc-accueil
    assert "Not applicable, manual and waived rules (1)" in english
    assert "Accepted by DSI until 2025-09-30 (was Fail): Replacement server ordered" in english


def test_the_french_report_has_french_labels_and_titles():
    french = render_html(demo_run(), "fr")
    assert '<html lang="fr">' in french and "<h1>Rapport de conformité</h1>" in french
    for text in ("Synthèse du parc", "Machines non analysées", "Comment corriger",
                 "Éléments constatés", "Injoignable", "Délai dépassé", "Critique", "Échec",
                 "Le trafic entrant est refusé par défaut", "SSH refuse les connexions de root",
                 "Pare-feu", "Chiffrement des disques", "Accepté par DSI"):
        assert text in french, text
    for english_label in ("Compliance report", "How to fix", "Fleet summary", "Unreachable"):
        assert english_label not in french


def test_hostile_host_text_is_escaped_and_cleaned(tmp_path: Path):
    html = write_reports(hostile_run(), tmp_path)["html"].read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html and "<u>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "web-01&lt;script&gt;" in html
    assert "\x00" not in html and "\x1b" not in html and "\u202e" not in html
    assert r"\x00\x1b[31m" in html and r"\u202egnp.exe" in html


def test_huge_evidence_is_truncated_and_the_file_stays_small():
    html = render_html(hostile_run(), "en")
    assert len(html) < 150_000
    assert "B" * 2000 + "…(truncated)" in html and "B" * 2001 not in html
    assert "… 970 more" in html  # 30 of the 1,000 lines shown
    assert "…(tronqué)" in render_html(hostile_run(), "fr")


def test_evidence_entries_bound_the_total_shown_per_finding():
    evidence = {f"k{n}": "v" * 1500 for n in range(25)}
    entries = evidence_entries(evidence)
    assert sum(len(e["text"] or "") for e in entries) < 22_000
    assert entries[-1]["key"] == "…" and entries[-1]["text"].endswith("more")


def test_no_external_asset_script_or_link(english: str):
    assert not re.search(r"\ssrc=|@import|url\(|<link|<script|https?:", english)
    assert re.findall(r'href="([^"]*)"', english) == [f"#host-{n}" for n in range(1, 6)]
    assert english.count("<style>") == 1 and "@media print" in english


def test_the_template_environment_autoescapes():
    environment = _environment("…")
    assert environment.autoescape is True
    assert environment.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_an_empty_list_of_evidence_says_none_in_both_languages():
    run = demo_run()
    run.hosts[0].findings = [
        finding("firewall_inbound_default_deny", "fail", "no inbound chain", chains=[])
    ]
    assert re.search(r"<dt>chains</dt>\s*<dd class=\"empty\">\(none\)</dd>", render_html(run))
    assert '<dd class="empty">(aucun)</dd>' in render_html(run, "fr")


def test_the_french_report_uses_the_french_fix_text_when_there_is_one():
    run = demo_run()
    fixed = run.hosts[0].findings[0]
    fixed.remediation, fixed.remediation_fr = "Do this.", "Faites ceci."
    assert "Faites ceci." in render_html(run, "fr") and "Do this." not in render_html(run, "fr")
    assert "Do this." in render_html(run, "en")
