"""Checks of the organisation rules: each reads the host's attestation of one measure.
No attestation gives `manual`; "yes" and recent enough passes; "no", "partial" or too old fails."""

from __future__ import annotations

from scanner.facts import Facts
from scanner.models import Result
from scanner.rules.outcome import failed, manual, passed


def _attested(facts: Facts, control: str, needed: str, max_age_days: int) -> Result:
    attestation = facts.attestations.answer_for(control)
    if attestation is None:
        return manual(f"attestation needed: {needed}", control=control)
    evidence = {
        "answer": attestation.answer,
        "by": attestation.by,
        "date": attestation.date.isoformat(),
        "evidence": attestation.evidence,
        "scope": attestation.scope_label(),
    }
    if attestation.comment:
        evidence["comment"] = attestation.comment
    age_days = (facts.attestations.reference_day() - attestation.date).days
    if age_days < 0:
        return failed(f"attestation dated {attestation.date}, in the future", **evidence)
    if age_days > max_age_days:
        return failed(
            f"attestation from {attestation.date} is older than {max_age_days} days", **evidence
        )
    if attestation.answer != "yes":
        return failed(f"attested {attestation.answer!r} by {attestation.by}", **evidence)
    return passed(f"attested by {attestation.by} on {attestation.date}", **evidence)


def organisation_premises_access_controlled(facts: Facts, max_attestation_age_days: int) -> Result:
    """Passes when a recent attestation says server rooms and premises have controlled access."""
    return _attested(
        facts, "organisation_premises_access_controlled",
        "server and technical rooms locked, entry restricted to authorised people, alarms tested",
        max_attestation_age_days,
    )


def organisation_premises_video_monitored(facts: Facts, max_attestation_age_days: int) -> Result:
    """Passes when a recent attestation says sensitive premises are under video surveillance."""
    return _attested(
        facts, "organisation_premises_video_monitored",
        "entrances of server rooms and sensitive premises monitored, recordings kept and reviewed",
        max_attestation_age_days,
    )


def organisation_staff_security_trained(facts: Facts, max_attestation_age_days: int) -> Result:
    """Passes when a recent attestation says staff followed security awareness and training."""
    return _attested(
        facts, "organisation_staff_security_trained",
        "every person handling health data followed security awareness in the last year",
        max_attestation_age_days,
    )


def organisation_health_professional_card_used(
    facts: Facts, max_attestation_age_days: int
) -> Result:
    """Passes when a recent attestation says professionals log in with their CPS/e-CPS."""
    return _attested(
        facts, "organisation_health_professional_card_used",
        "health professionals log in to health-data applications with their CPS or e-CPS",
        max_attestation_age_days,
    )


def organisation_session_lock_practised(facts: Facts, max_attestation_age_days: int) -> Result:
    """Passes when a recent attestation says users lock their session when they step away."""
    return _attested(
        facts, "organisation_session_lock_practised",
        "users lock their session whenever they leave their workstation (rule taught and checked)",
        max_attestation_age_days,
    )


def organisation_processors_gdpr_compliant(facts: Facts, max_attestation_age_days: int) -> Result:
    """Passes when a recent attestation says processors are bound by GDPR art. 28 and checked."""
    return _attested(
        facts, "organisation_processors_gdpr_compliant",
        "every processor has a GDPR art. 28 contract and its guarantees were checked",
        max_attestation_age_days,
    )


def organisation_hosting_hds_certified(facts: Facts, max_attestation_age_days: int) -> Result:
    """Passes when a recent attestation says every host of health data holds a valid HDS
    certificate."""
    return _attested(
        facts, "organisation_hosting_hds_certified",
        "every provider hosting health data holds a valid HDS certificate for the services used",
        max_attestation_age_days,
    )
