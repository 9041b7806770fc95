"""The `hygie` command through main(argv): real local scans, offline evaluation, usage errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.models import ExitStatus
from scanner.rules import load_catalog


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("run") / "exact"
    code = main(["scan", "local", "--out", str(out), "--quiet"])
    return code, out


def test_local_scan_writes_the_three_reports_into_out_exactly(local_run) -> None:
    code, out = local_run
    assert sorted(p.name for p in out.iterdir()) == ["facts", "findings.json", "report.html"]
    run = json.loads((out / "findings.json").read_text())
    [host] = run["hosts"]
    assert host["name"] == "local"
    assert host["status"] == "scanned"
    assert host["connections"] == 1 and host["round_trips"] == 1
    assert {f["rule_id"] for f in host["findings"]} == set(load_catalog())
    statuses = {f["status"] for f in host["findings"]}
    expected = (
        ExitStatus.HOST_ERRORS
        if "error" in statuses
        else (ExitStatus.FINDINGS if "fail" in statuses else ExitStatus.OK)
    )
    assert code == expected
    snapshot = json.loads((out / "facts" / "local.json").read_text())
    assert snapshot["facts"]["system"]["hostname"] == socket.gethostname()


def test_evaluate_reproduces_the_scan_offline(local_run, tmp_path: Path) -> None:
    code, out = local_run
    again = tmp_path / "again"
    assert main(["evaluate", str(out), "--out", str(again), "--quiet"]) == code
    before = json.loads((out / "findings.json").read_text())["hosts"][0]["findings"]
    after = json.loads((again / "findings.json").read_text())["hosts"][0]["findings"]
    assert after == before


def test_evaluate_one_rule_in_french(local_run, tmp_path: Path) -> None:
    _, out = local_run
    target = tmp_path / "fr"
    main(
        [
            "evaluate",
            str(out / "facts" / "local.json"),
            "--rules",
            "ssh_root_login_disabled",
            "--lang",
            "fr",
            "--out",
            str(target),
            "--quiet",
        ]
    )
    findings = json.loads((target / "findings.json").read_text())["hosts"][0]["findings"]
    assert [f["rule_id"] for f in findings] == ["ssh_root_login_disabled"]
    assert 'lang="fr"' in (target / "report.html").read_text()


def test_rules_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listed = capsys.readouterr().out
    assert all(rule_id in listed for rule_id in load_catalog())
    assert main(["rules", "antivirus_signatures_fresh"]) == 0
    shown = capsys.readouterr().out
    assert "max_signature_age_days: 7" in shown
    assert main(["rules", "--markdown"]) == 0
    assert "## `ssh_root_login_disabled`" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rules", "no_such_rule"], "no rule named 'no_such_rule'"),
        (["scan", "--profile", "nope"], "unknown profile 'nope'"),
        (["scan", "--rules", "firewall,bogus"], "--rules: no rule or area named bogus"),
        (["scan", "--limit", "web"], "--limit needs an inventory"),
        (["scan", "--parallel", "0"], "--parallel must be at least 1"),
        (["evaluate", "/nonexistent/facts.json"], "/nonexistent/facts.json: no such file"),
        (["scan", "--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["fix", "--from", "/nonexistent/run"], "/nonexistent/run: not a readable findings.json"),
        (["fix", "--engine", "chef"], "argument --engine: invalid choice: 'chef'"),
        (["fix", "--profile", "nope"], "unknown profile 'nope'"),
    ],
)
def test_usage_errors_exit_64_with_one_clear_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    assert code == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_malformed_inventory_names_file_and_line(tmp_path: Path, capsys) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text("all:\n  hosts:\n    web1:\n      ansible_port: [22\n")
    assert main(["scan", "-i", str(inventory)]) == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert f"{inventory}:" in err
    assert "Traceback" not in err


def test_a_bad_facts_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"host": "h", "facts": {"system": {"role": 3}}}')
    assert main(["evaluate", str(bad)]) == ExitStatus.USAGE
    assert f"{bad}: not a Hygie facts snapshot" in capsys.readouterr().err


def test_lab_commands_are_forwarded_with_their_own_help(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["lab", "--help"])
    assert caught.value.code == 0
    assert "{up,status,inventory,down}" in capsys.readouterr().out
    assert main(["lab", "up", "0"]) == ExitStatus.USAGE
    assert "count must be between 1 and 50" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["lab"])
    assert caught.value.code == ExitStatus.USAGE
