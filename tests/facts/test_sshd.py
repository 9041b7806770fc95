"""Sshd fact parsers against recorded `sshd -T` / `sshd -V` outputs (EL OpenSSH 8.0, Debian 12),
hostile input, and the snippets run for real on this machine."""

from __future__ import annotations

import pytest

from scanner.facts.base import CollectionError, CommandOutput
from scanner.facts.sshd import FACT, parse, parse_sshd_t, parse_sshd_version


def test_el_openssh80(recorded) -> None:
    settings, lists = parse_sshd_t(recorded("sshd/el_openssh80_sshd_T.txt"))
    assert settings["permitrootlogin"] == "yes"
    assert settings["passwordauthentication"] == "yes"
    assert settings["kbdinteractiveauthentication"] == "no"
    assert settings["challengeresponseauthentication"] == "no"
    assert settings["gssapikeyexchange"] == "no"
    assert settings["maxauthtries"] == "6"
    assert settings["logingracetime"] == "120"
    assert settings["loglevel"] == "INFO"
    assert settings["authorizedkeysfile"] == ".ssh/authorized_keys"
    assert settings["rekeylimit"] == "0 0"
    assert lists["ciphers"][-6:] == [
        "aes128-cbc", "aes192-cbc", "aes256-cbc", "blowfish-cbc", "cast128-cbc", "3des-cbc",
    ]  # fmt: skip
    assert lists["kexalgorithms"][-4:] == [
        "diffie-hellman-group-exchange-sha1",
        "diffie-hellman-group14-sha256",
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group1-sha1",
    ]
    assert lists["gssapikexalgorithms"] == [
        "gss-gex-sha1-",
        "gss-group1-sha1-",
        "gss-group14-sha1-",
    ]
    assert lists["macs"][0] == "umac-64-etm@openssh.com"
    assert lists["macs"][-1] == "hmac-sha1"
    assert lists["hostkey"] == [
        "/etc/ssh/ssh_host_rsa_key",
        "/etc/ssh/ssh_host_ecdsa_key",
        "/etc/ssh/ssh_host_ed25519_key",
    ]
    assert lists["listenaddress"] == ["[::]:22", "0.0.0.0:22"]
    assert lists["port"] == ["22"]
    assert len(lists["acceptenv"]) == 16
    assert lists["subsystem"] == ["sftp /usr/libexec/openssh/sftp-server"]
    assert not set(settings) & set(lists)


def test_debian12_default(recorded) -> None:
    settings, lists = parse_sshd_t(recorded("sshd/debian12_default_sshd_T.txt"))
    assert settings["permitrootlogin"] == "without-password"  # 9.2 prints the old name
    assert settings["x11forwarding"] == "yes"
    assert settings["usepam"] == "yes"
    assert "challengeresponseauthentication" not in settings
    assert lists["acceptenv"] == ["LANG", "LC_*"]
    assert lists["ciphers"] == [
        "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr",
        "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
    ]  # fmt: skip
    assert "hmac-sha1" in lists["macs"]
    assert lists["kexalgorithms"][0] == "sntrup761x25519-sha512"


def test_debian12_lab_like_configs(recorded) -> None:
    weak, weak_lists = parse_sshd_t(recorded("sshd/debian12_weak_sshd_T.txt"))
    assert weak["permitemptypasswords"] == "yes"
    assert weak["loglevel"] == "SILENT"  # LogLevel QUIET is printed as SILENT
    assert weak["ignorerhosts"] == "no"
    assert weak["maxauthtries"] == "10"
    assert weak_lists["ciphers"][-2:] == ["aes128-cbc", "3des-cbc"]
    assert weak_lists["macs"][-2:] == ["hmac-sha1", "hmac-md5"]
    assert weak_lists["kexalgorithms"][-1] == "diffie-hellman-group14-sha1"
    hardened, _ = parse_sshd_t(recorded("sshd/debian12_hardened_sshd_T.txt"))
    # the hardened config has "Match User backup / PasswordAuthentication yes": not evaluated
    assert hardened["passwordauthentication"] == "no"
    assert (hardened["clientaliveinterval"], hardened["clientalivecountmax"]) == ("300", "3")


def test_version(recorded) -> None:
    assert parse_sshd_version(recorded("sshd/debian12_sshd_V.txt")) == "OpenSSH_9.2"
    # OpenSSH < 9 has no -V: its version line comes between the complaint and the usage
    old = "sshd: illegal option -- V\nOpenSSH_7.4p1, OpenSSL 1.0.2k-fips  26 Jan 2017\nusage: sshd"
    assert parse_sshd_version(old) == "OpenSSH_7.4p1"
    assert parse_sshd_version("") is None
    assert parse_sshd_version("<b>OpenSSH_</b>") is None


def test_hostile_input() -> None:
    with pytest.raises(CollectionError, match="no settings"):
        parse_sshd_t("\x00\xff\x1b[31m<html><body>port 22</body></html>\n")
    with pytest.raises(CollectionError, match="more than 1 MB"):
        parse_sshd_t("port 22\n" * 200_000)
    settings, lists = parse_sshd_t(
        "port 22\nPermitRootLogin\tno\nloglevel INFO\x00\nx \n\nmacs ,,\n"
    )
    assert settings == {"permitrootlogin": "no"}  # keys lowercased; NUL and empty values skipped
    assert lists == {"port": ["22"], "macs": []}


def test_unknown_repeated_key_goes_to_lists() -> None:
    settings, lists = parse_sshd_t("newoption a\nnewoption b\nmaxsessions 10\n")
    assert settings == {"maxsessions": "10"}
    assert lists == {"newoption": ["a", "b"]}


def test_unexpected_exit_code_is_an_error() -> None:
    outputs = {"sshd_t": CommandOutput("", "/etc/ssh/sshd_config line 3: bad option\n", 255)}
    with pytest.raises(CollectionError, match="exited with 255") as caught:
        parse(outputs)
    assert "line 3" in caught.value.stderr


def test_snippets_run_on_this_machine(on_this_machine) -> None:
    """sshd installed and run as root: parsed; otherwise the documented outcomes only."""
    outputs = on_this_machine(FACT)
    try:
        facts = parse(outputs)
    except CollectionError as exc:  # not root, or sshd never started here (no /run/sshd)
        assert "needs root" in exc.message or "privilege separation" in exc.message, exc.message
        return
    if facts.installed:
        assert facts.settings["permitrootlogin"]
        assert facts.lists["ciphers"]
        assert facts.version and facts.version.startswith("OpenSSH_")
    else:
        assert outputs["sshd_t"].rc == 127
