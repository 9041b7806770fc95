"""Tls facts: the TLS versions and ciphers each installed server's configuration allows.

Example: {"crypto_policy": null, "system_min_protocol": null, "services": [{"name": "nginx",
"tls_enabled": true, "protocols": ["TLSv1.2", "TLSv1.3"], "ciphers": ["HIGH:!aNULL:!MD5"],
"settings": ["/etc/nginx/nginx.conf: ssl_protocols TLSv1.2 TLSv1.3"]}], "handshakes": []}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel, Field

from scanner.facts import tls_config as cfg
from scanner.facts import tls_services as services
from scanner.facts.base import CollectionError, CommandOutput, Fact, require
from scanner.facts.tls_services import TlsService

__all__ = ["TlsFacts", "TlsProbe", "TlsService", "FACT"]


class TlsProbe(BaseModel):
    """One port as the scanner saw it in real handshakes (scanner/probes/tls.py)."""

    address: str
    port: int
    tls: bool  # a handshake with the scanner's default client (TLS 1.2+) succeeded
    version: str | None = None  # negotiated in that handshake
    cipher: str | None = None
    legacy_accepted: list[str] = Field(default_factory=list)  # of "TLSv1", "TLSv1.1"
    error: str | None = None  # why the port could not be probed (refused, timed out)


class TlsFacts(BaseModel):
    crypto_policy: str | None = None  # RHEL system-wide crypto policy (DEFAULT, LEGACY, …)
    system_min_protocol: str | None = None  # OpenSSL MinProtocol set system-wide
    services: list[TlsService] = Field(default_factory=list)  # installed servers only
    handshakes: list[TlsProbe] = Field(default_factory=list)  # filled by the engine's probe


_PARSERS: dict[str, Callable[[str], TlsService]] = {
    "nginx": services.parse_nginx,
    "apache": services.parse_apache,
    "postfix": services.parse_postfix,
    "dovecot": services.parse_dovecot,
    "mysql": services.parse_mysql,
}


def _output(outputs: Mapping[str, CommandOutput], key: str) -> str | None:
    """The snippet's stdout; None when the server is not installed; CollectionError on failure."""
    out = outputs.get(key)
    if out is None:
        raise CollectionError(f"{key}: no output")
    if out.missing:
        return None
    if out.rc != 0:
        hint = " (reading it needs root)" if "ermission denied" in out.stderr else ""
        raise CollectionError(f"{key}: the configuration could not be read{hint}", out.stderr)
    return out.stdout


def parse(outputs: Mapping[str, CommandOutput]) -> TlsFacts:
    policy, minimum = services.parse_system_minimum(require(outputs, "system").stdout)
    found: list[TlsService] = []
    for key, parser in _PARSERS.items():
        text = _output(outputs, key)
        if text is not None:
            found.append(parser(text))
    text = _output(outputs, "postgresql")
    if text is not None:
        found.extend(services.parse_postgresql(text))
    if minimum:  # OpenSSL refuses what is below the system minimum, whatever the server says
        floor = cfg.at_least(minimum)
        for service in found:
            service.protocols = [name for name in service.protocols if name in floor]
    return TlsFacts(crypto_policy=policy, system_min_protocol=minimum, services=found)


_NGINX = r"""command -v nginx >/dev/null 2>&1 || exit 127
nginx -v 2>&1 | head -n 1
out=$(nginx -T 2>&1) || { printf '%s\n' "$out" | tail -n 5 >&2; exit 3; }
printf '%s\n' "$out" \
  | grep -E '^# configuration file |^[[:space:]]*(ssl_protocols|ssl_ciphers|listen)[[:space:]]' \
  | head -n 5000"""
_APACHE = r"""command -v apache2 >/dev/null 2>&1 || command -v httpd >/dev/null 2>&1 || exit 127
for f in /etc/apache2/apache2.conf /etc/apache2/mods-enabled/*.conf \
  /etc/apache2/conf-enabled/*.conf /etc/apache2/sites-enabled/* /etc/httpd/conf/httpd.conf \
  /etc/httpd/conf.d/*.conf; do
  [ -f "$f" ] && awk -v f="$f" \
    'tolower($1) ~ /^(sslprotocol|sslciphersuite|sslengine)$/ {print f "\t" $0}' "$f"
done | head -n 5000
exit 0"""
_POSTFIX = r"""command -v postconf >/dev/null 2>&1 || exit 127
# one call; a name this Postfix does not know (chain_files before 3.4) is only warned about
postconf smtpd_tls_security_level smtpd_tls_protocols smtpd_tls_mandatory_protocols \
  smtpd_tls_ciphers smtpd_tls_mandatory_ciphers smtpd_tls_cert_file smtpd_tls_chain_files \
  2>/dev/null
exit 0"""
_DOVECOT = r"""command -v doveconf >/dev/null 2>&1 || exit 127
doveconf ssl || exit 3
doveconf ssl_min_protocol 2>/dev/null; doveconf ssl_cipher_list 2>/dev/null; exit 0"""
_MYSQL = r"""b=
for n in mariadbd mysqld; do command -v $n >/dev/null 2>&1 && { b=$n; break; }; done
[ -n "$b" ] || exit 127
echo "server $b"
for f in /etc/mysql/my.cnf /etc/mysql/mariadb.cnf /etc/mysql/conf.d/*.cnf \
  /etc/mysql/mariadb.conf.d/*.cnf /etc/mysql/mysql.conf.d/*.cnf /etc/my.cnf /etc/my.cnf.d/*.cnf; do
  [ -f "$f" ] && awk -v f="$f" '/^[[:space:]]*\[/ {s=$1}
    /^[[:space:]]*(tls[-_]version|ssl[-_]cipher|ssl[-_]cert)[[:space:]]*=/ {
      print f "\t" s "\t" $0}' "$f"
done | head -n 1000
exit 0"""
_POSTGRESQL = r"""found=
for f in /etc/postgresql/*/*/postgresql.conf /var/lib/postgresql/*/*/postgresql.auto.conf \
  /var/lib/pgsql/data/postgresql.conf /var/lib/pgsql/data/postgresql.auto.conf \
  /var/lib/pgsql/*/data/postgresql.conf /var/lib/pgsql/*/data/postgresql.auto.conf; do
  [ -f "$f" ] || continue; found=1; echo "file $f"
  grep -E '^[[:space:]]*(ssl|ssl_min_protocol_version|ssl_ciphers)[[:space:]]*=' "$f" | head -n 100
done
[ -n "$found" ] || exit 127"""
_SYSTEM = r"""p=/etc/crypto-policies/config
[ -r $p ] && echo "policy $(head -n 1 $p)"
grep -hiE '^[[:space:]]*(TLS\.)?MinProtocol[[:space:]]*=' /etc/ssl/openssl.cnf \
  /etc/pki/tls/openssl.cnf /etc/crypto-policies/back-ends/opensslcnf.config 2>/dev/null | head -n 10
exit 0"""

FACT = Fact(
    name="tls",
    linux={
        "system": _SYSTEM,
        "nginx": _NGINX,
        "apache": _APACHE,
        "postfix": _POSTFIX,
        "dovecot": _DOVECOT,
        "mysql": _MYSQL,
        "postgresql": _POSTGRESQL,
    },
    parse=parse,
)
