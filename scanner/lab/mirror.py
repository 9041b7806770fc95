"""The Debian mirror this machine's apt already uses, read from its apt sources.

Never a hard-coded host name: the lab image and the targets' apt relay follow the host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class AptSource:
    """One http source: uri, suites and components, as in a deb822 stanza."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    signed_by: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.uri).hostname or ""


def _deb822_sources(text: str) -> list[AptSource]:
    sources = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled") == "no":
            continue
        for uri in fields.get("uris", "").split():
            sources.append(
                AptSource(
                    uri.rstrip("/"),
                    tuple(fields.get("suites", "").split()),
                    tuple(fields.get("components", "").split()),
                    fields.get("signed-by", ""),
                )
            )
    return sources


def _one_line_sources(text: str) -> list[AptSource]:
    sources = []
    for line in text.splitlines():
        words = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
        if len(words) >= 3 and words[0] == "deb":
            sources.append(AptSource(words[1].rstrip("/"), (words[2],), tuple(words[3:])))
    return sources


def host_sources(etc_apt: Path = Path("/etc/apt")) -> list[AptSource]:
    """The host's http apt sources (deb822 files first, then sources.list)."""
    sources: list[AptSource] = []
    for path in sorted((etc_apt / "sources.list.d").glob("*.sources")):
        sources += _deb822_sources(path.read_text())
    for path in [etc_apt / "sources.list", *sorted((etc_apt / "sources.list.d").glob("*.list"))]:
        if path.is_file():
            sources += _one_line_sources(path.read_text())
    http = [s for s in sources if s.uri.startswith("http://") and s.host]
    if not http:
        raise RuntimeError(f"no http Debian mirror in the apt sources under {etc_apt}")
    return http


def bookworm_sources(sources: list[AptSource]) -> list[AptSource]:
    """The sources that serve Debian 12 (bookworm, -updates, -security) for the image."""
    keep = [s for s in sources if any(suite.startswith("bookworm") for suite in s.suites)]
    if not any("bookworm" in s.suites for s in keep):
        raise RuntimeError("the host's apt sources have no 'bookworm' suite to build the image")
    return keep


def main_mirror(sources: list[AptSource]) -> str:
    """The URL debootstrap uses: the first source that carries the bookworm suite itself."""
    return next(s.uri for s in sources if "bookworm" in s.suites)


def mirror_hosts(sources: list[AptSource]) -> list[str]:
    """Distinct mirror host names, in order: each gets its own relay address on the bridge."""
    return list(dict.fromkeys(s.host for s in sources))


def render_deb822(sources: list[AptSource]) -> str:
    """The image's /etc/apt/sources.list.d/debian.sources."""
    stanzas = []
    for s in sources:
        lines = ["Types: deb", f"URIs: {s.uri}", f"Suites: {' '.join(s.suites)}",
                 f"Components: {' '.join(s.components) or 'main'}"]
        signed_by = s.signed_by or "/usr/share/keyrings/debian-archive-keyring.gpg"
        lines.append(f"Signed-By: {signed_by}")
        stanzas.append("\n".join(lines) + "\n")
    return "\n".join(stanzas)
