"""Scenario states, checked with testinfra over the generated ssh config: `weak` fails every
area of the baseline, `hardened` passes what the lab can make real (scenarios/README.md)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import testinfra

from scanner.lab import LabHost

pytestmark = pytest.mark.lab
DAY = 86400


@pytest.fixture(scope="module")
def weak(lab_hosts: dict[str, LabHost], lab_ssh_config: Path) -> testinfra.host.Host:
    return testinfra.get_host(
        f"ssh://{lab_hosts['weak'].name}", ssh_config=str(lab_ssh_config), sudo=True
    )


@pytest.fixture(scope="module")
def hardened(lab_hosts: dict[str, LabHost], lab_ssh_config: Path) -> testinfra.host.Host:
    return testinfra.get_host(
        f"ssh://{lab_hosts['hardened'].name}", ssh_config=str(lab_ssh_config), sudo=True
    )


def sshd(host: testinfra.host.Host) -> dict[str, str]:
    lines = host.check_output("sshd -T").splitlines()
    return {key: value for key, _, value in (line.partition(" ") for line in lines)}


def signature_age_days(host: testinfra.host.Host) -> float:
    header = host.check_output("head -c 512 /var/lib/clamav/daily.cud").split(":")
    assert header[0] == "ClamAV-VDB"
    return (time.time() - int(header[8].split()[0])) / DAY


def newest_list_age_days(host: testinfra.host.Host) -> float:
    newest = host.check_output("stat -c %Y /var/lib/apt/lists/*Release | sort -n | tail -1")
    return (time.time() - int(newest)) / DAY


def pending_security_updates(host: testinfra.host.Host) -> int:
    out = host.check_output("apt-get -s -o Debug::NoLocking=1 upgrade")
    return sum(1 for line in out.splitlines() if line.startswith("Inst ") and "-security" in line)


def test_weak_ssh(weak: testinfra.host.Host) -> None:
    config = sshd(weak)
    assert config["permitrootlogin"] == "yes"
    assert config["passwordauthentication"] == "yes"
    assert config["permitemptypasswords"] == "yes"
    assert {"aes128-cbc", "3des-cbc"} <= set(config["ciphers"].split(","))
    assert {"hmac-sha1", "hmac-md5"} <= set(config["macs"].split(","))
    assert "diffie-hellman-group14-sha1" in config["kexalgorithms"].split(",")
    assert config["maxauthtries"] == "10"
    assert config["x11forwarding"] == "yes"
    assert (config["hostbasedauthentication"], config["ignorerhosts"]) == ("yes", "no")
    assert (config["logingracetime"], config["clientaliveinterval"]) == ("600", "0")
    assert config["loglevel"] == "SILENT"  # how `sshd -T` spells LogLevel QUIET


def test_weak_firewall(weak: testinfra.host.Host) -> None:
    assert weak.check_output("nft list ruleset").strip() == ""
    for unit in ("nftables", "ufw"):
        assert not weak.service(unit).is_enabled
    assert "ENABLED=no" in weak.file("/etc/ufw/ufw.conf").content_string


def test_weak_antivirus(weak: testinfra.host.Host) -> None:
    assert weak.package("clamav-daemon").is_installed  # antivirus_installed passes on weak
    for unit in ("clamav-daemon", "clamav-freshclam"):
        assert not weak.service(unit).is_running
        assert not weak.service(unit).is_enabled
    assert signature_age_days(weak) > 40
    # the aged database still loads and detects
    scan = weak.run("clamscan --no-summary /usr/local/share/hygie-lab/clamav/eicar.com")
    assert scan.rc == 1 and "FOUND" in scan.stdout


def test_weak_patches(weak: testinfra.host.Host) -> None:
    assert pending_security_updates(weak) > 0
    assert newest_list_age_days(weak) > 50
    assert "Upgrade:" not in weak.file("/var/log/apt/history.log").content_string
    assert (
        'Unattended-Upgrade "0"' in weak.file("/etc/apt/apt.conf.d/20auto-upgrades").content_string
    )
    assert weak.file("/run/reboot-required").exists


def test_hardened_ssh(hardened: testinfra.host.Host) -> None:
    config = sshd(hardened)
    assert config["permitrootlogin"] == "no"
    assert config["passwordauthentication"] == "no"
    assert config["permitemptypasswords"] == "no"
    assert not {c for c in config["ciphers"].split(",") if "cbc" in c}
    assert all("etm" in mac and "sha2" in mac for mac in config["macs"].split(","))
    assert all("sha1" not in kex for kex in config["kexalgorithms"].split(","))
    assert int(config["maxauthtries"]) <= 4
    assert config["x11forwarding"] == "no"
    assert (config["hostbasedauthentication"], config["ignorerhosts"]) == ("no", "yes")
    assert int(config["logingracetime"]) <= 60
    assert 1 <= int(config["clientaliveinterval"]) <= 900
    assert config["loglevel"] == "VERBOSE"


def test_hardened_firewall(hardened: testinfra.host.Host) -> None:
    ruleset = hardened.check_output("nft list ruleset")
    assert "table inet filter" in ruleset
    assert "type filter hook input priority filter; policy drop;" in ruleset
    assert hardened.service("nftables").is_enabled


def test_hardened_antivirus(hardened: testinfra.host.Host) -> None:
    for unit in ("clamav-daemon", "clamav-freshclam"):
        assert hardened.service(unit).is_running, unit
        assert hardened.service(unit).is_enabled, unit
    assert signature_age_days(hardened) < 1
    hardened.run("cp /usr/local/share/hygie-lab/clamav/eicar.com /tmp/eicar.com")
    scan = hardened.run("clamdscan --fdpass --no-summary /tmp/eicar.com")
    assert scan.rc == 1 and "FOUND" in scan.stdout


def test_hardened_patches(hardened: testinfra.host.Host) -> None:
    assert pending_security_updates(hardened) == 0
    assert newest_list_age_days(hardened) < 7
    history = hardened.file("/var/log/apt/history.log").content_string
    assert "Upgrade:" in history and time.strftime("%Y-%m-%d") in history
    periodic = hardened.file("/etc/apt/apt.conf.d/20auto-upgrades").content_string
    assert 'Update-Package-Lists "1"' in periodic and 'Unattended-Upgrade "1"' in periodic
    for timer in ("apt-daily.timer", "apt-daily-upgrade.timer"):
        assert hardened.service(timer).is_enabled and hardened.service(timer).is_running
    assert hardened.package("unattended-upgrades").is_installed
    assert not hardened.file("/run/reboot-required").exists


def test_hardened_luks_container_listed(hardened: testinfra.host.Host) -> None:
    assert hardened.run("cryptsetup isLuks /srv/vault.img").rc == 0
    assert hardened.file("/etc/crypttab").contains("^vault /srv/vault.img")


def test_hardened_sshd_config_is_valid_and_services_healthy(hardened: testinfra.host.Host) -> None:
    assert hardened.run("sshd -t").rc == 0
    assert hardened.check_output("systemctl --failed --no-legend --plain") == ""


def test_weak_other_areas(weak: testinfra.host.Host) -> None:
    assert weak.file("/etc/profile.d/tmout.sh").contains("^TMOUT=3600$")
    assert "pam_pwquality" not in weak.file("/etc/pam.d/common-password").content_string
    assert weak.user("toor").uid == 0
    assert weak.check_output("getent shadow guest").split(":")[1] == ""
    assert weak.check_output("getent shadow legacy").split(":")[1].startswith("$1$")
    assert (weak.file("/etc/shadow").mode, weak.file("/etc/passwd").mode) == (0o644, 0o666)
    assert weak.run("visudo -cq").rc == 0
    assert weak.service("autofs").is_enabled
    assert not weak.package("auditd").is_installed
    assert not weak.service("chrony").is_enabled and not weak.service("chrony").is_running
    assert weak.service("inetd").is_running and weak.socket("tcp://0.0.0.0:23").is_listening
    assert weak.socket("tcp://0.0.0.0:80").is_listening
    assert weak.check_output("cat /proc/sys/net/ipv4/ip_forward") == "1"
    # the weak TLS server really completes a TLS 1.0 handshake (security level 0)
    handshake = weak.run(
        "openssl s_client -connect 127.0.0.1:443 -tls1 -cipher DEFAULT:@SECLEVEL=0 </dev/null"
    )
    assert handshake.rc == 0 and "Protocol  : TLSv1\n" in handshake.stdout


def test_hardened_other_areas(hardened: testinfra.host.Host) -> None:
    assert hardened.file("/etc/profile.d/tmout.sh").contains("^readonly TMOUT$")
    assert "pam_faillock.so preauth" in hardened.file("/etc/pam.d/common-auth").content_string
    assert hardened.run("faillock --user hygie").rc == 0  # no failure recorded for the lab user
    assert hardened.check_output("getent shadow root").split(":")[1].startswith("!")
    assert hardened.run("visudo -cq").rc == 0
    assert hardened.file("/etc/ssh/sshd_config").mode == 0o600
    assert hardened.service("auditd").is_enabled  # enabled; it cannot run here (README.md)
    assert hardened.file("/etc/audit/audit.rules").contains("-k identity")
    for unit in ("chrony", "nginx", "rsyslog"):
        assert hardened.service(unit).is_enabled and hardened.service(unit).is_running, unit
    assert not hardened.service("autofs").is_enabled
    assert not hardened.package("openbsd-inetd").is_installed
    assert not hardened.socket("tcp://0.0.0.0:80").is_listening
    assert hardened.socket("tcp://0.0.0.0:443").is_listening
    assert hardened.check_output("cat /proc/sys/net/ipv4/tcp_syncookies") == "1"
    refused = hardened.run("openssl s_client -connect 127.0.0.1:443 -tls1_1 </dev/null")
    assert refused.rc != 0
    assert hardened.file("/var/backups/rsnapshot/alpha.0/localhost/etc/hostname").exists
    assert hardened.check_output("find /var/log -type f -perm /o+w") == ""
