"""Framework data (the verified ids), coverage of requirements by rules, `hygie frameworks`."""

from __future__ import annotations

import argparse
import contextlib
import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from scanner import cli
from scanner.frameworks import (
    FRAMEWORK_KEYS,
    Coverage,
    FrameworkError,
    coverage,
    load_framework,
    unknown_references,
)
from scanner.frameworks import command as frameworks_command
from scanner.models import (
    ExitStatus,
    Finding,
    HostResult,
    HostStatus,
    Result,
    ScanRun,
    Severity,
    Status,
)
from scanner.report import write_reports
from scanner.rules import Rule, RuleMeta


def _rule(rule_id: str, area: str, **references: list[str]) -> Rule:
    meta = RuleMeta.model_validate({
        "id": rule_id, "title": {"en": "t", "fr": "t"}, "severity": "low",
        "platforms": ["linux"], "facts": ["system"], "description": "d", "rationale": "r",
        "references": references, "remediation": {"manual": "m"},
    })
    return Rule(meta=meta, area=area, check=lambda facts: Result(status=Status.PASS, message=""))


def test_framework_files_hold_the_verified_requirement_counts() -> None:
    expected = {"anssi_hygiene": 42, "anssi_bp028": 80, "cnil_guide": 25, "iso27001_2022": 93,
                "hds": 31, "gdpr": 9, "hipaa": 59, "cis_controls_v8": 37, "nis2": 11}
    assert {key: len(load_framework(key).requirements) for key in FRAMEWORK_KEYS} == expected
    themes = Counter(r.id.split(".")[0] for r in load_framework("iso27001_2022").requirements)
    assert themes == {"5": 37, "6": 8, "7": 14, "8": 34}
    assert [r.id for r in load_framework("anssi_bp028").requirements] == [
        f"R{n}" for n in range(1, 81)]
    assert load_framework("hds").requirements[9].id == "EXI 10"


def test_titles_come_in_the_languages_the_sources_give() -> None:
    measure = {r.id: r for r in load_framework("anssi_hygiene").requirements}["26"]
    assert measure.title.text("fr") == (
        "Contrôler et protéger l'accès aux salles serveurs et aux locaux techniques")
    assert measure.title.text("en") == (
        "Control and protect access to the server rooms and technical areas")
    fiche = {r.id: r for r in load_framework("cnil_guide").requirements}["12"]
    assert fiche.title.text("en") == "Protéger les locaux"  # French only: shown as is


def test_every_id_cited_by_the_catalog_is_in_the_framework_data() -> None:
    # runs on the whole catalog: an id FRAMEWORKS.md does not verify fails here
    assert unknown_references() == []


def test_a_guessed_or_old_scheme_id_is_caught() -> None:
    rule = _rule("x_guessed_ids", "x", iso27001_2022=["A.12.4.1", "8.15"],
                 anssi_hygiene=["43"], hds=["EXI 10"])
    assert unknown_references([rule]) == [
        ("x_guessed_ids", "iso27001_2022", "A.12.4.1"),
        ("x_guessed_ids", "anssi_hygiene", "43"),
    ]


def test_coverage_depends_on_scope_and_on_who_answers() -> None:
    rules = [
        _rule("scan_one", "antivirus", iso27001_2022=["8.7", "8.13", "6.3"]),
        _rule("organisation_one", "organisation", iso27001_2022=["8.13", "7.4"]),
    ]
    by_id = {item.requirement.id: item for item in coverage("iso27001_2022", rules)}
    assert by_id["8.7"].coverage is Coverage.AUTOMATED  # host scope, automated rule
    assert by_id["8.13"].coverage is Coverage.PARTIAL  # mixed scope, both kinds
    assert by_id["8.13"].automated_rules == ("scan_one",)
    assert by_id["8.13"].attested_rules == ("organisation_one",)
    assert by_id["6.3"].coverage is Coverage.PARTIAL  # organisation scope, a scan helps
    assert by_id["7.4"].coverage is Coverage.MANUAL
    assert by_id["5.1"].coverage is Coverage.NONE
    assert by_id["5.1"].rules == ()


