"""The terminal summary and progress: concise, no escape codes when piped, no markup injection."""

from __future__ import annotations

import io

from rich.console import Console

from scanner.report.demo import demo_run, finding
from scanner.report.terminal import print_summary, progress


def piped() -> tuple[Console, io.StringIO]:
    output = io.StringIO()
    return Console(file=output, force_terminal=False, width=140), output


def test_summary_lists_hosts_scores_and_failed_rules_without_escape_codes():
    console, output = piped()
    print_summary(demo_run(), console)
    text = output.getvalue()
    assert "\x1b" not in text
    for expected in ("web-01", "15.4%", "84.6%", "100.0%", "Unreachable", "Timed out",
                     "connection refused on port 22", "Overall score: 64.9%",
                     "Hosts scanned: 3/5"):
        assert expected in text, expected
    for rule_id in ("firewall_inbound_default_deny", "ssh_root_login_disabled",
                    "antivirus_signatures_fresh", "patches_security_updates_applied"):
        assert rule_id in text
    assert "PermitRootLogin is yes" in text
    assert "High Error  antivirus_signatures_fresh" in text  # errors told apart from failures
    assert "no pending security update" not in text  # passed rules stay out: concise
    assert "! waiver for db-01" in text


def test_failed_rules_come_most_severe_first():
    console, output = piped()
    print_summary(demo_run(), console)
    text = output.getvalue()
    assert text.index("ssh_root_login_disabled") < text.index("firewall_inbound_default_deny")


def test_hostile_text_cannot_inject_markup_or_terminal_escapes():
    run = demo_run()
    run.hosts[0].name = "web-01[blink]"
    run.hosts[0].findings.append(finding(
        "ssh_root_login_disabled", "fail", "[bold red]boom[/] \x1b]0;pwned\x07 \x1b[2J\rline2",
    ))
    run.hosts[3].reason = "refused\x1b[31m [link=file:///etc]x[/link]"
    console, output = piped()
    print_summary(run, console)
    text = output.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "[bold red]boom[/]" in text and r"\x1b]0;pwned\x07" in text
    assert "web-01[blink]" in text and "[link=file:///etc]x[/link]" in text


def test_french_summary():
    console, output = piped()
    print_summary(demo_run(), console, lang="fr")
    text = output.getvalue()
    assert "Score global\u00a0: 64.9%" in text and "Machines analysées\u00a0: 3/5" in text
    assert "Injoignable" in text and "Élevée" in text


def test_progress_is_silent_when_not_a_terminal():
    console, output = piped()
    with progress(5, console) as bar:
        for host in demo_run().hosts:
            bar.advance(host)
    assert output.getvalue() == ""


def test_progress_shows_on_a_terminal():
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=100)
    with progress(5, console) as bar:
        for host in demo_run().hosts:
            bar.advance(host)
    assert "5/5" in output.getvalue()
