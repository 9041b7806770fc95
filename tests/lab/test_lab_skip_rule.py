"""The skip rule: without root or namespaces lab tests are skipped with the reason, except with
CI=true, where a lab that cannot run fails the run (checked in a child pytest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.lab import pytest_plugin

CHILD_CONFTEST = """
import scanner.lab.pytest_plugin as plugin
plugin.lab_unavailable = lambda: "no network namespaces on this test machine"
pytest_plugins = ["scanner.lab.pytest_plugin"]
"""
CHILD_TEST = """
import pytest

@pytest.mark.lab
def test_needs_the_lab(lab):
    assert lab
"""


def child_pytest(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CHILD_CONFTEST)
    (tmp_path / "test_child.py").write_text(CHILD_TEST)
    env = dict(os.environ, CI=ci)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "-o", "markers=lab: lab", str(tmp_path)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_without_the_lab_tests_are_skipped_with_the_reason(tmp_path: Path) -> None:
    done = child_pytest(tmp_path, ci="")
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
    assert "no network namespaces on this test machine" in done.stdout


def test_with_ci_true_a_lab_that_cannot_run_fails(tmp_path: Path) -> None:
    done = child_pytest(tmp_path, ci="true")
    assert done.returncode == 1, done.stdout
    assert "CI=true and the lab cannot run: no network namespaces" in done.stdout


def test_non_root_is_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "need root" in (pytest_plugin.lab_unavailable() or "")