def test_coverage_of_the_catalog_for_organisational_requirements() -> None:
    iso = {item.requirement.id: item for item in coverage("iso27001_2022")}
    assert iso["7.4"].coverage is Coverage.MANUAL
    assert iso["7.4"].rules == ("organisation_premises_video_monitored",)
    hds = {item.requirement.id: item for item in coverage("hds")}
    assert hds["EXI 10"].attested_rules == ("organisation_staff_security_trained",)
    hipaa = {item.requirement.id: item for item in coverage("hipaa")}
    assert hipaa["164.310(a)(1)"].rules == ("organisation_premises_access_controlled",)
    assert hipaa["164.310(a)(1)"].coverage is Coverage.MANUAL
    cis = {item.requirement.id: item for item in coverage("cis_controls_v8")}
    assert "antivirus_signatures_fresh" in cis["10.2"].automated_rules
    assert cis["10.2"].coverage is Coverage.AUTOMATED


def test_an_unknown_framework_key_names_the_known_ones() -> None:
    with pytest.raises(FrameworkError, match="no framework 'iso27001' \\(known: anssi_hygiene, "):
        load_framework("iso27001")


# --- the command -------------------------------------------------------------------------------

def _wired_in_cli() -> bool:
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.build_parser().parse_args(["frameworks"])
        except SystemExit:
            return False
    return True


def _frameworks(argv: list[str]) -> tuple[int, str]:
    """`hygie frameworks …` through scanner.cli's main once it is wired there, else via run()."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if _wired_in_cli():
            return cli.main(["frameworks", *argv]), out.getvalue()
        parser = argparse.ArgumentParser()
        frameworks_command.add_parser(parser.add_subparsers())
        args = parser.parse_args(["frameworks", *argv])
        status = frameworks_command.run(args, Console(file=out, width=250, highlight=False))
    return status, out.getvalue()


def test_the_overview_lists_every_framework_with_its_counts() -> None:
    status, out = _frameworks([])
    assert status == ExitStatus.OK
    for key in FRAMEWORK_KEYS:
        assert key in out
    assert "automated" in out and "partial" in out and "manual" in out


def test_one_framework_lists_requirements_rules_and_coverage_in_markdown() -> None:
    status, out = _frameworks(["iso27001_2022", "--markdown"])
    assert status == ExitStatus.OK
    assert "| id | title | scope | coverage | rules |" in out
    assert "| 7.4 | Physical security monitoring | organisation | manual | " \
           "organisation_premises_video_monitored (attested) |" in out
    assert "| 5.1 | Policies for information security | organisation | none |  |" in out


def test_french_titles_on_request() -> None:
    status, out = _frameworks(["anssi_hygiene", "--markdown", "--lang", "fr"])
    assert status == ExitStatus.OK
    assert "Protéger les mots de passe stockés sur les systèmes" in out


def _finding(rule_id: str, status: Status) -> Finding:
    return Finding(rule_id=rule_id, area="x", title="t", title_fr="t", severity=Severity.HIGH,
                   status=status, message="m")


def test_a_run_adds_status_counts_per_requirement_and_per_host(tmp_path: Path) -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    hosts = [
        HostResult(name="db1", address="db1", status=HostStatus.SCANNED, findings=[
            _finding("organisation_premises_video_monitored", Status.PASS)]),
        HostResult(name="ward-pc", address="ward-pc", status=HostStatus.SCANNED, findings=[
            _finding("organisation_premises_video_monitored", Status.FAIL)]),
    ]
    write_reports(ScanRun(started_at=now, finished_at=now, profile="server", hosts=hosts), tmp_path)
    status, out = _frameworks(["iso27001_2022", "--markdown", "--run", str(tmp_path)])
    assert status == ExitStatus.OK
    assert "| id | title | scope | coverage | rules | pass | fail | error | manual |" in out
    assert "organisation_premises_video_monitored (attested) | 1 | 1 | 0 | 0 |" in out
    assert "| host | met | gap | error | to_attest | not_checked |" in out
    assert "| db1 | 1 | 0 | 0 | 0 | 92 |" in out
    assert "| ward-pc | 0 | 1 | 0 | 0 | 92 |" in out


def test_bad_key_or_run_folder_is_a_usage_error(tmp_path: Path) -> None:
    assert _frameworks(["iso27001"])[0] == ExitStatus.USAGE
    assert _frameworks(["--run", str(tmp_path)])[0] == ExitStatus.USAGE
