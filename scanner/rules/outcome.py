"""Helpers that checks use to build their Result: passed, failed, not_applicable, manual."""

from __future__ import annotations

from typing import Any

from scanner.models import Result, Status


def passed(message: str, **evidence: Any) -> Result:
    return Result(status=Status.PASS, message=message, evidence=evidence)


def failed(message: str, **evidence: Any) -> Result:
    return Result(status=Status.FAIL, message=message, evidence=evidence)


def not_applicable(message: str, **evidence: Any) -> Result:
    return Result(status=Status.NOT_APPLICABLE, message=message, evidence=evidence)


def manual(message: str, **evidence: Any) -> Result:
    return Result(status=Status.MANUAL, message=message, evidence=evidence)


def error(message: str, **evidence: Any) -> Result:
    return Result(status=Status.ERROR, message=message, evidence=evidence)
