"""A named workload: every parameter of a simulated day, read from a documented YAML file.

The file is authored by people, so it is checked at the edge (pydantic) and every mistake is
reported with the file, the line and the field, nothing half-loaded.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from accueil.core.safe_yaml import Limits, load_yaml
from accueil.core.safe_yaml import Path as YamlPath
from accueil.errors import NotFound, Problem, ValidationFailed

Lines = dict[YamlPath, int]

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def clock_seconds(text: str) -> float:
    """'14:30' → seconds after midnight."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time of day like '09:30'")
    return int(match.group(1)) * 3600.0 + int(match.group(2)) * 60.0


def range_seconds(text: str) -> tuple[float, float]:
    """'09:00-17:00' → (start, end) in seconds after midnight; end must follow start."""
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a range like '09:00-17:00'")
    start, end = clock_seconds(match.group(1)), clock_seconds(match.group(2))
    if end <= start:
        raise ValueError(f"{text!r}: the end must come after the start")
    return start, end


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Peak(_Model):
    """A bump of the arrival curve: a Gaussian centred at a time of day."""

    at: str
    width_minutes: float = Field(gt=0)
    height: float = Field(ge=0)

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_seconds(value)
        return value


class Arrivals(_Model):
    """When calls arrive: a non-homogeneous Poisson process shaped by ``base`` + ``peaks``."""

    hours: str = "09:00-17:00"
    calls_per_day: float = Field(gt=0)
    base: float = Field(default=1.0, ge=0)
    peaks: tuple[Peak, ...] = ()

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        range_seconds(value)
        return value


class TierShare(_Model):
    """A service tier: the share of accounts in it, their target and their priority bonus."""

    name: str
    share: float = Field(gt=0, le=1)
    target_seconds: float = Field(gt=0)
    priority_seconds: float = Field(default=0.0, ge=0)


class ListedAccount(_Model):
    """A real account (from the directory): its call share follows its number of people.

    Its callers speak ``language``; a share ``english_share`` of its calls need English.
    """

    key: str = Field(min_length=1)
    tier: str
    target_seconds: float = Field(gt=0)
    priority_seconds: float = Field(default=0.0, ge=0)
    people: int = Field(ge=1)
    language: str = "fr"
    english_share: float = Field(default=0.0, ge=0, le=1)


class Accounts(_Model):
    count: int = Field(gt=0)
    zipf: float = Field(ge=0)
    tiers: tuple[TierShare, ...] = (TierShare(name="standard", share=1.0, target_seconds=20),)
    # When given, these accounts replace the ``count`` generated ones (zipf and tiers unused).
    listed: tuple[ListedAccount, ...] = ()

    @model_validator(mode="after")
    def _shares(self) -> Accounts:
        if abs(sum(t.share for t in self.tiers) - 1.0) > 1e-6:
            raise ValueError("the tier shares must add up to 1")
        if self.listed and self.count != len(self.listed):
            raise ValueError(f"count is {self.count} but {len(self.listed)} accounts are listed")
        if len({a.key for a in self.listed}) != len(self.listed):
            raise ValueError("listed accounts must have distinct keys")
        return self


class People(_Model):
    """People of the accounts; ``proportional`` gives bigger callers more people (at least 1)."""

    count: int = Field(gt=0)
    zipf: float = Field(ge=0)
    allocation: Literal["proportional", "equal"] = "proportional"


class OutcomeShare(_Model):
    """How a call ends and how long it takes: lognormal (mean, sd) or exponential (mean)."""

    name: str
    share: float = Field(gt=0, le=1)
    distribution: Literal["lognormal", "exponential"] = "lognormal"
    mean_seconds: float = Field(gt=0)
    sd_seconds: float = Field(default=0.0, ge=0)


class Calls(_Model):
    english_share: float = Field(default=0.0, ge=0, le=1)
    outcomes: tuple[OutcomeShare, ...]
    wrap_up_seconds: float = Field(default=0.0, ge=0)
    patience_grace_seconds: float = Field(default=0.0, ge=0)
    patience_mean_seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _shares(self) -> Calls:
        if abs(sum(o.share for o in self.outcomes) - 1.0) > 1e-6:
            raise ValueError("the outcome shares must add up to 1")
        return self


class Break(_Model):
    """A break each agent of a group takes, starting at a random time within ``window``."""

    window: str
    minutes: float = Field(gt=0)

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        range_seconds(value)
        return value


class AgentGroup(_Model):
    """Agents of one site (or at home) who share a shift."""

    name: str
    site: str
    count: int = Field(gt=0)
    english_share: float = Field(default=0.0, ge=0, le=1)
    shift: str = "09:00-17:00"
    breaks: tuple[Break, ...] = ()

    @field_validator("shift")
    @classmethod
    def _shift(cls, value: str) -> str:
        range_seconds(value)
        return value


