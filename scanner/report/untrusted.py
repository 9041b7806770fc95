"""Make host-controlled text safe to show: control and bidi characters replaced, length capped,
and arbitrary evidence turned into JSON-safe values (valid UTF-8, finite numbers, str keys)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

TRUNCATION_MARK = "…(truncated)"
DISPLAY_LIMIT = 2000  # characters of one value shown in a report; findings.json keeps all

# C0 controls (but tab and newline), DEL, C1 controls, and the bidi overrides that let a host
# make text read differently from what it is ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    """A control character as the text of its escape: ESC shows as the four characters \\x1b."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def valid_unicode(text: str) -> str:
    """Text that encodes to UTF-8: lone surrogates (undecodable bytes) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def clean_text(
    text: object,
    limit: int | None = DISPLAY_LIMIT,
    one_line: bool = False,
    mark: str = TRUNCATION_MARK,
) -> str:
    """Printable text: control characters shown as escapes, cut at `limit` characters + `mark`."""
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    value = value.replace("\r\n", "\n")  # Windows line ends; a lone \r stays visible
    if limit is not None and len(value) > limit:
        value = value[:limit] + mark
    if one_line:
        value = " ".join(value.split())
    return _CONTROL.sub(_visible, valid_unicode(value))


def json_safe(value: Any) -> Any:
    """A copy of `value` that `json.dumps(allow_nan=False)` accepts and that is valid UTF-8."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, str):
        return valid_unicode(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {valid_unicode(str(key)): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return valid_unicode(str(value))


def compact(value: Any, limit: int = DISPLAY_LIMIT, mark: str = TRUNCATION_MARK) -> str:
    """One value as short display text: strings as they are, anything else as compact JSON."""
    if not isinstance(value, str | bytes):
        value = json.dumps(json_safe(value), ensure_ascii=False, separators=(", ", ": "))
    return clean_text(value, limit, mark=mark)
