"""Every rule's fix text has a French translation that keeps its commands and paths intact."""

from __future__ import annotations

import re

import pytest

from scanner.rules import load_catalog

# `code` or "code" (a \" inside double quotes does not end the span)
CODE_SPAN = re.compile(r'`[^`]+`|"(?:[^"\\]|\\.)*"')
# /etc/ssh/sshd_config, /var/log/, /etc/profile.d/*.sh; not 22/tcp nor ~/.ssh
ABSOLUTE_PATH = re.compile(r"(?<![\w./~-])/[\w.@*<>+-]+(?:/[\w.@*<>+-]*)*")


def _verbatim(text: str) -> list[str]:
    """What a translation must copy unchanged: code spans and absolute paths."""
    paths = [path.rstrip(".,") for path in ABSOLUTE_PATH.findall(text)]
    return CODE_SPAN.findall(text) + paths


def test_verbatim_extraction() -> None:
    text = 'Set "PermitRootLogin no" in /etc/ssh/sshd_config, run `sshd -t` (22/tcp, ~/.ssh).'
    assert _verbatim(text) == ['"PermitRootLogin no"', "`sshd -t`", "/etc/ssh/sshd_config"]


@pytest.mark.parametrize("rule_id", list(load_catalog()))
def test_manual_fix_is_translated(rule_id: str) -> None:
    remediation = load_catalog()[rule_id].meta.remediation
    assert remediation.manual_fr.strip(), f"{rule_id}: no remediation.manual_fr"
    assert remediation.manual_fr.strip() != remediation.manual.strip(), rule_id
    lost = [span for span in _verbatim(remediation.manual) if span not in remediation.manual_fr]
    assert not lost, f"{rule_id}: manual_fr lost or translated {lost}"
