"""Ready agents, indexed by language and by account trained on, longest idle first."""

from __future__ import annotations

from collections.abc import Iterator

from accueil.core.routing.records import AgentRecord, LiveCall


class ReadyPool:
    """The agents in status READY. Dicts keep insertion order: the first has waited longest."""

    __slots__ = ("_by_lang", "_seq", "_trained", "ready")

    def __init__(self) -> None:
        self.ready: dict[str, AgentRecord] = {}
        self._by_lang: dict[str, dict[str, AgentRecord]] = {}
        self._trained: dict[str, dict[str, AgentRecord]] = {}  # account -> logged-in agents
        self._seq = 0

    def __len__(self) -> int:
        return len(self.ready)

    def __contains__(self, agent: AgentRecord) -> bool:
        return agent.id in self.ready

    def login(self, agent: AgentRecord) -> None:
        for account in agent.trainings:
            self._trained.setdefault(account, {})[agent.id] = agent

    def logout(self, agent: AgentRecord) -> None:
        self.remove(agent)
        for account in agent.trainings:
            trained = self._trained.get(account)
            if trained is not None:
                trained.pop(agent.id, None)
                if not trained:
                    del self._trained[account]

    def add(self, agent: AgentRecord) -> None:
        self._seq += 1
        agent.ready_seq = self._seq
        self.ready[agent.id] = agent
        for lang in agent.languages:
            self._by_lang.setdefault(lang, {})[agent.id] = agent

    def remove(self, agent: AgentRecord) -> None:
        if self.ready.pop(agent.id, None) is None:
            return
        for lang in agent.languages:
            del self._by_lang[lang][agent.id]

    def trained_on(self, account: str) -> dict[str, AgentRecord]:
        """Logged-in agents trained on ``account``, whatever their status."""
        return self._trained.get(account, {})

    def candidates(self, call: LiveCall) -> Iterator[AgentRecord]:
        """Ready agents who meet the call's hard requirements, longest idle first."""
        source: dict[str, AgentRecord] = self.ready
        for lang in call.languages:
            agents = self._by_lang.get(lang)
            if not agents:
                return
            if len(agents) < len(source):
                source = agents
        if call.certification_required:
            trained = self._trained.get(call.account)
            if not trained:
                return
            if len(trained) < len(source):
                ready = [a for a in trained.values() if a.id in self.ready]
                ready.sort(key=lambda a: a.ready_seq)
                source = {a.id: a for a in ready}
        for agent in source.values():
            if agent.can_take(call) and agent.id not in call.declined:
                yield agent
