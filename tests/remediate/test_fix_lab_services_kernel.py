"""`hygie fix` of the services and kernel rules on real lab hosts, for each engine: weak host ->
preview (every rule would change, nothing did) -> apply -> re-scan passes but the lab limits ->
second apply changes nothing -> SSH still works with the same key and host keys -> testinfra sees
the state. Then the guards on the same host: a later sysctl file that would win, and a container
bridge that forwarding serves, make the fix refuse and change nothing.

Lab limits: a lab host's /proc/sys is read-only but for net.*, so kernel.* and fs.* keep the
machine's own values. The fix writes every drop-in and sets every net.* key; a kernel rule whose
kernel.*/fs.* value on this machine is not the one wanted keeps failing on "effective" alone
(here: kptr_restrict 0, no Yama ptrace_scope, protected_symlinks 0), and the test proves its
configured side. services_listening_allowed is manual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import testinfra

from scanner.lab.lab import Lab
from scanner.remediate import flow, playbooks_dir
from scanner.remediate.record import FixPlan, HostPlan, PlannedRule, Verdict
from scanner.rules import load_catalog
from tests.remediate import lab_support as support

sys.path.insert(0, str(playbooks_dir() / "pyinfra"))
from kernel import SPECS  # noqa: E402

pytestmark = [pytest.mark.lab, pytest.mark.timeout(1200)]
ENGINES = ["ansible", "pyinfra"]
TIMINGS: dict[str, float] = {}
CATALOG = load_catalog()
AREAS = support.SERVICES_KERNEL.split(",")
AUTOMATED = sorted(r.id for r in CATALOG.values() if r.area in AREAS and r.meta.remediation.ansible)
MANUAL = ["services_listening_allowed"]  # only a person knows which services a host needs


def ssh_works(ssh_config: Path, name: str) -> bool:
    done = subprocess.run(
        ["ssh", "-F", str(ssh_config), "-o", "BatchMode=yes", name, "true"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.returncode == 0


def read_only_keys(lab: Lab, name: str) -> set[str]:
    """The kernel.* and fs.* keys this lab host cannot write (or its kernel lacks)."""
    keys = [key for rule in AUTOMATED for key in _keys(rule) if not key.startswith("net.")]
    script = "".join(f"[ -w /proc/sys/{key.replace('.', '/')} ] || echo {key}\n" for key in keys)
    return set(lab.exec(name, ["sh", "-c", script]).stdout.split())


def _keys(rule_id: str) -> list[str]:
    """The sysctl keys a rule's fix writes (catalog parameters)."""
    if rule_id not in SPECS:
        return []
    parameters = CATALOG[rule_id].meta.parameters
    return [item.split("=", 1)[0] for item in SPECS[rule_id][1](**parameters)]


@pytest.mark.parametrize("engine", ENGINES)
def test_fix_brings_a_weak_host_to_pass(engine: str, lab: Lab, tmp_path: Path) -> None:
    name = f"svk-{engine}"
    lab.up({name: "weak"})  # one host at a time, stopped at the end
    try:
        _fix_and_check(engine, name, lab, tmp_path)
        _guards_refuse(engine, name, lab, tmp_path)
    finally:
        lab.stop(name)


