"""Helpers for fact parser tests: recorded outputs keep their `#! ` source header."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def read_recorded(path: Path) -> str:
    """The raw output of a recorded capture, without its `#! ` header (source, licence, notes)."""
    text = path.read_bytes().decode("utf-8")
    if not text.startswith("#! "):
        return text
    return text.split("#! ---\n", 1)[1]


@pytest.fixture
def recorded():
    """`recorded("sshd/rhel_openssh80.txt")` -> output text of tests/facts/<that file>."""
    return lambda name: read_recorded(HERE / name)
