"""The services and kernel deploys agree with their Ansible twins: the same sysctl specs from the
same parameters, the same drop-in bytes (the role's template), the same inetd.conf edit; and the
kernel rules' shared steps (tasks/kernel/) follow the house rules. Checked by running
ansible-playbook locally on scratch files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from scanner.rules import load_catalog
from tests.remediate.engines import DEFAULTS, pyinfra_module, run_playbook
from tests.remediate.playbook_files import ROLE, TASKS, module_of, tasks

kernel, services = pyinfra_module("kernel"), pyinfra_module("services")

CATALOG = load_catalog()
KERNEL_RULES = sorted(rule.id for rule in CATALOG.values() if rule.area == "kernel")
OTHER_PARAMETERS = {  # besides the catalog defaults
    "kernel_network_rp_filter_enabled": {"allowed_values": [2, 1]},
    "kernel_pointer_and_dmesg_restricted": {"min_kptr_restrict": 2},
    "kernel_ptrace_restricted": {"min_ptrace_scope": 2},
}
INETD = (
    "# /etc/inetd.conf\n\n"
    "telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/usr/sbin/in.telnetd\n"
    "  shell stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.rshd\n"
    "#login stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.rlogind\n"
    "#<off># ftp stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.ftpd\n"
    "telnets stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.telnetd\n"
    "exec stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.rexecd\n"
    "daytime stream tcp nowait root internal\n"
    "tftp dgram udp wait nobody /usr/sbin/tcpd /usr/sbin/in.tftpd /srv/tftp"
)


def sysctl_spec_of(rule_id: str) -> list[str]:
    """The raw (templated) hygie_linux_sysctl_spec the rule's tasks file passes to the steps."""
    imports = [t for t in tasks(TASKS / f"{rule_id}.yml") if "ansible.builtin.import_tasks" in t]
    assert [t["ansible.builtin.import_tasks"] for t in imports] == ["kernel/sysctl_dropin.yml"]
    assert imports[0]["vars"]["hygie_linux_rule"] == rule_id
    return imports[0]["vars"]["hygie_linux_sysctl_spec"]


def cases() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for rule_id in KERNEL_RULES:
        found.append((rule_id, dict(CATALOG[rule_id].meta.parameters)))
        if rule_id in OTHER_PARAMETERS:
            found.append((rule_id, OTHER_PARAMETERS[rule_id]))
    return found


def test_sysctl_specs_dropins_and_inetd_edit_match_ansible(tmp_path: Path) -> None:
    play: list[dict[str, Any]] = []
    for index, (rule_id, parameters) in enumerate(cases()):
        variables = {f"hygie_linux_{rule_id}_{name}": value for name, value in parameters.items()}
        variables["spec"] = sysctl_spec_of(rule_id)
        play.append(
            {
                "ansible.builtin.copy": {
                    "dest": str(tmp_path / f"spec-{index}.json"),
                    "content": "{{ spec | to_json }}",
                },
                "vars": variables,
            }
        )
    settings = [["net.ipv4.ip_forward", "0"], ["kernel.kptr_restrict", "2"]]
    play.append(
        {
            "ansible.builtin.template": {
                "src": str(ROLE / "templates" / "sysctl_dropin.conf.j2"),
                "dest": str(tmp_path / "dropin.conf"),
            },
            "vars": {
                "hygie_linux_sysctl_rule": "kernel_x",
                "hygie_linux_sysctl_settings": settings,
            },
        }
    )
    (tmp_path / "inetd.conf").write_text(INETD)
    play.append(
        {
            "ansible.builtin.replace": {
                "path": str(tmp_path / "inetd.conf"),
                "regexp": DEFAULTS["hygie_linux_services_inetd_line"],
                "replace": "#<off># \\1",
            }
        }
    )
    run_playbook(tmp_path, play)

    for index, (rule_id, parameters) in enumerate(cases()):
        ansible_spec = json.loads((tmp_path / f"spec-{index}.json").read_text())
        assert ansible_spec == kernel.SPECS[rule_id][1](**parameters), (rule_id, parameters)
    assert (tmp_path / "dropin.conf").read_text() == kernel.render_dropin("kernel_x", settings)
    edited = (tmp_path / "inetd.conf").read_text()
    assert edited == services.inetd_disabled(INETD)
    assert "#<off># telnet\t" in edited and "#<off>#   shell" in edited
    assert "\ntelnets " in edited and "\ndaytime " in edited and "#<off># #<off># " not in edited


def test_every_kernel_rule_uses_the_shared_steps_with_its_own_dropin() -> None:
    assert sorted(kernel.SPECS) == KERNEL_RULES
    for rule_id in KERNEL_RULES:
        assert sysctl_spec_of(rule_id)
        code = kernel.SPECS[rule_id][1].__code__
        assert list(CATALOG[rule_id].meta.parameters) == list(code.co_varnames[: code.co_argcount])


def test_shared_kernel_steps_follow_the_house_rules() -> None:
    for path in (TASKS / "kernel").glob("*.yml"):
        for task in tasks(path):
            assert task["name"].endswith("| {{ hygie_linux_rule }}"), task["name"]
            assert module_of(task).startswith("ansible.builtin."), task["name"]
            if module_of(task) in ("ansible.builtin.script", "ansible.builtin.shell"):
                assert task.get("check_mode") is False and task.get("changed_when") is False


def test_sysctl_state_reads_this_machine_without_changing_it() -> None:
    script = ROLE / "files" / "sysctl_state.sh"
    done = subprocess.run(
        [
            "sh",
            str(script),
            "99-zzz-hygie-kernel_x.conf",
            "net.ipv4.tcp_syncookies=eq:1",
            "kernel.randomize_va_space=ge:1",
            "net.ipv4.conf.all.rp_filter=in:1,2",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    state = json.loads(done.stdout)
    assert set(state) == {"settings", "apply", "readonly", "later"}
    settings = dict(state["settings"])
    assert settings["net.ipv4.tcp_syncookies"] == "1"
    aslr = Path("/proc/sys/kernel/randomize_va_space").read_text().strip()
    assert settings["kernel.randomize_va_space"] == max(aslr, "1")  # never weakened
    assert settings["net.ipv4.conf.all.rp_filter"] in ("1", "2")
