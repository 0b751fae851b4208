"""The workload generator: a workload and a seed give the same scenario, call for call.

Everything random comes from one ``numpy.random.Generator`` seeded once, drawn in a fixed order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from accueil.sim.scenario import DAY, AccountSpec, AgentSpec, CallSpec, Presence, Scenario
from accueil.sim.workload import (
    AgentGroup,
    Arrivals,
    Calls,
    Workload,
    clock_seconds,
    range_seconds,
)

FloatArray = NDArray[np.float64]


def zipf_shares(count: int, exponent: float) -> FloatArray:
    """Shares of ranks 1..count proportional to rank^-exponent (exponent 0: all equal)."""
    weights: FloatArray = np.arange(1, count + 1, dtype=np.float64) ** -exponent
    shares: FloatArray = weights / weights.sum()
    return shares


def allocate(total: int, shares: FloatArray, minimum: int = 1) -> list[int]:
    """Split ``total`` into integers following ``shares``, each at least ``minimum``."""
    spare = total - minimum * len(shares)
    if spare < 0:
        raise ValueError(f"cannot give {minimum} to each of {len(shares)} parts out of {total}")
    exact = shares * spare
    counts = np.floor(exact).astype(int)
    remainder = spare - int(counts.sum())
    for index in np.argsort(-(exact - counts), kind="stable")[:remainder]:
        counts[index] += 1
    return [int(c) + minimum for c in counts]


def arrival_density(arrivals: Arrivals, step: float = 10.0) -> tuple[FloatArray, FloatArray]:
    """The arrival curve sampled every ``step`` seconds over opening hours: (times, cumulative)."""
    opens, closes = range_seconds(arrivals.hours)
    times = np.arange(opens, closes + step, step, dtype=np.float64).clip(max=closes)
    rate = np.full_like(times, arrivals.base)
    for peak in arrivals.peaks:
        centre, width = clock_seconds(peak.at), peak.width_minutes * 60.0
        rate += peak.height * np.exp(-0.5 * ((times - centre) / width) ** 2)
    steps = np.diff(times)
    cumulative = np.concatenate([[0.0], np.cumsum((rate[1:] + rate[:-1]) / 2 * steps)])
    return times, cumulative / cumulative[-1]


def handle_times(rng: np.random.Generator, calls: Calls, n: int) -> tuple[FloatArray, list[str]]:
    """Talk times by outcome: lognormal parametrised by its mean and sd, or exponential."""
    shares = np.array([o.share for o in calls.outcomes])
    picks = rng.choice(len(calls.outcomes), size=n, p=shares / shares.sum())
    seconds = np.empty(n)
    for index, outcome in enumerate(calls.outcomes):
        chosen = picks == index
        size = int(chosen.sum())
        if outcome.distribution == "exponential":
            seconds[chosen] = rng.exponential(outcome.mean_seconds, size)
        elif outcome.sd_seconds == 0:
            seconds[chosen] = outcome.mean_seconds
        else:
            sigma2 = math.log1p((outcome.sd_seconds / outcome.mean_seconds) ** 2)
            mu = math.log(outcome.mean_seconds) - sigma2 / 2
            seconds[chosen] = rng.lognormal(mu, math.sqrt(sigma2), size)
    return seconds, [calls.outcomes[int(i)].name for i in picks]


class _Population:
    """Accounts with their call shares, and the people of each with theirs."""

    def __init__(self, workload: Workload, rng: np.random.Generator) -> None:
        accounts, people = workload.accounts, workload.people
        if accounts.listed:
            self._listed(workload)
            return
        self.shares = zipf_shares(accounts.count, accounts.zipf)
        tier_shares = np.array([t.share for t in accounts.tiers])
        tiers = rng.choice(len(accounts.tiers), size=accounts.count, p=tier_shares)
        self.accounts = tuple(
            AccountSpec(
                key=f"acc{rank:04d}",
                tier=accounts.tiers[int(tier)].name,
                target_seconds=accounts.tiers[int(tier)].target_seconds,
                priority_seconds=accounts.tiers[int(tier)].priority_seconds,
            )
            for rank, tier in enumerate(tiers, start=1)
        )
        if people.allocation == "equal":
            per_account = allocate(people.count, zipf_shares(accounts.count, 0.0))
        else:
            per_account = allocate(people.count, self.shares)
        self.people_cumulative = [np.cumsum(zipf_shares(n, people.zipf)) for n in per_account]
        self.english: FloatArray = np.full(accounts.count, workload.calls.english_share)
        self.language = ["fr"] * accounts.count

    def _listed(self, workload: Workload) -> None:
        """Real accounts: a firm's share of the calls is its share of the people (no draw)."""
        listed = workload.accounts.listed
        people = np.array([a.people for a in listed], dtype=np.float64)
        self.shares = people / people.sum()
        self.accounts = tuple(
            AccountSpec(a.key, a.tier, a.target_seconds, a.priority_seconds) for a in listed
        )
        self.people_cumulative = [
            np.cumsum(zipf_shares(a.people, workload.people.zipf)) for a in listed
        ]
        self.english = np.array([a.english_share for a in listed], dtype=np.float64)
        self.language = [a.language for a in listed]

    def person(self, account: int, u: float) -> str:
        cumulative = self.people_cumulative[account]
        index = min(int(np.searchsorted(cumulative, u, side="right")), len(cumulative) - 1)
        return f"{self.accounts[account].key}.p{index + 1:04d}"


