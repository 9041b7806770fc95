"""Remediation tests: unit tests read the playbooks; lab tests fix real hosts (lab fixtures
from scanner.lab.pytest_plugin, loaded for the whole suite by tests/conftest.py)."""
