"""Profiles and tailoring files: selection, parameters, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.profiles import ProfileError, builtin_profiles, load_profile
from scanner.rules import load_catalog


def test_builtin_profiles_load_and_select_rules() -> None:
    assert {"server", "workstation"} <= set(builtin_profiles())
    for name in builtin_profiles():
        profile = load_profile(name)
        assert profile.id == name
        assert profile.rules(), name


def test_a_tailoring_file_deselects_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yml"
    path.write_text("""
id: clinic
title: {en: Clinic servers, fr: Serveurs de la clinique}
extends: server
exclude: [disk_encryption, ssh_x11_forwarding_disabled]
parameters:
  antivirus_signatures_fresh: {max_signature_age_days: 2}
""")
    profile = load_profile(str(path))
    ids = {rule.id for rule in profile.rules()}
    assert "ssh_x11_forwarding_disabled" not in ids
    assert not any(rule_id.startswith("disk_encryption_") for rule_id in ids)
    assert "ssh_root_login_disabled" in ids
    rule = load_catalog()["antivirus_signatures_fresh"]
    assert profile.parameters_for(rule) == {"max_signature_age_days": 2}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "id: x\ntitle: {en: a, fr: b}\ninclude: [no_such_rule]\n",
            "no rule or area named 'no_such_rule'",
        ),
        (
            "id: x\ntitle: {en: a, fr: b}\nparameters: {nope_rule: {a: 1}}\n",
            "parameters for unknown rule 'nope_rule'",
        ),
        (
            "id: x\ntitle: {en: a, fr: b}\n"
            "parameters: {antivirus_signatures_fresh: {max_age: 1}}\n",
            "rule antivirus_signatures_fresh has no parameter 'max_age'",
        ),
        (
            "id: x\ntitle: {en: a, fr: b}\n"
            "parameters: {antivirus_signatures_fresh: {max_signature_age_days: soon}}\n",
            "antivirus_signatures_fresh.max_signature_age_days must be int, got 'soon'",
        ),
        ("id: x\ntitle: {en: a, fr: b}\nextends: desktop\n", "extends 'desktop': not a built-in"),
        ("id: x\ntitle: {en: a}\n", "title.fr: Field required"),
        ("id: x\ntitle: {en: a, fr: b}\nselect: [x]\n", "select: Extra inputs are not permitted"),
        ("id: [x\n", "not valid YAML"),
    ],
)
def test_bad_tailoring_files_say_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "tailoring.yml"
    path.write_text(body)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_unknown_profile_name_lists_the_built_ins() -> None:
    with pytest.raises(ProfileError, match="unknown profile 'nope' \\(built-in: auto, "):
        load_profile("nope")
