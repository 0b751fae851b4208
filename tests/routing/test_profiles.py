"""Named profiles: balanced (the defaults), familiar, grace, grace_guarded, strict; unknown names
refused."""

from __future__ import annotations

import pytest

from accueil.core.routing import EngineConfig
from accueil.core.routing.profiles import PROFILES, profiled
from accueil.errors import InvalidInput
from accueil.sim.driver import engine_config
from accueil.sim.scenario import AccountSpec, Scenario


def test_balanced_is_the_default_configuration() -> None:
    assert profiled("balanced") == EngineConfig()


def test_familiar_puts_the_account_team_first_and_strict_puts_service_first() -> None:
    familiar, strict = profiled("familiar"), profiled("strict")
    assert not familiar.person_in_account_ring and familiar.team_first
    assert familiar.guard_max > 1
    assert strict.budget_share < EngineConfig().budget_share
    assert strict.guard_tolerance < EngineConfig().guard_tolerance
    assert strict.guard_max == 1 and strict.past_target_seconds == 0


def test_grace_guarded_is_grace_with_the_guard_priced_by_the_grace() -> None:
    grace, guarded = profiled("grace"), profiled("grace_guarded")
    assert not grace.guard and guarded.guard and guarded.guard_grace
    assert not EngineConfig().guard_grace  # off by default
    familiar = profiled("familiar")
    assert (guarded.guard_tolerance, guarded.guard_abandon_tolerance) == (
        familiar.guard_tolerance,
        familiar.guard_abandon_tolerance,
    )
    assert guarded.guard_max == 1  # budgets never grow (grace, without a guard, never does)
    off = {"guard", "guard_grace", "guard_tolerance", "guard_abandon_tolerance", "guard_max"}
    same = {k: v for k, v in vars(guarded).items() if k not in off}
    assert same == {k: v for k, v in vars(grace).items() if k not in off}


def test_overrides_go_on_top_of_a_profile() -> None:
    assert profiled("familiar", guard_max=2.0).guard_max == 2.0
    assert not profiled("familiar", guard_max=2.0).person_in_account_ring


def test_an_unknown_profile_or_setting_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidInput, match="balanced, familiar, grace, grace_guarded, strict"):
        profiled("cosy")
    with pytest.raises(InvalidInput, match="unknown engine parameter budget_shar"):
        profiled("strict", budget_shar=0.3)
    assert set(PROFILES) == {"balanced", "familiar", "grace", "grace_guarded", "strict"}


def test_the_twin_takes_a_profile_among_its_engine_parameters() -> None:
    scenario = Scenario("t", (AccountSpec("acme", "standard", 20.0),), (), (), (), 0.0)
    config = engine_config(scenario, {"profile": "familiar", "budget_share": 0.6})
    assert config.team_first and config.budget_share == 0.6
