"""Remediation: plan the fixes of failed rules, preview and apply them with Ansible or pyinfra,
then re-scan the same hosts and rules (`hygie fix`). Playbooks live in playbooks/ at the root."""

from __future__ import annotations

import os
from pathlib import Path

ENGINES = ("ansible", "pyinfra")


def playbooks_dir() -> Path:
    """playbooks/ of this checkout, or $HYGIE_PLAYBOOKS (an installed copy)."""
    override = os.environ.get("HYGIE_PLAYBOOKS")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "playbooks"
