"""Attestations files: format, scope per host, clear errors; the documented examples load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scanner.attestations import AttestationError, Attestations, load_attestations
from scanner.facts import Facts
from scanner.models import Status
from scanner.profiles import load_profile
from scanner.rules import evaluate, load_catalog
from scanner.waivers import load_waivers

TODAY = date(2026, 11, 29)
EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "attestations.yml"
    path.write_text(body)
    return path


GOOD = """
attestations:
  - control: organisation_premises_access_controlled
    answer: yes
    by: Dr. A. Martin, RSSI
    date: 2026-10-15
    evidence: Badge register 2026-Q3; site audit AUD-2026-014
  - control: organisation_premises_access_controlled
    answer: partial
    by: Dr. A. Martin, RSSI
    date: 2026-10-15
    evidence: Site audit AUD-2026-014, annex B
    comment: the Lyon annex has no alarm yet
    groups: [lyon]
  - control: organisation_staff_security_trained
    answer: "no"
    by: C. Durand, DPO
    date: 2026-03-01
    evidence: Training plan 2026
    hosts: [db1]
"""


def test_a_valid_file_loads_with_yaml_booleans_read_as_answers(tmp_path: Path) -> None:
    attestations = load_attestations(_write(tmp_path, GOOD), today=TODAY)
    assert attestations.source.endswith("attestations.yml")
    assert [a.answer for a in attestations.items] == ["yes", "partial", "no"]
    assert attestations.items[0].everywhere
    assert attestations.items[1].scope_label() == "group lyon"


def _answer(attestations: Attestations, control: str) -> str | None:
    attestation = attestations.answer_for(control)
    return attestation.answer if attestation else None


def test_the_most_specific_scope_wins_for_a_host(tmp_path: Path) -> None:
    attestations = load_attestations(_write(tmp_path, GOOD), today=TODAY)
    premises = "organisation_premises_access_controlled"
    training = "organisation_staff_security_trained"
    assert _answer(attestations.for_host("web1", ("paris",)), premises) == "yes"
    assert _answer(attestations.for_host("web2", ("lyon",)), premises) == "partial"
    assert _answer(attestations.for_host("web1", ("paris",)), training) is None
    assert _answer(attestations.for_host("db1"), training) == "no"


def test_an_organisation_rule_reads_the_attestation_of_its_host(tmp_path: Path) -> None:
    attestations = load_attestations(_write(tmp_path, GOOD), today=TODAY)
    rule = load_catalog()["organisation_premises_access_controlled"]

    def status(host: str, groups: tuple[str, ...]) -> Status:
        scoped = attestations.for_host(host, groups).model_copy(update={"as_of": TODAY})
        return evaluate(rule, Facts(attestations=scoped)).status

    assert status("web1", ("paris",)) is Status.PASS
    assert status("web2", ("lyon",)) is Status.FAIL
    assert evaluate(rule, Facts()).status is Status.MANUAL  # no file given
    old = evaluate(rule, Facts(attestations=attestations.for_host("web1").model_copy(
        update={"as_of": date(2028, 1, 1)})))
    assert old.status is Status.FAIL
    assert old.message == "attestation from 2026-10-15 is older than 365 days"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("attestations: [\n", "not valid YAML"),
        ("- control: x\n", "expected a mapping with an `attestations:` list"),
        ("attestations: []\nwaivers: []\n", "unknown top-level keys ['waivers']"),
        ("attestations: [just text]\n", "attestation 1: expected a mapping"),
        ("attestations:\n  - {control: ssh_root_login_disabled, answer: yes, by: A B,"
         " date: 2026-01-01, evidence: doc 1}\n",
         "attestation 1: no organisation rule named 'ssh_root_login_disabled'"),
        ("attestations:\n  - {control: organisation_hosting_hds_certified, answer: maybe,"
         " by: A B, date: 2026-01-01, evidence: doc 1}\n",
         "attestation 1: answer: Input should be 'yes', 'no' or 'partial'"),
        ("attestations:\n  - {control: organisation_hosting_hds_certified, answer: yes,"
         " date: 2026-01-01, evidence: doc 1}\n", "attestation 1: by: Field required"),
        ("attestations:\n  - {control: organisation_hosting_hds_certified, answer: yes,"
         " by: A B, date: 2026-13-01, evidence: doc 1}\n", "month must be in 1..12"),
        ("attestations:\n  - {control: organisation_hosting_hds_certified, answer: yes,"
         " by: A B, date: '15/10/2026', evidence: doc 1}\n",
         "attestation 1: date: Input should be a valid date"),
        ("attestations:\n  - {control: organisation_hosting_hds_certified, answer: yes,"
         " by: A B, date: 2027-01-01, evidence: doc 1}\n",
         "attestation 1: date 2027-01-01 is in the future"),
        ("attestations:\n  - {control: organisation_hosting_hds_certified, answer: yes,"
         " by: A B, date: 2026-01-01, evidence: doc 1, owner: me}\n",
         "attestation 1: owner: Extra inputs are not permitted"),
        ("attestations:\n"
         "  - {control: organisation_hosting_hds_certified, answer: yes, by: A B,"
         " date: 2026-01-01, evidence: doc 1}\n"
         "  - {control: organisation_hosting_hds_certified, answer: no, by: C D,"
         " date: 2026-01-01, evidence: doc 2}\n",
         "attestation 2 repeats attestation 1 (same control, date and scope)"),
    ],
)
def test_bad_files_name_the_file_and_the_entry(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(AttestationError) as caught:
        load_attestations(path, today=TODAY)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AttestationError, match="No such file"):
        load_attestations(tmp_path / "nope.yml")


def test_empty_attestations_are_constructible_and_answer_nothing() -> None:
    assert Attestations().answer_for("organisation_hosting_hds_certified") is None
    assert Attestations().for_host("h").items == []


def test_the_documented_examples_load() -> None:
    attestations = load_attestations(EXAMPLES / "attestations.yml")
    controls = {rule_id for rule_id, rule in load_catalog().items() if rule.area == "organisation"}
    assert {a.control for a in attestations.items} == controls
    assert load_waivers(EXAMPLES / "waivers.yml")
    tailored = load_profile(str(EXAMPLES / "tailoring.yml"))
    assert tailored.extends == "health_data_hosting"
