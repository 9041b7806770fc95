"""Inventories and targets: our parser against ansible-core's InventoryManager, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.inventory import InventoryError, load_inventory, parse_target, select
from scanner.models import Host

DATA = Path(__file__).parent / "data" / "inventories"
EXAMPLES = Path(__file__).parents[2] / "inventories"
VALID = (
    sorted(DATA.glob("fleet.*")) + sorted(EXAMPLES.glob("*.yml")) + sorted(EXAMPLES.glob("*.ini"))
)
LIMITS = ["web", "all:!db", "linux:&prod", "web0*", "~db-[ab].*", "web[0]", "linux[1:2]",
          "prod,control", "!web", "db-c.example.org", "linux,!prod,&web", "ungrouped"]  # fmt: skip
ANSIBLE_ONLY_VARS = {"inventory_file", "inventory_dir"}


def ansible_view(path: Path) -> tuple[dict, dict, object]:
    """Hosts -> (groups, merged vars) and groups -> hosts, as ansible-core sees the file."""
    manager_module = pytest.importorskip("ansible.inventory.manager")
    from ansible.inventory.helpers import get_group_vars
    from ansible.parsing.dataloader import DataLoader
    from ansible.utils.vars import combine_vars

    manager = manager_module.InventoryManager(loader=DataLoader(), sources=[str(path)])
    hosts = {}
    for host in manager.get_hosts():
        merged = combine_vars(get_group_vars(host.get_groups()), host.vars)
        groups = sorted(g.name for g in host.get_groups() if g.name != "all")
        hosts[host.name] = (groups, {k: v for k, v in merged.items() if k not in ANSIBLE_ONLY_VARS})
    members = {name: sorted(h.name for h in g.get_hosts()) for name, g in manager.groups.items()}
    return hosts, members, manager


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_same_hosts_groups_and_vars_as_ansible(path: Path) -> None:
    inventory = load_inventory(path)
    ansible_hosts, ansible_groups, _ = ansible_view(path)
    ours = {
        name: (list(host.groups), inventory.host_vars[name])
        for name, host in inventory.hosts.items()
    }
    assert ours == ansible_hosts
    assert {name: sorted(hosts) for name, hosts in inventory.groups.items()} == ansible_groups


@pytest.mark.parametrize("path", sorted(DATA.glob("fleet.*")), ids=lambda p: p.name)
@pytest.mark.parametrize("limit", LIMITS)
def test_limit_selects_what_ansible_selects(path: Path, limit: str) -> None:
    *_, manager = ansible_view(path)
    expected = sorted(host.name for host in manager.get_hosts(limit))  # type: ignore[attr-defined]
    assert sorted(host.name for host in select(load_inventory(path), limit)) == expected


@pytest.mark.parametrize("suffix", ["yml", "ini"])
def test_connection_fields_come_from_ansible_vars(suffix: str) -> None:
    hosts = load_inventory(DATA / f"fleet.{suffix}").hosts
    assert hosts["db-c.example.org"] == Host(
        name="db-c.example.org", address="10.0.0.30", user="dba",
        key_file=str(Path("~/.ssh/dba_ed25519").expanduser()), become=True,
        groups=("db", "linux", "prod"),
    )  # fmt: skip
    assert hosts["db-a.example.org"].port == 2222  # from `host:port`
    assert hosts["bastion.example.org"].port == 2201
    assert hosts["bastion.example.org"].groups == ("ungrouped",)
    assert not hosts["bastion.example.org"].become
    assert hosts["localhost"].connection == "local"
    assert not hosts["localhost"].become  # host var `no` beats nothing; group var absent
    assert hosts["web02.example.org"].user == "audit"  # from all's vars


@pytest.mark.parametrize("suffix", ["yml", "ini"])
def test_variable_precedence(suffix: str) -> None:
    inventory = load_inventory(DATA / f"fleet.{suffix}")
    web01 = inventory.host_vars["web01.example.org"]
    assert web01["site"] == "villeurbanne"  # child group (linux) beats all
    assert web01["role"] == "frontend"  # deeper group (web, depth 2) beats prod (depth 1)
    assert web01["backup_window"] == "day"  # same depth: dmz's priority 10 beats prod's 1
    assert inventory.host_vars["db-c.example.org"]["ansible_user"] == "dba"  # host beats groups


def test_ranges_expand_numbers_letters_and_steps() -> None:
    hosts = load_inventory(DATA / "fleet.ini").hosts
    assert {"web01.example.org", "web02.example.org", "web03.example.org"} <= set(hosts)
    assert {"db-a.example.org", "db-b.example.org"} <= set(hosts)
    assert {"web-8.example.org", "web-10.example.org"} <= set(hosts)
    assert "web-9.example.org" not in hosts


def test_ini_values_are_python_literals_when_they_parse() -> None:
    web01 = load_inventory(DATA / "fleet.ini").host_vars["web01.example.org"]
    assert web01["max_sessions"] == 3
    assert web01["backups"] == ["daily", "weekly"]
    assert web01["note"] == "a quoted value with spaces"


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad_indent.yml", 5, "expected"),
        ("bad_hosts_list.yml", 4, "hosts must be a mapping"),
        ("bad_key.yml", 4, "unexpected key 'host'"),
        ("bad_connection.yml", 3, "'winrm' is not supported"),
        ("bad_range.ini", 3, "host range [3:1:x]"),
        ("bad_section.ini", 4, "[web:hostvars] has an unknown type"),
        ("bad_vars.ini", 2, "expected key=value"),
        ("bad_undefined_child.ini", 6, "undefined group 'dbs'"),
    ],
)
def test_malformed_inventory_names_file_and_line(name: str, line: int, words: str) -> None:
    with pytest.raises(InventoryError) as error:
        load_inventory(DATA / name)
    assert str(error.value).startswith(f"{DATA / name}:{line}: ")
    assert words in str(error.value)


def test_group_cycle_and_missing_file_are_errors() -> None:
    with pytest.raises(InventoryError, match="bad_cycle.yml: group 'a' is its own ancestor"):
        load_inventory(DATA / "bad_cycle.yml")
    with pytest.raises(InventoryError, match="nope.yml: cannot read"):
        load_inventory(DATA / "nope.yml")


@pytest.mark.parametrize("limit", ["nosuchhost", "web,nosuchgroup", "all:!typo*", "web[7]"])
def test_limit_that_matches_nothing_is_an_error(limit: str) -> None:
    with pytest.raises(InventoryError, match="--limit"):
        select(load_inventory(DATA / "fleet.yml"), limit)


def test_limit_that_leaves_nothing_is_an_error() -> None:
    with pytest.raises(InventoryError, match="leaves no host"):
        select(load_inventory(DATA / "fleet.yml"), "web:&db")


def test_limit_from_file_and_no_limit(tmp_path: Path) -> None:
    inventory = load_inventory(DATA / "fleet.yml")
    (tmp_path / "retry").write_text("web01.example.org\ndb-c.example.org\n")
    names = [host.name for host in select(inventory, f"@{tmp_path / 'retry'}")]
    assert names == ["web01.example.org", "db-c.example.org"]
    assert select(inventory, None) == list(inventory.hosts.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("local", Host(name="local", connection="local")),
        ("web1", Host(name="web1")),
        ("web1.example.org:2222", Host(name="web1.example.org:2222", address="web1.example.org",
                                       port=2222)),
        ("admin@10.0.0.5", Host(name="10.0.0.5", user="admin")),
        ("admin@10.0.0.5:22", Host(name="10.0.0.5:22", address="10.0.0.5", port=22, user="admin")),
        ("ops@[2001:db8::1]:2200", Host(name="[2001:db8::1]:2200", address="2001:db8::1",
                                        port=2200, user="ops")),
        ("2001:db8::1", Host(name="2001:db8::1")),
        ("[::1]", Host(name="::1")),
        ("ssh://root@lab:2022", Host(name="lab:2022", address="lab", port=2022, user="root")),
    ],
)  # fmt: skip
def test_parse_target(text: str, expected: Host) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "web1:ssh", "web1:0", "web1:70000", "a b", "@", "[::1]:x"])
def test_bad_target_is_an_error(text: str) -> None:
    with pytest.raises(InventoryError, match="target"):
        parse_target(text)
