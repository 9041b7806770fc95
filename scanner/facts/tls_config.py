"""Pure helpers of the tls fact: protocol-list syntaxes of each server, and weak cipher strings."""

from __future__ import annotations

import re

VERSIONS = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
LEGACY = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"]
_ALIASES = {name.lower(): name for name in VERSIONS} | {"tlsv1.0": "TLSv1", "tls1.2": "TLSv1.2"}
# OpenSSL cipher-string components that switch weak suites on: no encryption or authentication,
# anonymous key exchange, export grade, RC4, single and triple DES, MD5 MACs, security level 0.
WEAK_COMPONENTS = {
    "null", "enull", "anull", "adh", "aecdh", "exp", "export", "export40", "export56", "low",
    "rc4", "des", "3des", "cbc3", "md5", "@seclevel=0", "complementofall",
}  # fmt: skip


def version(name: str) -> str | None:
    """The canonical name ("TLSv1.1") of a protocol as servers spell it, or None."""
    return _ALIASES.get(name.strip().lower())


def at_least(minimum: str | None) -> list[str]:
    """The versions from `minimum` up (all versions when the minimum is unknown)."""
    if minimum is None or minimum not in VERSIONS:
        return list(VERSIONS)
    return VERSIONS[VERSIONS.index(minimum) :]


def nginx_protocols(value: str) -> list[str]:
    """`ssl_protocols TLSv1.2 TLSv1.3;` -> the listed versions."""
    found = [version(word) for word in value.replace(";", " ").split()]
    return [name for name in VERSIONS if name in found]


def apache_protocols(value: str) -> list[str]:
    """`SSLProtocol all -SSLv3 +TLSv1.2`: mod_ssl's rules (a word without +/- replaces the set)."""
    enabled: set[str] = set()
    for word in value.split():
        action, name = (word[0], word[1:]) if word[:1] in "+-" else ("", word)
        known = version(name)
        names = set(VERSIONS[1:]) if name.lower() == "all" else {known} if known else set()
        if action == "-":
            enabled -= names
        elif action == "+":
            enabled |= names
        else:
            enabled = set(names)
    return [name for name in VERSIONS if name in enabled]


def postfix_protocols(value: str) -> list[str]:
    """`!SSLv2, !SSLv3`, `>=TLSv1.2`, `TLSv1.2 TLSv1.3`: Postfix protocol list syntax."""
    words = [word for word in re.split(r"[\s,:]+", value) if word]
    included = [version(word) for word in words if word[0] not in "!<>"]
    enabled = {v for v in included if v} or set(VERSIONS[2:])  # OpenSSL 1.1+ has no SSLv2/3
    for word in words:
        if word.startswith("!"):
            enabled.discard(version(word[1:]) or "")
        elif word.startswith(">=") and version(word[2:]):
            enabled &= set(at_least(version(word[2:])))
        elif word.startswith("<=") and version(word[2:]):
            enabled -= set(at_least(version(word[2:]))[1:])
    return [name for name in VERSIONS if name in enabled]


def listed_protocols(value: str) -> list[str]:
    """`TLSv1.2,TLSv1.3` (MariaDB/MySQL tls_version) -> the listed versions."""
    found = {version(word) for word in re.split(r"[\s,]+", value) if word}
    return [name for name in VERSIONS if name in found]


def weak_cipher_words(cipher_string: str) -> list[str]:
    """The words of an OpenSSL cipher string that enable weak suites (`!`/`-` words ignored)."""
    weak = []
    for word in re.split(r"[\s:,;]+", cipher_string.strip().strip("\"'")):
        if not word or word[0] in "!-":
            continue
        components = re.split(r"[+-]", word.lstrip("+").lower())
        if any(part in WEAK_COMPONENTS or part.startswith("export") for part in components):
            weak.append(word)
    return list(dict.fromkeys(weak))


def postfix_weak_grade(grade: str) -> bool:
    """Postfix cipher grades (smtpd_tls_ciphers): export, low and null are weak."""
    return grade.strip().lower() in ("export", "low", "null")
