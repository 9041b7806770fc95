"""The scan flow: plan the facts, collect them in one round trip per host, evaluate the rules."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from scanner import __version__
from scanner.attestations import Attestations
from scanner.collect import build_script, needed_facts, parse_facts, split_output
from scanner.connections import ConnectionFailure, ConnectOptions, run_script
from scanner.facts import Facts, FactsSnapshot
from scanner.models import ExitStatus, Finding, Host, HostResult, HostStatus, ScanRun, Status
from scanner.probes.tls import probe_tls, tls_probe_ports
from scanner.profiles import AUTO, Profile, load_profile
from scanner.rules import Rule, evaluate


@dataclass(frozen=True)
class Selection:
    """Which profile (or `auto`), which rule ids or areas only, and the operator's attestations."""

    profile: str = AUTO
    only: tuple[str, ...] = ()
    attestations: Attestations | None = None  # None: keep what the facts carry

    def profile_for(self, facts: Facts) -> Profile:
        if self.profile != AUTO:
            return load_profile(self.profile)
        role = facts.system.role if facts.system else "server"
        return load_profile("workstation" if role == "workstation" else "server")

    def rules_for(self, profile: Profile) -> list[Rule]:
        rules = profile.rules()
        if self.only:
            rules = [r for r in rules if r.id in self.only or r.area in self.only]
        return [r for r in rules if "linux" in r.meta.platforms]

    def all_fact_names(self) -> set[str]:
        """Every fact any candidate profile may need (the role is only known after collecting)."""
        profiles = ["server", "workstation"] if self.profile == AUTO else [self.profile]
        names: set[str] = set()
        for name in profiles:
            for rule in self.rules_for(load_profile(name)):
                names.update(rule.meta.facts)
        return names


@dataclass
class HostScan:
    """A host's result and, when it could be collected, its facts snapshot."""

    result: HostResult
    snapshot: FactsSnapshot | None = None


def with_attestations(
    facts: Facts, selection: Selection, host: str, groups: Sequence[str]
) -> Facts:
    """The facts with the attestations that apply to this host (from the selection, if given)."""
    if selection.attestations is None:
        return facts
    return facts.model_copy(update={"attestations": selection.attestations.for_host(host, groups)})


def evaluate_facts(name: str, address: str, facts: Facts, selection: Selection) -> HostResult:
    """Pure: the findings of one host from its facts (used by `scan` and by `evaluate`)."""
    profile = selection.profile_for(facts)
    findings = []
    for rule in selection.rules_for(profile):
        parameters = profile.parameters_for(rule)
        result = evaluate(rule, facts, parameters)
        meta = rule.meta
        findings.append(
            Finding(
                rule_id=rule.id,
                area=rule.area,
                title=meta.title.en,
                title_fr=meta.title.fr,
                severity=meta.severity,
                status=result.status,
                message=result.message,
                evidence=result.evidence,
                parameters=parameters,
                references=dict(meta.references),
                remediation=meta.remediation.manual,
                remediation_fr=meta.remediation.manual_fr,
                automated_fix=meta.remediation.ansible or meta.remediation.pyinfra,
            )
        )
    return HostResult(
        name=name,
        address=address,
        status=HostStatus.SCANNED,
        profile=profile.id,
        role=facts.system.role if facts.system else "",
        findings=findings,
    )


async def scan_host(host: Host, selection: Selection, options: ConnectOptions) -> HostScan:
    """Collect and evaluate one host; a connection failure is the host's result, not a raise."""
    address = host.address or host.name
    facts_to_collect = needed_facts(selection.all_fact_names())
    script, marker = build_script(facts_to_collect)
    started = time.monotonic()
    try:
        ran = await run_script(host, script, options)
    except ConnectionFailure as failure:
        status, reason = failure.status, failure.reason
        return HostScan(
            HostResult(
                name=host.name,
                address=address,
                status=status,
                reason=reason,
                duration_s=round(time.monotonic() - started, 3),
            )
        )
    stdout = ran.stdout.decode("utf-8", errors="replace")
    if f"{marker} start" not in stdout:
        reason = ran.stderr.decode("utf-8", errors="replace").strip()[:500] or f"exit {ran.rc}"
        return HostScan(
            HostResult(
                name=host.name,
                address=address,
                status=HostStatus.ERROR,
                reason=f"the collection script did not start: {reason}",
                duration_s=round(time.monotonic() - started, 3),
            )
        )
    facts = parse_facts(facts_to_collect, split_output(stdout, marker))
    if facts.tls is not None and (ports := tls_probe_ports(facts)):
        peer = ran.extra.get("peer_address") or (
            "127.0.0.1" if host.connection == "local" else address
        )
        facts.tls.handshakes = await probe_tls(peer, ports, options.connect_timeout)
    facts = with_attestations(facts, selection, host.name, host.groups)
    result = evaluate_facts(host.name, address, facts, selection)
    result.duration_s = round(time.monotonic() - started, 3)
    result.connections, result.round_trips = ran.connections, ran.round_trips
    snapshot = FactsSnapshot(
        host=host.name,
        address=address,
        groups=list(host.groups),
        collected_at=_now().isoformat(),
        facts=facts,
    )
    return HostScan(result, snapshot)


async def scan_fleet(
    hosts: Sequence[Host],
    selection: Selection,
    options: ConnectOptions,
    parallel: int = 10,
    on_host_done: Callable[[HostResult], None] | None = None,
) -> tuple[ScanRun, list[FactsSnapshot]]:
    """Scan hosts concurrently (at most `parallel` at once); results keep the inventory order."""
    started_at = _now()
    limit = asyncio.Semaphore(max(1, parallel))

    async def one(host: Host) -> HostScan:
        async with limit:
            scanned = await scan_host(host, selection, options)
        if on_host_done:
            on_host_done(scanned.result)
        return scanned

    scans = await asyncio.gather(*(one(host) for host in hosts))
    run = ScanRun(
        tool_version=__version__,
        started_at=started_at,
        finished_at=_now(),
        profile=selection.profile,
        hosts=[s.result for s in scans],
    )
    return run, [s.snapshot for s in scans if s.snapshot]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def exit_status(run: ScanRun) -> ExitStatus:
    """2 when a host or a rule could not be checked, else 1 when a rule failed, else 0."""
    statuses = {f.status for host in run.hosts for f in host.findings}
    if any(host.status is not HostStatus.SCANNED for host in run.hosts) or Status.ERROR in statuses:
        return ExitStatus.HOST_ERRORS
    if Status.FAIL in statuses:
        return ExitStatus.FINDINGS
    return ExitStatus.OK
