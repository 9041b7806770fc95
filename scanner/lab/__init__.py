"""Hygie's test lab: real Debian 12 hosts (netns + systemd in an overlay) on this machine.

Usage: `with Lab() as lab: hosts = lab.up({"web1": "hardened"})`. See README.md beside this file.
"""

from __future__ import annotations

from scanner.lab.hosts import LabHost
from scanner.lab.lab import Lab
from scanner.lab.system import LabError

__all__ = ["Lab", "LabError", "LabHost"]