def _fix_and_check(engine: str, name: str, lab: Lab, tmp_path: Path) -> None:
    support.weaken_services_kernel(lab, name)
    host_keys = lab.exec(name, ["sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub"]).stdout
    inventory, ssh_config = lab.inventory, lab.ssh_config
    scanned = tmp_path / "scan"
    assert support.scan(scanned, inventory, ssh_config, name, support.SERVICES_KERNEL) == 1
    before = support.statuses(scanned, name)
    assert {r: before[r] for r in [*AUTOMATED, *MANUAL]} == dict.fromkeys(
        [*AUTOMATED, *MANUAL], "fail"
    )
    common = ["--from", str(scanned), "-i", str(inventory), "--limit", name]
    common += ["--ssh-config", str(ssh_config), "--engine", engine]

    # preview: every planned rule would change, and nothing did
    assert support.fix(*common) in (0, 1)
    preview = support.last_fix(scanned)
    assert sorted(rule for _, rule in preview.plan.pairs()) == AUTOMATED
    assert [n.rule_id for n in preview.plan.not_attempted] == MANUAL
    verdicts = {o.rule_id: o.verdict for o in preview.preview.outcomes}
    assert verdicts == dict.fromkeys(AUTOMATED, Verdict.WOULD_CHANGE), verdicts
    assert all(o.diff for o in preview.preview.outcomes), "each preview says what changes"
    rescanned = tmp_path / "after-preview"
    support.scan(rescanned, inventory, ssh_config, name, support.SERVICES_KERNEL)
    assert support.statuses(rescanned, name) == before, "the preview changed the host"

    # apply, then the re-scan: everything passes but the lab limits
    assert support.fix(*common, "--apply", "--yes") in (0, 1)
    applied = support.last_fix(scanned)
    TIMINGS[f"{engine} preview"] = preview.preview.duration_s
    TIMINGS[f"{engine} apply"] = applied.apply.duration_s
    verdicts = {o.rule_id: o.verdict for o in applied.apply.outcomes}
    assert verdicts == dict.fromkeys(AUTOMATED, Verdict.CHANGED), verdicts
    read_only = read_only_keys(lab, name)
    lab_limits = sorted(r for r in AUTOMATED if read_only & set(_keys(r)))
    after = tmp_path / "after-apply"
    support.scan(after, inventory, ssh_config, name, support.SERVICES_KERNEL)
    found = support.findings(after, name)
    failing = sorted(r for r in AUTOMATED if found[r]["status"] != "pass")
    assert set(failing) <= set(lab_limits), failing
    assert sorted(applied.still_failing) == [f"{name} {r}" for r in failing]
    for rule_id in lab_limits:  # the configured side is proven: our drop-in wins for each key
        for key, seen in found[rule_id]["evidence"].items():
            assert seen["file"] == f"/etc/sysctl.d/99-zzz-hygie-{rule_id}.conf", (rule_id, key)
            if seen["effective"] != seen["configured"]:
                assert key in read_only, (rule_id, key)

    # idempotence: the same plan again changes nothing
    again = flow.run_engine(
        engine,
        applied.plan,
        support.reach(inventory, ssh_config, name),
        tmp_path / "again",
        preview=False,
    )
    assert {o.rule_id: o.verdict for o in again.outcomes} == dict.fromkeys(
        AUTOMATED, Verdict.UNCHANGED
    )

    # no lost access: same key, same host keys (strict checking), sudo still works
    assert ssh_works(ssh_config, name)
    assert lab.exec(name, ["sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub"]).stdout == host_keys
    host = testinfra.get_host(f"ssh://{name}", ssh_config=str(ssh_config), sudo=True)
    assert host.check_output("id -un") == "root"
    assert host.service("ssh").is_running
    for package in ("inetutils-telnetd", "telnetd", "tftpd-hpa"):
        assert not host.package(package).is_installed, package
    legacy_lines = "grep -qsE '^[[:space:]]*(telnet|tftp)[[:space:]]' /etc/inetd.conf"
    assert not host.run(legacy_lines).succeeded
    ports = host.check_output("ss -Htuln | awk '{ print $1, $5 }'")
    assert not [line for line in ports.splitlines() if line.endswith((":23", ":69"))], ports
    dropin = host.file("/etc/sysctl.d/99-zzz-hygie-kernel_network_ip_forwarding_disabled.conf")
    assert dropin.user == "root" and dropin.group == "root" and dropin.mode == 0o644
    assert dropin.contains("^net.ipv4.ip_forward = 0$")
    assert host.sysctl("net.ipv4.ip_forward") == 0
    # turning forwarding off made the kernel accept redirects again: the redirects rule's
    # drop-in, applied after it, wins
    assert host.sysctl("net.ipv4.conf.all.accept_redirects") == 0
    assert host.sysctl("net.ipv4.conf.all.rp_filter") == 1
    assert host.file("/etc/sysctl.d/99-zzz-hygie-kernel_aslr_enabled.conf").contains(
        "^kernel.randomize_va_space = 2$"
    )


def _guards_refuse(engine: str, name: str, lab: Lab, tmp_path: Path) -> None:
    """A later file that would win, and a container bridge: refused, nothing changed."""
    lab.exec(
        name,
        [
            "sh",
            "-c",
            "printf 'net.ipv4.tcp_syncookies = 0\\n' > "
            "/etc/sysctl.d/99-zzz-local.conf && ip link add docker0 type "
            "bridge && sysctl -q -w net.ipv4.ip_forward=1",
        ],
    )
    state = ["sh", "-c", "sha256sum /etc/sysctl.d/*; sysctl net.ipv4.ip_forward"]
    before = lab.exec(name, state).stdout
    plan = FixPlan(
        engine=engine,
        hosts=[
            HostPlan(
                host=name,
                rules=[
                    PlannedRule(
                        rule_id="kernel_network_ip_forwarding_disabled",
                        parameters={"forwarding_allowed": False},
                    ),
                    PlannedRule(rule_id="kernel_network_syncookies_enabled"),
                ],
            )
        ],
    )
    result = flow.run_engine(
        engine,
        plan,
        support.reach(lab.inventory, lab.ssh_config, name),
        tmp_path / "guards",
        preview=False,
    )
    outcomes = {o.rule_id: o for o in result.outcomes}
    assert {r: o.verdict for r, o in outcomes.items()} == dict.fromkeys(
        ["kernel_network_ip_forwarding_disabled", "kernel_network_syncookies_enabled"],
        Verdict.REFUSED,
    )
    assert "docker0" in outcomes["kernel_network_ip_forwarding_disabled"].message
    assert "99-zzz-local.conf" in outcomes["kernel_network_syncookies_enabled"].message
    assert lab.exec(name, state).stdout == before
    assert ssh_works(lab.ssh_config, name)


def test_report_timings() -> None:
    """Not a check: prints the measured wall times (pytest -s) for the notes."""
    for step, seconds in TIMINGS.items():
        print(f"hygie fix timing (services, kernel): {step} {seconds:.1f} s")
