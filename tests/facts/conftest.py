"""Helpers for fact tests: recorded outputs keep their `#! ` source header; snippets run here."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from scanner.collect import COMMAND_TIMEOUT_S
from scanner.facts.base import CommandOutput, Fact

HERE = Path(__file__).parent
# What the engine's script sets before any snippet runs (the preamble in scanner/collect.py).
ENGINE_ENV = {"LC_ALL": "C", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}


def read_recorded(path: Path) -> str:
    """The raw output of a recorded capture, without its `#! ` header (source, licence, notes)."""
    text = path.read_bytes().decode("utf-8")
    if not text.startswith("#! "):
        return text
    return text.split("#! ---\n", 1)[1]


def run_on_this_machine(
    fact_or_snippets: Fact | Mapping[str, str], *, timeout: float = COMMAND_TIMEOUT_S
) -> dict[str, CommandOutput]:
    """Each snippet (a fact's, or `{key: snippet}`) run here as the engine runs it, by key.

    POSIX sh with the engine's environment, umask 077 and no stdin, one after the other.
    """
    snippets = fact_or_snippets.linux if isinstance(fact_or_snippets, Fact) else fact_or_snippets
    outputs = {}
    for key, snippet in snippets.items():
        done = subprocess.run(
            ["/bin/sh", "-c", snippet],
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            env=ENGINE_ENV, umask=0o077, timeout=timeout,
        )  # fmt: skip
        outputs[key] = CommandOutput(done.stdout, done.stderr, done.returncode)
    return outputs


@pytest.fixture
def recorded():
    """`recorded("sshd/rhel_openssh80.txt")` -> output text of tests/facts/<that file>."""
    return lambda name: read_recorded(HERE / name)


@pytest.fixture
def on_this_machine():
    """`on_this_machine(FACT)` -> `run_on_this_machine(FACT)`: the outputs of a real run here."""
    return run_on_this_machine
