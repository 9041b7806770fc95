"""Test-suite wide fixtures: the lab of real Debian hosts (scanner/lab)."""

pytest_plugins = ["scanner.lab.pytest_plugin"]
