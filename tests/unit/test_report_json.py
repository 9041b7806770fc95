"""findings.json: exact files, schema in step with the model, round trip, versions, bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from scanner.models import ScanRun
from scanner.report import WRITERS, FindingsFileError, load_run, write_reports
from scanner.report.demo import demo_run, finding
from scanner.report.json_report import FindingsDocument, to_document
from scanner.report.schema import REGENERATE, SCHEMA_PATH, schema_text


def test_the_committed_schema_is_the_one_the_model_generates():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        f"scanner/report/findings.schema.json is out of date; regenerate it: {REGENERATE}"
    )


def test_every_field_and_status_of_the_schema_is_documented():
    docs = (Path(__file__).parents[2] / "docs/findings-schema.md").read_text(encoding="utf-8")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    names = set(schema["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition.get("properties", {})) | set(definition.get("enum", []))
    assert [name for name in sorted(names) if f"`{name}`" not in docs] == []


def test_write_reports_writes_exactly_findings_json_and_report_html(tmp_path: Path):
    written = write_reports(demo_run(), tmp_path / "run")
    assert set(WRITERS) == {"json", "html"}
    assert written == {"json": tmp_path / "run/findings.json", "html": tmp_path / "run/report.html"}
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["findings.json", "report.html"]


def test_an_unknown_language_fails_before_writing(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown report language 'de'"):
        write_reports(demo_run(), tmp_path / "run", lang="de")
    assert not (tmp_path / "run").exists()


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    return schema


JSON_TYPES = {"object": dict, "array": list, "string": str, "integer": int,
              "number": (int, float), "boolean": bool, "null": type(None)}


def check_against_schema(value: Any, schema: dict[str, Any], defs: dict[str, Any], at: str) -> None:
    """The subset of JSON Schema pydantic emits: types, required keys, enums, objects, arrays."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        if value is None:
            assert {"type": "null"} in schema["anyOf"], at
            return
        schema = _resolve(next(s for s in schema["anyOf"] if s != {"type": "null"}), defs)
    if "type" in schema:
        assert isinstance(value, JSON_TYPES[schema["type"]]), f"{at}: not {schema['type']}"
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{at}: missing required key {key!r}"
        key_names = _resolve(schema.get("propertyNames", {}), defs).get("enum")
        for key, item in value.items():
            assert key_names is None or key in key_names, f"{at}: unexpected key {key!r}"
            if key in schema.get("properties", {}):
                check_against_schema(item, schema["properties"][key], defs, f"{at}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                check_against_schema(item, schema["additionalProperties"], defs, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            check_against_schema(item, schema["items"], defs, f"{at}[{index}]")


def test_findings_json_matches_the_schema_file_and_round_trips(tmp_path: Path):
    run = demo_run()
    path = write_reports(run, tmp_path)["json"]
    data = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    try:
        import jsonschema  # only when the environment has it; not a dependency
    except ImportError:
        check_against_schema(data, schema, schema["$defs"], "$")
    else:
        jsonschema.validate(data, schema)
    FindingsDocument.model_validate(data)
    assert load_run(path) == run
    assert ScanRun.model_validate(data) == run


def test_the_schema_check_catches_a_missing_key_and_a_wrong_status():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = to_document(demo_run())
    del data["hosts"][1]["findings"][0]["rule_id"]
    with pytest.raises(AssertionError, match=r"hosts\[1\].findings\[0\]: missing .*rule_id"):
        check_against_schema(data, schema, schema["$defs"], "$")
    data = to_document(demo_run())
    data["summary"]["by_status"]["ok"] = 1
    with pytest.raises(AssertionError, match="unexpected key 'ok'"):
        check_against_schema(data, schema, schema["$defs"], "$")


def test_findings_json_fields_for_hosts_and_findings(tmp_path: Path):
    data = json.loads(write_reports(demo_run(), tmp_path)["json"].read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.0"
    assert list(data)[:7] == ["schema_version", "tool", "tool_version", "started_at",
                              "finished_at", "profile", "summary"]
    web, db, _, nas, lab = data["hosts"]
    assert (web["name"], web["address"], web["status"]) == ("web-01", "10.0.0.11", "scanned")
    assert (nas["status"], nas["reason"]) == ("unreachable", "connection refused on port 22")
    assert lab["status"] == "timeout" and lab["findings"] == []
    first = web["findings"][0]
    assert {k: first[k] for k in ("rule_id", "status", "severity", "title", "message")} == {
        "rule_id": "firewall_inbound_default_deny", "status": "fail", "severity": "high",
        "title": "Inbound traffic is denied by default", "message": "inbound policy is ACCEPT",
    }
    assert first["evidence"] == {"policy": "ACCEPT", "open_ports": [22, 80, 443, 5432]}
    assert db["findings"][4]["waiver"]["original_status"] == "fail"
    assert web["summary"]["score"] == 15.4 and nas["summary"]["score"] is None
    assert data["summary"]["score"] == 64.9 and data["summary"]["hosts_not_scanned"] == 2


def test_host_text_becomes_valid_utf8_json_and_keeps_full_length(tmp_path: Path):
    run = demo_run()
    huge = "x" * 3_000_000
    run.hosts[0].findings.append(finding(
        "ssh_root_login_disabled", "fail", "bad bytes \udcff and \x00\x1b[31m",
        raw=b"\xff\xfe binary", ratio=math.nan, nested={1: {2, 3}}, huge=huge,
    ))
    path = write_reports(run, tmp_path)["json"]
    text = path.read_bytes().decode("utf-8")  # strict: raises on invalid UTF-8
    data = json.loads(text)
    evidence = data["hosts"][0]["findings"][-1]["evidence"]
    assert evidence["huge"] == huge
    assert evidence["ratio"] is None and evidence["nested"] == {"1": [2, 3]}
    assert evidence["raw"] == "\ufffd\ufffd binary"
    assert data["hosts"][0]["findings"][-1]["message"] == "bad bytes \ufffd and \x00\x1b[31m"


def test_an_old_run_is_rewritten_in_the_current_schema_version():
    assert to_document(demo_run().model_copy(update={"schema_version": "0.9"}))[
        "schema_version"] == "1.0"


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_run_refuses_another_major_version(tmp_path: Path):
    data = to_document(demo_run()) | {"schema_version": "2.0"}
    with pytest.raises(FindingsFileError, match=r"schema_version 2.0 is not supported.*1\.x"):
        load_run(_write(tmp_path, data))


def test_load_run_accepts_a_newer_minor_version_with_extra_fields(tmp_path: Path):
    data = to_document(demo_run()) | {"schema_version": "1.4", "added_later": {"x": 1}}
    assert load_run(_write(tmp_path, data)).hosts[0].name == "web-01"


@pytest.mark.parametrize(("content", "message"), [
    ("[]", "no schema_version"),
    ('{"tool": "other"}', "no schema_version"),
    ("{not json", "not a readable findings.json"),
    ('{"schema_version": "1.0", "hosts": "no"}', "does not match schema 1.0"),
])
def test_load_run_explains_what_is_wrong(tmp_path: Path, content: str, message: str):
    path = tmp_path / "findings.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FindingsFileError, match=message):
        load_run(path)