class ListedAgent(_Model):
    """A real agent (from the directory), working the shift and breaks of ``group``."""

    key: str = Field(min_length=1)
    group: str
    languages: tuple[str, ...] = ("fr",)
    trainings: tuple[tuple[str, int], ...] = ()  # (account, level 1..3)


class Agents(_Model):
    groups: tuple[AgentGroup, ...]
    # When given, these agents replace the groups' numbered ones; each group's count is theirs.
    listed: tuple[ListedAgent, ...] = ()
    miss_probability: float = Field(default=0.0, ge=0, lt=1)
    ring_seconds: float = Field(default=0.0, ge=0)
    # Agents of site "home" lose their softphone's link this many times a day on average.
    home_dropouts_per_day: float = Field(default=0.0, ge=0)
    dropout_mean_seconds: float = Field(default=90.0, gt=0)

    @model_validator(mode="after")
    def _listed(self) -> Agents:
        if not self.listed:
            return self
        if len({a.key for a in self.listed}) != len(self.listed):
            raise ValueError("listed agents must have distinct keys")
        for group in self.groups:
            members = sum(1 for a in self.listed if a.group == group.name)
            if members != group.count:
                raise ValueError(f"group {group.name!r} counts {group.count}, lists {members}")
        named = {g.name for g in self.groups}
        strays = sorted({a.group for a in self.listed} - named)
        if strays:
            raise ValueError(f"listed agents name unknown groups: {', '.join(strays)}")
        return self


class Simulation(_Model):
    warmup_days: int = Field(default=1, ge=0)
    days: int = Field(default=1, ge=1)
    short_abandon_seconds: float = Field(default=5.0, ge=0)
    fairness_min_calls: int = Field(default=20, ge=1)
    fairness_accounts: int = Field(default=10, ge=1)


class Workload(_Model):
    """Everything that makes a simulated day; see ``docs/simulation.md``."""

    name: str
    description: str = ""
    arrivals: Arrivals
    accounts: Accounts
    people: People
    calls: Calls
    agents: Agents
    simulation: Simulation = Simulation()
    engine: dict[str, Any] = Field(default_factory=dict)

    @property
    def agent_count(self) -> int:
        return sum(g.count for g in self.agents.groups)

    def overridden(self, overrides: dict[str, Any]) -> Workload:
        """A copy with dotted keys replaced: ``{"arrivals.calls_per_day": 9000}``."""
        data = self.model_dump()
        for dotted, value in overrides.items():
            node = data
            *parents, leaf = dotted.split(".")
            for part in parents:
                if not isinstance(node.get(part), dict):
                    raise ValidationFailed([Problem(f"no section {part!r}", field=dotted)])
                node = node[part]
            # Only the engine section is open: its keys are EngineConfig's, checked there.
            if leaf not in node and parents[:1] != ["engine"]:
                raise ValidationFailed([Problem(f"unknown parameter {leaf!r}", field=dotted)])
            node[leaf] = value
        return _validated(data, f"<{self.name} with overrides>", None)


def packaged_names() -> list[str]:
    """The workloads shipped with accueil (``w1``, ``demo``, ``erlang``…)."""
    folder = resources.files("accueil.sim") / "workloads"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_workload(name_or_path: str | Path) -> Workload:
    """A packaged workload by name (``w1``) or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise NotFound(f"workload file {str(path)!r} does not exist", path=str(path))
        return parse_workload(path.read_text(encoding="utf-8"), str(path))
    name = str(name_or_path).lower()
    if name not in packaged_names():
        known = ", ".join(packaged_names())
        raise NotFound(f"no workload named {name!r}; packaged ones: {known}, or give a file path")
    text = (resources.files("accueil.sim") / "workloads" / f"{name}.yaml").read_text("utf-8")
    return parse_workload(text, f"{name}.yaml")


WORKLOAD_LIMITS = Limits(max_chars=1_000_000)


def parse_workload(text: str, file: str) -> Workload:
    """Read a workload from YAML text; every problem names the file, line and field."""
    document = load_yaml(text, file, limits=WORKLOAD_LIMITS, expected="a workload's sections")
    if document.duplicates:
        raise ValidationFailed(document.duplicates)
    if not isinstance(document.data, dict):
        raise ValidationFailed([Problem("expected a mapping of sections", file=file, line=1)])
    return _validated(document.data, file, document.lines)


def _validated(data: dict[str, Any], file: str, lines: Lines | None) -> Workload:
    try:
        return Workload.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                error["msg"],
                file=file,
                line=_line_of(lines, error["loc"]),
                field=".".join(str(part) for part in error["loc"]),
            )
            for error in exc.errors()
        ]
        raise ValidationFailed(problems) from None


def _line_of(lines: Lines | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the value at ``loc``, or of its nearest existing parent."""
    if lines is None:
        return None
    path = tuple(str(p) if not isinstance(p, int) else p for p in loc)
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
