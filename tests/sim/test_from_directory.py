"""The twin simulating the operator in the database: its accounts, agents and trainings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accueil.cli import app
from accueil.demo.day import run_demo_day
from accueil.errors import NotFound
from accueil.services.onboarding import load_directory
from accueil.settings import get_settings
from accueil.sim.from_directory import BILINGUAL_ENGLISH_SHARE, workload_from_directory
from accueil.sim.generator import generate
from accueil.sim.report import write_report
from accueil.sim.runner import simulate
from accueil.sim.workload import Workload, load_workload
from accueil.store.db import make_engine, migrate, session_factory, transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes


def _person(account: str, key: str) -> dict[str, Any]:
    return {"account": account, "key": key, "first_name": key.title(), "last_name": "Test"}


def _agent(key: str, site: str, languages: list[str], **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": key.title(), "site": site, "languages": languages, **extra}


DIRECTORY: dict[str, list[dict[str, Any]]] = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "languages": ["fr", "en"], "tier": "premium"},
        {"key": "plombier", "name": "Plomberie Roux", "tier": "standard", "target_seconds": 25},
        {"key": "smith", "name": "Smith & Co", "country": "GB", "tier": "economy"},
    ],
    "people": [
        *(_person("martin", k) for k in ("anne", "bruno", "chloe", "denis", "eva", "fanny")),
        _person("plombier", "gilles"),
        _person("plombier", "hugo"),
    ],
    "agents": [
        _agent("alice", "paris", ["fr", "en"], trainings={"martin": 3, "smith": 1}),
        _agent("bastien", "paris", ["fr"], trainings={"plombier": 2}),
        _agent("claire", "lyon", ["fr"]),
        _agent("david", "home", ["fr", "en"]),
        _agent("elodie", "nantes", ["fr", "en"]),
        _agent("fabien", "paris", ["fr"], active=False),
    ],
}


@pytest.fixture
def loaded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        load_directory(session, DIRECTORY, source="test", now=NOW)
    return sessions


@pytest.fixture
def operator(loaded: sessionmaker[Session]) -> Workload:
    with loaded() as session:
        return workload_from_directory(session, load_workload("demo"))


def test_accounts_keep_their_targets_tiers_people_and_languages(operator: Workload) -> None:
    listed = {a.key: a for a in operator.accounts.listed}
    assert operator.accounts.count == 3
    assert {k: (a.tier, a.target_seconds) for k, a in listed.items()} == {
        "martin": ("premium", 10),
        "plombier": ("standard", 25),
        "smith": ("economy", 40),
    }
    assert listed["martin"].priority_seconds == 20  # the demo workload's premium bonus
    # An account with nobody listed still gets (switchboard) calls: one person at least.
    assert {k: a.people for k, a in listed.items()} == {"martin": 6, "plombier": 2, "smith": 1}
    assert {k: (a.language, a.english_share) for k, a in listed.items()} == {
        "martin": ("fr", BILINGUAL_ENGLISH_SHARE),
        "plombier": ("fr", 0.0),
        "smith": ("en", 1.0),
    }


def test_agents_keep_their_sites_languages_and_trainings_on_the_base_shifts(
    operator: Workload,
) -> None:
    base = load_workload("demo")
    agents = {a.key: a for a in operator.agents.listed}
    assert sorted(agents) == ["alice", "bastien", "claire", "david", "elodie"]  # fabien is off
    assert operator.agent_count == 5
    groups = {g.name: g for g in operator.agents.groups}
    sites = {key: groups[a.group].site for key, a in agents.items()}
    assert sites == {
        "alice": "paris",
        "bastien": "paris",
        "claire": "lyon",
        "david": "home",
        "elodie": "nantes",
    }
    assert agents["alice"].languages == ("fr", "en")
    assert dict(agents["alice"].trainings) == {"martin": 3, "smith": 1}
    # Paris's two agents split over the base's early and late Paris shifts.
    patterns = {g.name: g for g in base.agents.groups}
    assert {agents["alice"].group, agents["bastien"].group} == {"paris-early", "paris-late"}
    assert groups["paris-late"].shift == patterns["paris-late"].shift
    assert groups["lyon"].breaks == patterns["lyon"].breaks
    # Calls scale with the pool; the day's shape, handle times and patience are the base's.
    assert operator.arrivals.calls_per_day == pytest.approx(1700 * 5 / 14)
    assert operator.arrivals.peaks == base.arrivals.peaks
    assert operator.calls == base.calls


def test_the_generated_day_plays_the_directorys_people_and_languages(operator: Workload) -> None:
    scenario = generate(operator, seed=3)
    assert scenario == generate(operator, seed=3)
    assert {a.key for a in scenario.agents} == {"alice", "bastien", "claire", "david", "elodie"}
    assert {a.key for a in scenario.accounts} == {"martin", "plombier", "smith"}
    by_account: dict[str, set[tuple[str, ...]]] = {}
    for call in scenario.calls:
        by_account.setdefault(call.account, set()).add(call.languages)
    assert by_account == {"martin": {("fr",), ("en",)}, "plombier": {("fr",)}, "smith": {("en",)}}
    counts = {k: sum(1 for c in scenario.calls if c.account == k) for k in by_account}
    assert counts["martin"] > 2 * counts["plombier"] > 2 * counts["smith"]  # 6 : 2 : 1 people
    assert len({p.agent for p in scenario.presences}) == 5


def test_a_day_of_the_directory_runs_and_reports(operator: Workload, tmp_path: Path) -> None:
    runs = simulate(operator, ["accueil", "longest_idle"], [1])
    for run in runs:
        assert run.violations == ()
        assert run.figures.offered > 200
        assert 0.5 < run.figures.service_level <= 1.0
    path = write_report(tmp_path, operator, runs)
    report = path.read_text(encoding="utf-8")
    assert "The operator in the database: 3 accounts, 5 agents" in report
    assert "accounts: 3 listed" in report


def test_an_empty_directory_cannot_be_simulated(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(NotFound, match="no active accounts"):
        workload_from_directory(session, load_workload("demo"))


def test_the_demo_day_is_the_loaded_operators(
    loaded: sessionmaker[Session], tmp_path: Path
) -> None:
    console = Console(record=True, width=160)
    with loaded() as session:
        path = run_demo_day(console, tmp_path / "day", session=session)
    text = " ".join(console.export_text().split())
    assert "the operator just loaded (5 agents, 3 accounts" in text
    assert "longest_idle" in text and path.is_file()


def test_simulate_from_db_plays_the_configured_database(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        load_directory(session, DIRECTORY, source="test", now=NOW)
    engine.dispose()
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    args = ["simulate", "--from-db", "--strategy", "longest_idle", "--report", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "directory: seeds 1–1" in result.output
    assert "calls offered per counted day" in result.output
    assert "5 agents" in (tmp_path / "report.md").read_text(encoding="utf-8")
