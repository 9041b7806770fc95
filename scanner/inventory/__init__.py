"""Ansible-format inventories (YAML and INI) and ad hoc targets -> hosts, and `--limit` patterns.

A small parser that gives the same hosts, groups and variables as ansible-core's
InventoryManager (tests/unit/test_inventory.py compares them) without importing it.
"""

from scanner.inventory.formats import load_inventory
from scanner.inventory.model import Inventory, InventoryError
from scanner.inventory.patterns import parse_target, select

__all__ = ["Inventory", "InventoryError", "load_inventory", "parse_target", "select"]
