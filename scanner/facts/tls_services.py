"""Parsers of the tls fact: each TLS server's configured protocols and cipher strings."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from scanner.facts import tls_config as cfg
from scanner.facts.base import CollectionError

MAX_OUTPUT = 2_000_000
# nginx before 1.23.4 enables TLSv1 and TLSv1.1 unless ssl_protocols says otherwise
_NGINX_VERSION = re.compile(r"nginx/(\d+)\.(\d+)\.(\d+)")
_PG_CLUSTER = re.compile(
    r"^/(?:etc|var/lib)/postgresql/([^/]+/[^/]+)/|^/var/lib/pgsql/(.*?)/?data/"
)
_MYSQL_SERVER_SECTIONS = re.compile(r"^\[(mysqld|mariadb|mariadbd|server)(-[0-9.]+)?\]$")


class TlsService(BaseModel):
    name: str  # nginx, apache, postfix, dovecot, mysql, mariadb, "postgresql 15/main"
    tls_enabled: bool  # the configuration serves TLS at all
    protocols: list[str] = Field(default_factory=list)  # allowed by the configuration
    ciphers: list[str] = Field(default_factory=list)  # cipher strings (or Postfix grades) set
    settings: list[str] = Field(default_factory=list)  # where the protocols come from


def _lines(text: str) -> list[str]:
    if len(text) > MAX_OUTPUT:
        raise CollectionError("a TLS configuration dump printed more than 2 MB")
    return [line for line in text.splitlines() if line.isprintable() or "\t" in line]


def _directive(line: str) -> tuple[str, str]:
    """(lowercased key, value) of `key value;`, `key = value` or `key=value`, comments cut."""
    body = line.split("#", 1)[0].strip().rstrip(";").strip()
    parts = re.split(r"\s*=\s*|\s+", body, maxsplit=1)
    value = parts[1] if len(parts) > 1 else ""
    return parts[0].lower().replace("-", "_"), value.strip().strip("'\"")


def parse_nginx(text: str) -> TlsService:
    """`nginx -v` line, then `# configuration file X:` and directive lines from `nginx -T`."""
    service = TlsService(name="nginx", tls_enabled=False)
    source = "?"
    major_minor_patch = (0, 0, 0)
    protocols: set[str] = set()
    for line in _lines(text):
        match = _NGINX_VERSION.search(line)
        if line.startswith("nginx version:") and match:
            major_minor_patch = (int(match[1]), int(match[2]), int(match[3]))
        elif line.startswith("# configuration file "):
            source = line.removeprefix("# configuration file ").rstrip(":")
        key, value = _directive(line)
        if key == "listen" and re.search(r"\b(ssl|quic)\b", value):
            service.tls_enabled = True
        elif key == "ssl_protocols":
            protocols |= set(cfg.nginx_protocols(value))
            service.settings.append(f"{source}: ssl_protocols {value}")
        elif key == "ssl_ciphers":
            service.ciphers.append(value)
    if not service.settings:
        old = major_minor_patch < (1, 23, 4)
        protocols = set(cfg.VERSIONS[2:] if old else cfg.VERSIONS[4:])
        version = ".".join(map(str, major_minor_patch))
        service.settings.append(f"ssl_protocols not set: nginx {version} default")
    service.protocols = [name for name in cfg.VERSIONS if name in protocols]
    return service


def parse_apache(text: str) -> TlsService:
    """`file<TAB>directive line` of SSLEngine, SSLProtocol, SSLCipherSuite from enabled files."""
    service = TlsService(name="apache", tls_enabled=False)
    protocols: set[str] = set()
    for line in _lines(text):
        source, _, directive = line.partition("\t")
        key, value = _directive(directive)
        if key == "sslengine" and value.lower() == "on":
            service.tls_enabled = True
        elif key == "sslprotocol":
            protocols |= set(cfg.apache_protocols(value))
            service.settings.append(f"{source}: SSLProtocol {value}")
        elif key == "sslciphersuite":
            service.ciphers.append(value.split()[-1] if value.split() else value)
    if not service.settings:
        protocols = set(cfg.apache_protocols("all -SSLv3"))
        service.settings.append("SSLProtocol not set: mod_ssl default 'all -SSLv3'")
    service.protocols = [name for name in cfg.VERSIONS if name in protocols]
    return service


def parse_postfix(text: str) -> TlsService:
    """`postconf` lines (`name = value`, defaults included) for the SMTP server's TLS."""
    values = {}
    for line in _lines(text):
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    if "smtpd_tls_security_level" not in values:
        raise CollectionError("postconf did not print smtpd_tls_security_level")
    has_cert = bool(values.get("smtpd_tls_cert_file") or values.get("smtpd_tls_chain_files"))
    service = TlsService(
        name="postfix", tls_enabled=has_cert and values["smtpd_tls_security_level"] != "none"
    )
    protocols: set[str] = set()
    for key in ("smtpd_tls_protocols", "smtpd_tls_mandatory_protocols"):
        protocols |= set(cfg.postfix_protocols(values.get(key, "")))
        service.settings.append(f"{key} = {values.get(key, '')}")
    service.protocols = [name for name in cfg.VERSIONS if name in protocols]
    for key in ("smtpd_tls_ciphers", "smtpd_tls_mandatory_ciphers"):
        if values.get(key):
            service.ciphers.append(values[key])
    return service


