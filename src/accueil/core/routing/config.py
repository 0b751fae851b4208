"""The routing engine's settings: lease lengths, rings and budgets, familiarity memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from accueil.core.routing.checks import check_config
from accueil.errors import InvalidInput


def _default_tier_bonus() -> dict[str, float]:
    return {"premium": 30.0, "standard": 0.0, "economy": -15.0}


@dataclass(frozen=True)
class EngineConfig:
    """How the engine behaves. Every duration is in seconds."""

    offer_timeout: float = 15.0  # an offer not accepted by then lapses
    max_consecutive_misses: int = 3  # lapsed offers in a row before the agent is paused
    retry_after: float = 30.0  # an agent who missed or declined a call may get it again then
    heartbeat_timeout: float = 30.0  # silence after which a home agent is unavailable
    heartbeat_site: str = "home"  # agents on this site must send heartbeats
    # Heartbeats per site: site -> silence (seconds) after which its agents are unavailable; "*"
    # for every site not named. Adds to (or overrides) heartbeat_site/heartbeat_timeout.
    heartbeat_sites: dict[str, float] = field(default_factory=dict)
    wrapup_seconds: float = 20.0  # when neither the agent nor the account says otherwise
    max_wait: float | None = 300.0  # then the call overflows; None: never
    # A call that no logged-in agent can take (languages, certification) overflows at once, and
    # so do waiting calls when the last agent able to take them logs out. False: they wait.
    overflow_unservable: bool = True
    # Seconds added to a call's time waited when ordering the line (premium goes first).
    tier_bonus: dict[str, float] = field(default_factory=_default_tier_bonus)

    # Rings (accueil strategy only). "load": the time a call may wait for a familiar agent is
    # derived from its target and the current load; "fixed": the two timers below.
    budget: str = "load"
    person_ring_seconds: float = 4.0
    account_ring_seconds: float = 8.0
    budget_share: float = 0.75  # share of the target a call may spend in familiar rings
    budget_floor: float = 0.0  # never wait less than this for a familiar agent (if any exists)
    # What the open line would make the call wait anyway (its requirement group's open calls ×
    # mean service time ÷ the agents able to take them) is taken off the budget × this share:
    # 1, all of it (never wait for a familiar voice past the target); 0, ignored (the wait for a
    # familiar agent ending wrap-up then replaces part of the line's wait); negative, added.
    open_line_share: float = 1.0
    person_share: float = 0.0  # share of the budget spent on the person ring alone
    # The account ring also holds the person's own agents (True), or only the account's team
    # and primary agents (False: more account affinity, less person affinity; docs/routing.md).
    person_in_account_ring: bool = True
    # In the account ring, a member of the account's team (or a primary agent) is preferred to a
    # person's agent who is not in it, and a freed agent takes a call of an account whose team
    # it is in (or is primary for) before a call it knows only through the person. More account
    # affinity, less person affinity; off by default: the person's own agents come first in the
    # issue's rings (docs/routing.md, "Fourth look").
    team_first: bool = False
    # Scarce skills protected (accueil): among otherwise equal ready agents, a call goes to the
    # one whose other skills (languages) the calls need least; a freed agent takes an open call
    # of a smaller requirement group (fewer agents able) before a familiar call of a larger one.
    protect_scarce: bool = True
    # One waiter per agent: a call waits for a familiar agent ending wrap-up only when no earlier
    # call already waits for that agent; the others move on at once (issue 17).
    one_waiter: bool = True
    # The guard on the measured service level (core/routing/guard.py): per tier, over the last
    # guard_window seconds, the calls that waited for a familiar agent while an able agent sat
    # ready and then missed their target (or were abandoned) may cost at most guard_tolerance
    # of the calls (guard_abandon_tolerance for abandonment); wait budgets are multiplied by a
    # factor between guard_min (cost at twice the tolerance) and guard_max (no cost at all).
    guard: bool = True
    guard_window: float = 1800.0
    guard_tolerance: float = 0.0075
    guard_abandon_tolerance: float = 0.003
    guard_min: float = 0.0
    guard_max: float = 1.33
    guard_min_calls: int = 30  # calls in a tier's window before the guard acts on it
    # The guard prices the abandonment the rings cost with the callers' learned patience
    # (core/routing/patience.py; docs/routing.md, "Session 11"): hazard × the wait past the
    # grace that holding a call added, instead of counting held calls late or abandoned. While
    # no grace is learned (callers who hang up from the start), it counts as without the setting.
    guard_grace: bool = False
    # A call past its target (its wait no longer changes the service level) is left by a freed
    # stranger for a familiar agent ending wrap-up within this many seconds (× the guard's
    # factor), one waiter per agent: the cap on the abandonment risk added. 0: never.
    past_target_seconds: float = 5.0
    # Spend the callers' grace (core/routing/patience.py; docs/routing.md, "Session 9"): the
    # engine learns from the abandonments it sees how long callers wait before hanging up
    # becomes likely (grace_risk of them; none assumed before grace_min_abandons were seen).
    # Past that grace, with memoryless patience, the order in which waiting calls are served
    # costs no abandonment: a call past the grace (not only past its target) may be left by a
    # freed stranger to a familiar agent (past_target_seconds), and a freed agent leaves a
    # familiar call still within the grace, when taking it would pass over an older call past
    # it, to another familiar agent ending wrap-up after the grace, within the ring's budget.
    grace_aware: bool = False
    grace_risk: float = 0.005
    grace_min_abandons: int = 50
    # A call waiting for a familiar agent ending wrap-up (its claim) opens to everyone as soon
    # as that agent, free, takes another call or none, instead of waiting out its ring's budget
    # for nobody.
    release_claims: bool = False
    # "load" budget when every familiar agent is on a call (none in wrap-up ending within the
    # budget): they may well not end in time, so wait only this share of the budget.
    busy_share: float = 0.0

    # Familiarity memory: recency-weighted, learned from answered calls. The defaults were tuned
    # on W1 (docs/routing.md): a short half-life ranks agents by their last answer, and a team of
    # 3 is exactly the "3 most recent answerers" that account affinity counts.
    familiarity_half_life: float = 30.0
    person_ring_size: int = 2  # agents who served this person, most familiar first
    team_min: int = 3  # the account ring: at least this many most-familiar agents
    team_per_erlang: float = 1.0  # … or this many per Erlang of the account's observed load
    team_max: int = 3
    load_half_life: float = 1800.0  # smoothing of each account's observed call rate
    primary_level: int = 3  # training level that makes an agent a primary agent of the account

    # accueil strategy: a freed agent takes a call it knows before an older open call, unless
    # that call has already waited this share of its target.
    urgent_share: float = 2.0
    scan_ready: int = 100  # ready agents weighed for a call open to everyone, longest idle first
    # accueil: keep precious agents free (core/routing/holding.py). A stranger's call may be held
    # up to hold_seconds after it arrived when every ready agent's absence would cost at least
    # hold_loss expected familiar answers; 0 (the default) never holds.
    hold_seconds: float = 0.0
    hold_loss: float = 0.5
    # accueil_teams strategy (experimental, docs/routing.md): every flex_every-th agent (first-
    # login order) is flexible and takes first the calls of accounts of at least big_erlangs
    # observed load; protect: "count" the accounts a taken agent strands, or weigh them by "rate".
    flex_every: int = 3
    big_erlangs: float = 0.8
    protect: str = "count"
    # Rings: the budget_share of accounts of at least big_erlangs (None: budget_share).
    big_budget_share: float | None = None

    seed: int = 0  # for the "random" strategy

    def __post_init__(self) -> None:
        problems = []
        if self.offer_timeout <= 0:
            problems.append("offer_timeout must be > 0")
        if self.max_consecutive_misses < 1:
            problems.append("max_consecutive_misses must be >= 1")
        if self.retry_after < 0:
            problems.append("retry_after must be >= 0")
        if self.heartbeat_timeout <= 0:
            problems.append("heartbeat_timeout must be > 0")
        sites = self.heartbeat_sites.items()
        bad_sites = sorted(k for k, v in sites if not isinstance(v, int | float) or not v > 0)
        if bad_sites:
            problems.append(f"heartbeat_sites: the silence must be > 0 for {', '.join(bad_sites)}")
        if self.budget not in ("load", "fixed"):
            problems.append(f"budget must be 'load' or 'fixed', not {self.budget!r}")
        if self.budget_share < 0:
            problems.append("budget_share must be >= 0 (above 1 waits past the target)")
        if not -1 <= self.open_line_share <= 1:
            problems.append("open_line_share must be between -1 and 1")
        if not 0 <= self.person_share <= 1 or not 0 <= self.busy_share <= 1:
            problems.append("person_share and busy_share must be between 0 and 1")
        if self.familiarity_half_life <= 0 or self.load_half_life <= 0:
            problems.append("half-lives must be > 0")
        if self.team_min < 1 or self.team_max < self.team_min or self.person_ring_size < 1:
            problems.append("need 1 <= team_min <= team_max and person_ring_size >= 1")
        if self.flex_every < 0 or self.big_erlangs <= 0 or self.protect not in ("count", "rate"):
            problems.append("need flex_every >= 0, big_erlangs > 0, protect 'count' or 'rate'")
        if self.big_budget_share is not None and self.big_budget_share < 0:
            problems.append("big_budget_share must be >= 0")
        if not self.guard_window > 0 or not 0 < self.guard_tolerance < 1:
            problems.append("need guard_window > 0 and 0 < guard_tolerance < 1")
        if not 0 < self.guard_abandon_tolerance < 1:
            problems.append("need 0 < guard_abandon_tolerance < 1")
        if self.guard_min_calls < 1:
            problems.append("guard_min_calls must be >= 1")
        if not 0 <= self.guard_min <= 1 <= self.guard_max:
            problems.append("need 0 <= guard_min <= 1 <= guard_max")
        if self.past_target_seconds < 0:
            problems.append("past_target_seconds must be >= 0")
        if not 0 < self.grace_risk < 1 or self.grace_min_abandons < 1:
            problems.append("need 0 < grace_risk < 1 and grace_min_abandons >= 1")
        if self.hold_seconds < 0 or self.hold_loss < 0:
            problems.append("hold_seconds and hold_loss must be >= 0")
        problems += check_config(self)
        if problems:
            raise InvalidInput(
                "invalid routing engine configuration: " + "; ".join(problems),
                problems=problems,
            )

    def heartbeat_for(self, site: str) -> float | None:
        """The silence after which an agent of ``site`` is unavailable; None: not watched."""
        sites = self.heartbeat_sites
        if site in sites:
            return sites[site]
        if site == self.heartbeat_site:
            return self.heartbeat_timeout
        return sites.get("*")

    def bonus(self, tier: str) -> float:
        """The priority bonus of a tier; unknown tiers get none."""
        return self.tier_bonus.get(tier, 0.0)
