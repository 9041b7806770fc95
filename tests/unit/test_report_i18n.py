"""Report labels exist in both languages; host text cleaning shows what it replaces."""

from __future__ import annotations

import pytest

from scanner.models import HostStatus, Severity, Status
from scanner.report.i18n import LABELS, VALUE_LABELS, labels, value_label
from scanner.report.untrusted import clean_text
from scanner.rules import AREAS, ReferenceKey


def test_both_languages_have_the_same_labels():
    assert LABELS["en"].keys() == LABELS["fr"].keys()
    assert VALUE_LABELS["en"].keys() == VALUE_LABELS["fr"].keys()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_status_severity_area_and_framework_has_a_label(lang: str):
    values = [*Status, *Severity, *HostStatus, *AREAS, *ReferenceKey.__args__]
    assert [str(value) for value in values if str(value) not in VALUE_LABELS[lang]] == []
    assert value_label(Status.NOT_APPLICABLE, lang) in ("Not applicable", "Non applicable")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="choose one of en, fr"):
        labels("de")


def test_clean_text_shows_control_characters_and_cuts_long_text():
    cleaned = clean_text("a\x00b\x1b[31mc\x7f\u202ed\r\ne\tf")
    assert cleaned == r"a\x00b\x1b[31mc\x7f\u202ed" + "\ne\tf"
    assert clean_text("x\udcffy") == "x\ufffdy"
    assert clean_text(b"\xffok") == "\ufffdok"
    assert clean_text("abcdef", 3) == "abc…(truncated)"
    assert clean_text("a\n b\r\nc", one_line=True) == "a b c"
