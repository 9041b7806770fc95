"""Each fact parser against whole-host cases: tests/facts/<fact>/<case>.json.

A case holds the outputs of the fact's commands as the engine hands them to `parse`
(`{"outputs": {cmd: {"stdout", "stderr", "rc"}}}`) and either the parsed fact expected
(`"expected"`) or the CollectionError message expected (`"error"`). Each case says in its
`"source"` whether it was recorded on a real host (which) or written for the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.facts import FACTS
from scanner.facts.base import CollectionError, CommandOutput

HERE = Path(__file__).parent
CASES = sorted(HERE.glob("*/*.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fact_case(path: Path) -> None:
    case = json.loads(path.read_text())
    assert case.get("source"), "say where the outputs come from"
    outputs = {name: CommandOutput(**out) for name, out in case["outputs"].items()}
    fact = FACTS[path.parent.name]
    if "error" in case:
        with pytest.raises(CollectionError, match=case["error"]):
            fact.parse(outputs)
    else:
        assert fact.parse(outputs).model_dump(mode="json") == case["expected"]
