"""Sshd facts: the OpenSSH server's effective global configuration, from `sshd -T`.

Example: {"installed": true, "version": "OpenSSH_9.2",
"settings": {"permitrootlogin": "no", "maxauthtries": "4", …},
"lists": {"ciphers": ["aes256-gcm@openssh.com", …], "hostkey": ["/etc/ssh/ssh_host_ed25519_key"]}}
`sshd -T` without `-C` prints the global configuration: Match blocks are not evaluated.
It needs root (it loads the host keys) and the privilege separation directory (/run/sshd).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, Field

from scanner.facts.base import CollectionError, CommandOutput, Fact

# Comma-separated algorithm lists: split into items.
COMMA_LISTS = {
    "ciphers",
    "macs",
    "kexalgorithms",
    "gssapikexalgorithms",
    "hostkeyalgorithms",
    "casignaturealgorithms",
    "pubkeyacceptedalgorithms",
    "pubkeyacceptedkeytypes",
    "hostbasedacceptedalgorithms",
    "hostbasedacceptedkeytypes",
}
# Keys that sshd -T prints once per value: one item per line.
REPEATED = {
    "port",
    "listenaddress",
    "hostkey",
    "hostcertificate",
    "acceptenv",
    "setenv",
    "subsystem",
    "allowusers",
    "denyusers",
    "allowgroups",
    "denygroups",
    "channeltimeout",
    "logverbose",
}
MAX_OUTPUT = 1_000_000
_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9]{1,63})[ \t]+(.{1,8192})$")
_VERSION = re.compile(r"^(OpenSSH_[0-9][0-9A-Za-z.]*)")


class SshdFacts(BaseModel):
    installed: bool
    version: str | None = None  # "OpenSSH_9.2": as `sshd -V` reports it; None if it did not
    settings: dict[str, str] = Field(default_factory=dict)  # single-valued keys, as printed
    lists: dict[str, list[str]] = Field(default_factory=dict)  # algorithm lists, repeated keys


def parse_sshd_t(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(settings, lists) from `sshd -T`, keys lowercased; lines not `key value` are skipped.

    A key in REPEATED, or printed more than once, goes to `lists` with all its values in order;
    a key in COMMA_LISTS goes to `lists` split on commas; any other key goes to `settings`.
    """
    if len(text) > MAX_OUTPUT:
        raise CollectionError("sshd -T printed more than 1 MB")
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match and match.group(2).isprintable():
            values.setdefault(match.group(1).lower(), []).append(match.group(2).strip())
    if not values:
        raise CollectionError("sshd -T printed no settings")
    settings: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, found in values.items():
        if key in COMMA_LISTS:
            lists[key] = [item for value in found for item in value.split(",") if item]
        elif key in REPEATED or len(found) > 1:
            lists[key] = found
        else:
            settings[key] = found[0]
    return settings, lists


def parse_sshd_version(text: str) -> str | None:
    """The version (`OpenSSH_9.2`) from `sshd -V`, or from the usage text older sshd print."""
    for line in text.splitlines()[:20]:
        match = _VERSION.match(line.strip())
        if match:
            return match.group(1)
    return None


def _why_sshd_t_failed(out: CommandOutput) -> str:
    if "no hostkeys available" in out.stderr or "Permission denied" in out.stderr:
        return "sshd -T needs root to read the host keys: scan as root or with become"
    if "privilege separation directory" in out.stderr:
        return "sshd -T refused: no privilege separation directory, sshd never started here"
    return f"sshd -T exited with {out.rc}"


def parse(outputs: Mapping[str, CommandOutput]) -> SshdFacts:
    config = outputs.get("sshd_t")
    if config is None:
        raise CollectionError("sshd_t: no output")
    if config.missing:
        return SshdFacts(installed=False)
    if config.rc != 0:
        raise CollectionError(_why_sshd_t_failed(config), config.stderr)
    settings, lists = parse_sshd_t(config.stdout)
    version_out = outputs.get("sshd_version")
    version = parse_sshd_version(version_out.stdout) if version_out else None
    return SshdFacts(installed=True, version=version, settings=settings, lists=lists)


_FIND_SSHD = (
    "s=$(command -v sshd 2>/dev/null) || { [ -x /usr/sbin/sshd ] && s=/usr/sbin/sshd; }"
    " || exit 127\n"
)

FACT = Fact(
    name="sshd",
    linux={
        "sshd_t": _FIND_SSHD + 'exec "$s" -T',
        # OpenSSH < 9 has no -V but prints its version before the usage text; both go to stderr
        "sshd_version": _FIND_SSHD + '"$s" -V 2>&1 | head -n 20',
    },
    parse=parse,
)