def _calls_of_day(
    workload: Workload, population: _Population, rng: np.random.Generator, day: int
) -> list[CallSpec]:
    n = int(rng.poisson(workload.arrivals.calls_per_day))
    times, cumulative = arrival_density(workload.arrivals)
    arrivals = np.sort(np.interp(rng.random(n), cumulative, times)) + day * DAY
    accounts = rng.choice(len(population.accounts), size=n, p=population.shares)
    person_u = rng.random(n)
    english = rng.random(n) < population.english[accounts]
    handles, outcomes = handle_times(rng, workload.calls, n)
    patience = np.full(n, math.inf)
    if workload.calls.patience_mean_seconds is not None:
        patience = workload.calls.patience_grace_seconds + rng.exponential(
            workload.calls.patience_mean_seconds, n
        )
    return [
        CallSpec(
            key=f"d{day}c{i:06d}",
            arrival=float(arrivals[i]),
            account=population.accounts[int(accounts[i])].key,
            person=population.person(int(accounts[i]), float(person_u[i])),
            languages=("en",) if english[i] else (population.language[int(accounts[i])],),
            handle_seconds=float(handles[i]),
            patience_seconds=float(patience[i]),
            outcome=outcomes[i],
        )
        for i in range(n)
    ]


def generate_agents(workload: Workload) -> tuple[AgentSpec, ...]:
    """The pool: the listed agents, or per group the first round(count × english_share) agents
    also speak English."""
    sites = {g.name: g.site for g in workload.agents.groups}
    if workload.agents.listed:
        return tuple(
            AgentSpec(a.key, sites[a.group], a.languages, a.trainings)
            for a in workload.agents.listed
        )
    agents: list[AgentSpec] = []
    for group in workload.agents.groups:
        speakers = round(group.count * group.english_share)
        agents += [
            AgentSpec(
                key=key,
                site=group.site,
                languages=("fr", "en") if i < speakers else ("fr",),
            )
            for i, key in enumerate(_agent_keys(workload, group))
        ]
    return tuple(agents)


def _agent_keys(workload: Workload, group: AgentGroup) -> list[str]:
    """The keys of a group's agents: the listed ones in it, or numbered after the group."""
    if workload.agents.listed:
        return [a.key for a in workload.agents.listed if a.group == group.name]
    return [f"{group.name}-{i + 1:02d}" for i in range(group.count)]


def generate_presences(
    workload: Workload, rng: np.random.Generator, days: int
) -> tuple[Presence, ...]:
    """Shifts and breaks, each break starting at a random moment of its window."""
    presences: list[Presence] = []
    for day in range(days):
        offset = day * DAY
        for group in workload.agents.groups:
            start, end = range_seconds(group.shift)
            for key in _agent_keys(workload, group):
                breaks = []
                for pause in group.breaks:
                    lo, hi = range_seconds(pause.window)
                    length = pause.minutes * 60.0
                    begin = float(rng.uniform(lo, max(lo, hi - length)))
                    breaks.append((offset + begin, offset + begin + length))
                drops = _dropouts(workload, group.site, rng, offset + start, offset + end)
                presences.append(Presence(key, offset + start, offset + end, tuple(breaks), drops))
    return tuple(presences)


def _dropouts(
    workload: Workload, site: str, rng: np.random.Generator, start: float, end: float
) -> tuple[tuple[float, float], ...]:
    """Spells without a softphone link for a home agent (no draw at all when there are none)."""
    rate = workload.agents.home_dropouts_per_day
    if site != "home" or rate == 0:
        return ()
    spells = []
    for _ in range(int(rng.poisson(rate))):
        begin = float(rng.uniform(start, end))
        length = float(rng.exponential(workload.agents.dropout_mean_seconds))
        spells.append((begin, min(begin + length, end)))
    merged: list[tuple[float, float]] = []
    for begin, finish in sorted(spells):  # overlapping spells are one longer spell
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return tuple(merged)


def generate(workload: Workload, seed: int) -> Scenario:
    """The warm-up days then the counted days of ``workload``, reproducible for ``seed``."""
    rng = np.random.default_rng(seed)
    population = _Population(workload, rng)
    days = workload.simulation.warmup_days + workload.simulation.days
    presences = generate_presences(workload, rng, days)
    calls: list[CallSpec] = []
    for day in range(days):
        calls += _calls_of_day(workload, population, rng, day)
    return scenario_of(workload, population.accounts, presences, calls)


def scenario_of(
    workload: Workload,
    accounts: Sequence[AccountSpec],
    presences: Sequence[Presence],
    calls: Sequence[CallSpec],
) -> Scenario:
    """Assemble a scenario from its parts and the workload's behavioural parameters."""
    sim = workload.simulation
    return Scenario(
        name=workload.name,
        accounts=tuple(accounts),
        agents=generate_agents(workload),
        presences=tuple(presences),
        calls=tuple(sorted(calls, key=lambda c: c.arrival)),
        counted_from=sim.warmup_days * DAY,
        wrap_up_seconds=workload.calls.wrap_up_seconds,
        miss_probability=workload.agents.miss_probability,
        ring_seconds=workload.agents.ring_seconds,
        short_abandon_seconds=sim.short_abandon_seconds,
        fairness_min_calls=sim.fairness_min_calls,
        fairness_accounts=sim.fairness_accounts,
    )