def parse_dovecot(text: str) -> TlsService:
    """`doveconf ssl ssl_min_protocol ssl_cipher_list` lines (`name = value`)."""
    values = dict(_directive(line) for line in _lines(text))
    if "ssl" not in values:
        raise CollectionError("doveconf did not print ssl")
    minimum = values.get("ssl_min_protocol", "")
    service = TlsService(name="dovecot", tls_enabled=values["ssl"] in ("yes", "required"))
    service.protocols = cfg.at_least(cfg.version(minimum) if minimum.upper() != "ANY" else None)
    service.settings.append(f"ssl_min_protocol = {minimum}")
    if values.get("ssl_cipher_list"):
        service.ciphers.append(values["ssl_cipher_list"])
    return service


def parse_mysql(text: str) -> TlsService:
    """`server mariadbd|mysqld`, then `file<TAB>[section]<TAB>line` of the TLS options."""
    lines = _lines(text)
    server = lines[0].removeprefix("server ") if lines and lines[0].startswith("server ") else ""
    if server not in ("mariadbd", "mysqld"):
        raise CollectionError("the MySQL/MariaDB snippet did not name the server")
    flavour = "mariadb" if server == "mariadbd" else "mysql"
    values: dict[str, tuple[str, str]] = {}
    for line in lines[1:]:
        source, _, rest = line.partition("\t")
        section, _, directive = rest.partition("\t")
        if _MYSQL_SERVER_SECTIONS.match(section.strip().lower()):
            key, value = _directive(directive)
            values[key] = (source, value)
    # MariaDB serves TLS only with a certificate; MySQL 8 makes its own at first start
    enabled = flavour == "mysql" or "ssl_cert" in values
    service = TlsService(name=flavour, tls_enabled=enabled)
    if "tls_version" in values:
        source, value = values["tls_version"]
        service.protocols = cfg.listed_protocols(value)
        service.settings.append(f"{source}: tls_version = {value}")
    else:
        default = "TLSv1.1,TLSv1.2,TLSv1.3" if flavour == "mariadb" else "TLSv1.2,TLSv1.3"
        service.protocols = cfg.listed_protocols(default)
        service.settings.append(f"tls_version not set: {flavour} default {default}")
    if "ssl_cipher" in values:
        service.ciphers.append(values["ssl_cipher"][1])
    return service


def parse_postgresql(text: str) -> list[TlsService]:
    """`file X` headers and their ssl settings; postgresql.auto.conf overrides per cluster."""
    clusters: dict[str, dict[str, tuple[str, str]]] = {}
    cluster = None
    for line in _lines(text):
        if line.startswith("file /"):
            match = _PG_CLUSTER.match(line[5:])
            cluster = (match[1] or match[2] or "data") if match else None
            source = line[5:]
            if cluster:
                clusters.setdefault(cluster, {})
            continue
        key, value = _directive(line)
        if cluster and key in ("ssl", "ssl_min_protocol_version", "ssl_ciphers"):
            clusters[cluster][key] = (source, value)
    services = []
    for name, values in sorted(clusters.items()):
        ssl_on = values.get("ssl", ("", "off"))[1].lower() in ("on", "true", "yes", "1")
        service = TlsService(name=f"postgresql {name}", tls_enabled=ssl_on)
        source, minimum = values.get("ssl_min_protocol_version", ("", ""))
        service.protocols = cfg.at_least(cfg.version(minimum) or "TLSv1.2")  # PG >= 12 default
        where = (
            f"{source}: ssl_min_protocol_version = {minimum}"
            if source
            else "ssl_min_protocol_version not set: PostgreSQL default TLSv1.2"
        )
        service.settings.append(where)
        if "ssl_ciphers" in values:
            service.ciphers.append(values["ssl_ciphers"][1])
        services.append(service)
    return services


def parse_system_minimum(text: str) -> tuple[str | None, str | None]:
    """(crypto policy, OpenSSL system MinProtocol) from `policy X` and `MinProtocol = V` lines."""
    policy, minimum = None, None
    for line in _lines(text):
        if line.startswith("policy "):
            policy = line.removeprefix("policy ").strip()[:40] or None
            continue
        key, value = _directive(line)
        found = cfg.version(value)
        if key not in ("minprotocol", "tls.minprotocol") or not found:
            continue
        if minimum is None or cfg.VERSIONS.index(found) > cfg.VERSIONS.index(minimum):
            minimum = found
    return policy, minimum
