"""Every rule against its fixtures: tests/rules/<rule_id>/<case>.<expected status>.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.facts import FactsSnapshot
from scanner.models import Status
from scanner.rules import evaluate, load_catalog

HERE = Path(__file__).parent
FIXTURES = sorted(HERE.glob("*/*.json"))


def _expected(path: Path) -> Status:
    return Status(path.name.removesuffix(".json").rsplit(".", 1)[1])


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(path: Path) -> None:
    data = json.loads(path.read_text())
    rule = load_catalog()[path.parent.name]
    snapshot = FactsSnapshot.model_validate(data)
    result = evaluate(rule, snapshot.facts, data.get("parameters"))
    assert result.status == _expected(path), result
    assert result.message
    for key, value in data.get("expected_evidence", {}).items():
        assert result.evidence.get(key) == value, (key, result.evidence)


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    for rule_id in load_catalog():
        statuses = {_expected(p) for p in (HERE / rule_id).glob("*.json")}
        assert {Status.PASS, Status.FAIL} <= statuses, f"{rule_id}: fixtures {statuses}"


def test_fixture_folders_name_existing_rules() -> None:
    catalog = load_catalog()
    for folder in {p.parent.name for p in FIXTURES}:
        assert folder in catalog, f"tests/rules/{folder}/ names no rule"


def test_missing_fact_is_an_error_not_a_pass() -> None:
    for rule in load_catalog().values():
        snapshot = FactsSnapshot.model_validate(
            {"host": "h", "facts": {"errors": {rule.meta.facts[0]: {"message": "boom"}}}}
        )
        result = evaluate(rule, snapshot.facts)
        assert result.status is Status.ERROR, rule.id
        assert result.evidence[rule.meta.facts[0]] == {"message": "boom"}
