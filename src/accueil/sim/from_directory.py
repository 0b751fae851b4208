"""The operator in the database as a workload: its real accounts and agents, a base's day.

The directory says who the clients are (their tier, answer target, languages and how many people
they have) and who answers (agents, their sites, languages and trainings). It says nothing about
how a day goes: the arrival curve, handle times, patience, wrap-up, misses and the shifts and
breaks come from a base workload (``demo`` by default), and the call volume is the base's scaled
to the size of the pool, so a pool twice as big gets twice the calls.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accueil.core.directory import Account, Agent
from accueil.errors import NotFound
from accueil.services.directory import list_agents
from accueil.sim.generator import FloatArray, allocate
from accueil.sim.workload import AgentGroup, ListedAccount, ListedAgent, TierShare, Workload
from accueil.store.mapping import account_from_row
from accueil.store.tables import AccountRow, PersonRow

# A French account that also answers in English: the share of its calls that need English.
BILINGUAL_ENGLISH_SHARE = 0.25


def workload_from_directory(session: Session, base: Workload) -> Workload:
    """The active accounts and agents of the directory, playing ``base``'s day.

    Raises ``NotFound`` when the directory has no active account or no active agent.
    """
    accounts = _active_accounts(session)
    agents = [a for a in list_agents(session) if a.active]
    if not accounts or not agents:
        missing = "accounts" if not accounts else "agents"
        raise NotFound(
            f"the database has no active {missing} to simulate; load an operator first "
            "(accueil demo, or accueil import)"
        )
    people = _people_per_account(session)
    listed_accounts = [_listed_account(a, people.get(a.key, 0), base) for a in accounts]
    groups, listed_agents = _pool(agents, base.agents.groups, {a.key for a in accounts})
    data = base.model_dump()
    data["name"] = "directory"
    data["description"] = (
        f"The operator in the database: {len(accounts)} accounts, {len(agents)} agents; the day "
        f"(arrivals, handle times, patience, shifts and breaks) of the '{base.name}' workload, "
        f"its calls scaled from {base.agent_count} to {len(agents)} agents."
    )
    data["arrivals"]["calls_per_day"] = base.arrivals.calls_per_day * len(agents) / base.agent_count
    data["accounts"].update(
        count=len(accounts),
        tiers=[t.model_dump() for t in _tiers(listed_accounts)],
        listed=[a.model_dump() for a in listed_accounts],
    )
    data["people"]["count"] = sum(a.people for a in listed_accounts)
    data["agents"].update(
        groups=[g.model_dump() for g in groups], listed=[a.model_dump() for a in listed_agents]
    )
    return Workload.model_validate(data)


def _tiers(accounts: Sequence[ListedAccount]) -> list[TierShare]:
    """The tiers as the directory has them, one per tier and target (the report's targets)."""
    kinds = Counter((a.tier, a.target_seconds, a.priority_seconds) for a in accounts)
    return [
        TierShare(
            name=f"{tier} {target:g} s",
            share=count / len(accounts),
            target_seconds=target,
            priority_seconds=priority,
        )
        for (tier, target, priority), count in sorted(kinds.items())
    ]


def _active_accounts(session: Session) -> list[Account]:
    rows = session.scalars(
        select(AccountRow).where(AccountRow.active.is_(True)).order_by(AccountRow.key)
    )
    return [account_from_row(r) for r in rows]


def _people_per_account(session: Session) -> dict[str, int]:
    query = (
        select(AccountRow.key, func.count(PersonRow.id))
        .join(PersonRow, PersonRow.account_id == AccountRow.id)
        .where(PersonRow.active.is_(True))
        .group_by(AccountRow.key)
    )
    return {key: int(count) for key, count in session.execute(query)}


def _listed_account(account: Account, people: int, base: Workload) -> ListedAccount:
    """An account's callers speak its first language; a bilingual one gets some English."""
    language = account.languages[0] if account.languages else "fr"
    if language == "en":
        english = 1.0
    elif "en" in account.languages:
        english = BILINGUAL_ENGLISH_SHARE
    else:
        english = 0.0
    # The tier's priority bonus is the base workload's for a tier of that name (none otherwise).
    priority = next(
        (t.priority_seconds for t in base.accounts.tiers if t.name == account.tier), 0.0
    )
    return ListedAccount(
        key=account.key,
        tier=str(account.tier),
        target_seconds=account.target_seconds,
        priority_seconds=priority,
        people=max(1, people),  # an account with nobody listed still gets switchboard calls
        language=language,
        english_share=english,
    )


def _pool(
    agents: Sequence[Agent], patterns: Sequence[AgentGroup], accounts: set[str]
) -> tuple[list[AgentGroup], list[ListedAgent]]:
    """Agents take the shift patterns of the base's groups at their site (any site's if none).

    A site's agents, in key order, are split over its patterns in proportion to the patterns'
    sizes, so Paris's early and late shifts keep their balance with more or fewer people.
    """
    by_site: dict[str, list[Agent]] = defaultdict(list)
    for agent in sorted(agents, key=lambda a: a.key):
        by_site[agent.site].append(agent)
    groups: list[AgentGroup] = []
    listed: list[ListedAgent] = []
    for site, members in sorted(by_site.items()):
        local = [p for p in patterns if p.site.lower() == site.lower()] or list(patterns)
        sizes = [p.count for p in local]
        counts = allocate(len(members), _shares(sizes), minimum=0)
        start = 0
        for pattern, count in zip(local, counts, strict=True):
            chosen = members[start : start + count]
            start += count
            if not chosen:
                continue
            name = (
                pattern.name if pattern.site.lower() == site.lower() else f"{site}-{pattern.name}"
            )
            while name in {g.name for g in groups}:  # sites differing only by case
                name = f"{name}-{site}"
            english = sum(1 for a in chosen if "en" in a.languages) / len(chosen)
            groups.append(
                pattern.model_copy(
                    update={
                        "name": name,
                        "site": site,
                        "count": len(chosen),
                        "english_share": english,
                    }
                )
            )
            listed += [
                ListedAgent(
                    key=a.key,
                    group=name,
                    languages=a.languages,
                    trainings=tuple(
                        (t.account, t.level) for t in a.trainings if t.account in accounts
                    ),
                )
                for a in chosen
            ]
    return groups, listed


def _shares(sizes: Sequence[int]) -> FloatArray:
    total = float(sum(sizes))
    return np.array([s / total for s in sizes], dtype=np.float64)
