"""Lab tests run on real Debian hosts: the fixtures come from scanner.lab.pytest_plugin,
loaded for the whole suite by tests/conftest.py."""
