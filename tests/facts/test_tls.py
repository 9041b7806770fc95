"""tls parsers against the nginx, Apache, Postfix, Dovecot and PostgreSQL outputs recorded on the
Debian 12 dev machine, written MariaDB/RHEL shapes, syntax edge cases, hostile input, and the
snippets run here."""

from __future__ import annotations

import pytest

from scanner.facts import tls_config as cfg
from scanner.facts import tls_services as services
from scanner.facts.base import CollectionError, CommandOutput
from scanner.facts.tls import FACT, parse


def test_nginx_debian12(recorded) -> None:
    nginx = services.parse_nginx(recorded("tls/debian12_nginx_T_tls_on.txt"))
    assert nginx.tls_enabled
    assert nginx.protocols == ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    assert nginx.settings == ["/etc/nginx/nginx.conf: ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"]
    assert nginx.ciphers == ["HIGH:MEDIUM:3DES:!aNULL"]


def test_nginx_default_depends_on_version() -> None:
    old = services.parse_nginx("nginx version: nginx/1.22.1\n    listen 443 ssl;\n")
    new = services.parse_nginx("nginx version: nginx/1.24.0\n    listen 443 quic reuseport;\n")
    assert old.protocols == ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    assert new.protocols == ["TLSv1.2", "TLSv1.3"]
    assert new.settings == ["ssl_protocols not set: nginx 1.24.0 default"]


def test_apache_postfix_dovecot_postgresql_debian12(recorded) -> None:
    apache = services.parse_apache(recorded("tls/debian12_apache_ssl_enabled.txt"))
    assert (apache.tls_enabled, apache.protocols, apache.ciphers) == (
        True, ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"], ["HIGH:!aNULL"],
    )  # fmt: skip
    postfix = services.parse_postfix(recorded("tls/debian12_postconf_tls_may.txt"))
    assert postfix.tls_enabled and postfix.ciphers == ["medium", "medium"]
    assert postfix.protocols == ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    dovecot = services.parse_dovecot(recorded("tls/debian12_doveconf_default.txt"))
    assert (dovecot.tls_enabled, dovecot.protocols) == (True, ["TLSv1.2", "TLSv1.3"])
    clusters = services.parse_postgresql(recorded("tls/debian12_postgresql15_ssl_off.txt"))
    assert [(c.name, c.tls_enabled, c.protocols) for c in clusters] == [
        ("postgresql 15/main", False, ["TLSv1.2", "TLSv1.3"])
    ]


def test_mariadb_sections_and_rhel_postgresql() -> None:
    # written for the test: Debian mariadb.conf.d layout; a [client] ssl-cert must not count
    mysql = services.parse_mysql(
        "server mariadbd\n/etc/mysql/mariadb.conf.d/50-client.cnf\t[client]\tssl-cert=/x.pem\n"
    )
    assert (mysql.name, mysql.tls_enabled, mysql.protocols[0]) == ("mariadb", False, "TLSv1.1")
    mysql = services.parse_mysql(
        "server mariadbd\n/etc/mysql/mariadb.conf.d/50-server.cnf\t[mysqld]\tssl_cert = /c.pem\n"
        "/etc/mysql/mariadb.conf.d/50-server.cnf\t[mariadb]\ttls_version = TLSv1.2,TLSv1.3\n"
    )
    assert (mysql.tls_enabled, mysql.protocols) == (True, ["TLSv1.2", "TLSv1.3"])
    # written for the test: RHEL 9 data directory, ALTER SYSTEM override in postgresql.auto.conf
    clusters = services.parse_postgresql(
        "file /var/lib/pgsql/data/postgresql.conf\nssl = on\nssl_min_protocol_version = 'TLSv1'\n"
        "file /var/lib/pgsql/data/postgresql.auto.conf\nssl_min_protocol_version = 'TLSv1.3'\n"
    )
    assert [(c.name, c.tls_enabled, c.protocols) for c in clusters] == [
        ("postgresql data", True, ["TLSv1.3"])
    ]


def test_system_minimum_rhel9_crypto_policy() -> None:
    # written for the test: RHEL 9 DEFAULT policy back-end (opensslcnf.config) lines
    text = "policy DEFAULT\nMinProtocol = TLSv1.2\nTLS.MinProtocol = TLSv1.2\n"
    assert services.parse_system_minimum(text) == ("DEFAULT", "TLSv1.2")
    outputs = {key: CommandOutput("", "", 127) for key in FACT.linux}
    outputs["system"] = CommandOutput(text)
    outputs["apache"] = CommandOutput("/etc/httpd/conf.d/ssl.conf\tSSLEngine on\n")
    facts = parse(outputs)
    assert [(s.name, s.protocols) for s in facts.services] == [("apache", ["TLSv1.2", "TLSv1.3"])]


def test_protocol_syntaxes_and_weak_ciphers() -> None:
    assert cfg.apache_protocols("all -SSLv3 -TLSv1 -TLSv1.1") == ["TLSv1.2", "TLSv1.3"]
    assert cfg.apache_protocols("TLSv1.2") == ["TLSv1.2"]
    assert cfg.postfix_protocols("!SSLv2, !SSLv3, !TLSv1, !TLSv1.1") == ["TLSv1.2", "TLSv1.3"]
    assert cfg.postfix_protocols(">=TLSv1 <=TLSv1.2") == ["TLSv1", "TLSv1.1", "TLSv1.2"]
    assert cfg.weak_cipher_words("HIGH:MEDIUM:+3DES:!aNULL") == ["+3DES"]
    assert cfg.weak_cipher_words("ECDHE+AESGCM:!aNULL:!MD5:-RC4") == []
    assert cfg.weak_cipher_words("DES-CBC3-SHA:RC4-MD5:EXP-RC4-MD5:ADH-AES128-SHA:DEFAULT") == [
        "DES-CBC3-SHA", "RC4-MD5", "EXP-RC4-MD5", "ADH-AES128-SHA",
    ]  # fmt: skip
    assert cfg.weak_cipher_words("DEFAULT:@SECLEVEL=0") == ["@SECLEVEL=0"]


def test_failures_and_hostile_input() -> None:
    outputs = {key: CommandOutput("", "", 127) for key in FACT.linux}
    outputs["system"] = CommandOutput("")
    outputs["nginx"] = CommandOutput(
        "", 'open() "/run/nginx.pid" failed (13: Permission denied)', 3
    )
    with pytest.raises(CollectionError, match="needs root"):
        parse(outputs)
    junk = "\x00\xff<html>\n listen 443 <b>ssl</b>;\nssl_protocols <script>;\n"
    nginx = services.parse_nginx(junk)
    assert nginx.protocols == []  # nothing recognised: no version allowed, nothing invented
    with pytest.raises(CollectionError, match="more than 2 MB"):
        services.parse_apache("x\tSSLEngine on\n" * 200_000)
    with pytest.raises(CollectionError, match="smtpd_tls_security_level"):
        services.parse_postfix("<html></html>")


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    outputs = on_this_machine(FACT)
    facts = parse(outputs)  # as root on the dev machine: every installed server is readable
    assert all(set(s.protocols) <= set(cfg.VERSIONS) for s in facts.services)
    assert facts.handshakes == []
