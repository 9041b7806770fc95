"""Profiles: which rules a kind of host is held to, and with which parameter values."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.rules import Rule, Titles, load_catalog

AUTO = "auto"  # pick `server` or `workstation` from the host's detected role


class ProfileError(Exception):
    """A profile file that cannot be used (unknown rule, bad parameter, bad YAML)."""


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: Titles
    description: str = ""
    extends: str | None = None  # a tailoring file starts from a built-in profile
    include: list[str] = Field(default_factory=lambda: ["*"])  # rule ids, areas, or "*"
    exclude: list[str] = Field(default_factory=list)
    parameters: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def rules(self) -> list[Rule]:
        """The rules this profile selects, in catalog order."""
        return [rule for rule in load_catalog().values() if self.selects(rule)]

    def selects(self, rule: Rule) -> bool:
        def match(patterns: list[str]) -> bool:
            return any(p in ("*", rule.id, rule.area) for p in patterns)

        return match(self.include) and not match(self.exclude)

    def parameters_for(self, rule: Rule) -> dict[str, Any]:
        return {**rule.meta.parameters, **self.parameters.get(rule.id, {})}


def builtin_profiles() -> list[str]:
    folder = resources.files("scanner.profiles")
    return sorted(p.name.removesuffix(".yml") for p in folder.iterdir() if p.name.endswith(".yml"))


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a profile YAML file by path."""
    if name_or_path in builtin_profiles():
        source = f"profiles/{name_or_path}.yml"
        text = resources.files("scanner.profiles").joinpath(f"{name_or_path}.yml").read_text()
    else:
        path = Path(name_or_path)
        if not path.is_file():
            known = ", ".join([AUTO, *builtin_profiles()])
            raise ProfileError(f"unknown profile {name_or_path!r} (built-in: {known}; or a file)")
        source, text = str(path), path.read_text(encoding="utf-8")
    try:
        profile = Profile.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise ProfileError(f"{source}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "profile"
        raise ProfileError(f"{source}: {where}: {first['msg']}") from exc
    if profile.extends:
        profile = _tailor(profile, source)
    _check(profile, source)
    return profile


def _tailor(tailoring: Profile, source: str) -> Profile:
    """A tailoring file on top of its base: own include replaces, exclude and parameters add."""
    if tailoring.extends not in builtin_profiles():
        known = ", ".join(builtin_profiles())
        raise ProfileError(f"{source}: extends {tailoring.extends!r}: not a built-in ({known})")
    base = load_profile(tailoring.extends)
    parameters = {k: dict(v) for k, v in base.parameters.items()}
    for rule_id, values in tailoring.parameters.items():
        parameters.setdefault(rule_id, {}).update(values)
    given = tailoring.model_fields_set
    return tailoring.model_copy(
        update={
            "include": tailoring.include if "include" in given else base.include,
            "exclude": [*base.exclude, *tailoring.exclude],
            "parameters": parameters,
        }
    )


def _check(profile: Profile, source: str) -> None:
    catalog = load_catalog()
    names = {*catalog, *(rule.area for rule in catalog.values()), "*"}
    for pattern in [*profile.include, *profile.exclude]:
        if pattern not in names:
            raise ProfileError(f"{source}: no rule or area named {pattern!r}")
    for rule_id, values in profile.parameters.items():
        if rule_id not in catalog:
            raise ProfileError(f"{source}: parameters for unknown rule {rule_id!r}")
        for key, value in values.items():
            default = catalog[rule_id].meta.parameters.get(key)
            if key not in catalog[rule_id].meta.parameters:
                raise ProfileError(f"{source}: rule {rule_id} has no parameter {key!r}")
            if default is not None and type(value) is not type(default):
                raise ProfileError(
                    f"{source}: {rule_id}.{key} must be {type(default).__name__}, got {value!r}"
                )
