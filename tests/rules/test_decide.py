"""decide(): every treatment, the fallback chain, skipped rules, explanations in words."""

from __future__ import annotations

from dataclasses import replace

from rules_helpers import (
    CLAIRE,
    DIALLED,
    MONDAY_10,
    VIP_CALLER,
    available,
    directory,
    meeting,
    paris,
    rule,
)

from accueil.core.availability import Delegation, Source
from accueil.core.decision import Call, RingTarget, RuleChain, decide
from accueil.core.rules import Scope
from accueil.core.treatments import Answer, Connect, Message, OnCall, Reject

VIP_TO_MOBILE = rule(
    "VIP → mobile",
    {"type": "connect", "devices": [{"device": "mobile", "timeout": 20}]},
    {"caller_in_list": "VIP"},
)
CALL = Call(VIP_CALLER, DIALLED)
OTHER = Call("+33 1 45 00 00 00", DIALLED)


def test_the_issue_example_reads_as_one_sentence() -> None:
    decision = decide(CALL, directory(), meeting(), RuleChain(person=(VIP_TO_MOBILE,)), MONDAY_10)
    assert decision.explanation.startswith(
        "VIP → mobile matched: +33 6 12 34 56 78 is in list 'VIP' (Le président); "
        "Claire is in a meeting (calendar: 'Comité de direction', until 15:00)"
    )
    assert decision.explanation.endswith(
        "→ ring mobile +33 6 12 34 56 78 (20 s); if no answer: the pool answers"
    )
    assert isinstance(decision.treatment, Connect)
    assert decision.targets == (RingTarget("mobile", "+33612345678", 20),)
    assert [c.value for c in decision.conditions] == [True]


def test_connect_rings_devices_in_sequence_or_together_with_a_fallback() -> None:
    together = rule(
        "both",
        {
            "type": "connect",
            "ring": "together",
            "devices": [{"device": "desk", "timeout": 15}, {"device": "mobile"}],
            "no_answer": {"type": "message", "urgency": "urgent", "delivery": ["sms"]},
        },
    )
    decision = decide(OTHER, directory(), available(), RuleChain(person=(together,)), MONDAY_10)
    assert [t.device for t in decision.targets] == ["desk", "mobile"]
    assert "ring desk sip:2001@pbx.example (15 s) + ring mobile" in decision.explanation
    assert "if no answer: take a message (urgent, by sms)" in decision.explanation
    assert "both matched: always; Claire is available" in decision.explanation


def test_answer_carries_script_priority_and_languages() -> None:
    answer = rule("pool", {"type": "answer", "script": "s-42", "priority": 3, "languages": ["en"]})
    decision = decide(OTHER, directory(), available(), RuleChain(account=(answer,)), MONDAY_10)
    assert decision.treatment == Answer(script="s-42", priority=3, languages=["en"])
    assert decision.scope is Scope.ACCOUNT
    assert "the pool answers (script s-42, priority +3, en)" in decision.explanation


def test_message_with_delivery_preference_and_urgency() -> None:
    message = rule("msg", {"type": "message", "delivery": ["webhook", "email"], "urgency": "low"})
    decision = decide(OTHER, directory(), meeting(), RuleChain(person=(message,)), MONDAY_10)
    assert decision.treatment == Message(delivery=["webhook", "email"], urgency="low")


def test_on_call_resolves_who_is_on_call_now_in_order() -> None:
    on_call = rule("nights", {"type": "on_call", "rota": "nights"})
    chain = RuleChain(account=(on_call,))
    evening = decide(OTHER, directory(), None, chain, paris(2026, 11, 30, 20))
    assert evening.contacts == ("+33611111111", "+33622222222")
    assert isinstance(evening.treatment, OnCall)
    assert "on call: +33 6 11 11 11 11, then +33 6 22 22 22 22" in evening.explanation
    saturday = decide(OTHER, directory(), None, chain, paris(2026, 12, 5, 11))
    assert saturday.contacts == ("+33633333333",)
    nobody = decide(OTHER, directory(), None, chain, MONDAY_10)  # no shift covers Monday 10:00
    assert nobody.rule == "fallback"
    assert nobody.trace[0].note == "nobody is on call in rota 'nights' now"


def test_reject_blocked_callers_politely_or_busy() -> None:
    polite = rule(
        "blocked",
        {"type": "reject", "say": "Nous ne pouvons pas donner suite."},
        {"caller_in_list": "blocked"},
    )
    busy = rule("spam", {"type": "reject", "mode": "busy"}, {"caller_withheld": True})
    chain = RuleChain(person=(polite, busy))
    blocked = decide(Call("+33 8 99 12 34 56", DIALLED), directory(), available(), chain, MONDAY_10)
    assert blocked.treatment == Reject(say="Nous ne pouvons pas donner suite.")
    assert blocked.explanation.endswith('→ reject politely ("Nous ne pouvons pas donner suite.")')
    hidden = decide(Call("anonymous", DIALLED), directory(), available(), chain, MONDAY_10)
    assert hidden.treatment == Reject(mode="busy") and "reject (busy tone)" in hidden.explanation


def test_person_then_group_then_account_then_fallback() -> None:
    person = rule(
        "vip", {"type": "connect", "devices": [{"device": "mobile"}]}, {"caller_in_list": "VIP"}
    )
    group = rule("partners in meetings", {"type": "message"}, {"availability": ["meeting"]})
    account = rule("closed", {"type": "on_call", "rota": "nights"}, {"account_open": False})
    chain = RuleChain((person,), (group,), (account,))
    assert decide(CALL, directory(), meeting(), chain, MONDAY_10).scope is Scope.PERSON
    by_group = decide(OTHER, directory(), meeting(), chain, MONDAY_10)
    assert (by_group.scope, by_group.rule) == (Scope.GROUP, "partners in meetings")
    assert by_group.explanation.startswith(
        "partners in meetings matched: Claire is in a meeting (calendar:"
    )
    by_account = decide(OTHER, directory(), available(), chain, paris(2026, 11, 30, 19))
    assert by_account.scope is Scope.ACCOUNT
    fallback = decide(OTHER, directory(), available(), chain, MONDAY_10)
    assert (fallback.scope, fallback.treatment) == (Scope.FALLBACK, Answer())
    assert fallback.explanation.startswith("no rule matched (3 tried): the pool answers; Claire")
    assert [t.matched for t in fallback.trace] == [False, False, False]


def test_disabled_rules_are_skipped_and_said_so() -> None:
    off = rule("off", {"type": "message"}, enabled=False)
    decision = decide(OTHER, directory(), available(), RuleChain(person=(off,)), MONDAY_10)
    assert decision.rule == "fallback" and decision.trace[0].note == "disabled"


def test_a_rule_naming_a_device_that_is_gone_is_skipped_not_fatal() -> None:
    car = rule("car", {"type": "connect", "devices": [{"device": "car"}]})
    then = rule("then", {"type": "message"})
    decision = decide(OTHER, directory(), available(), RuleChain(person=(car, then)), MONDAY_10)
    assert decision.rule == "then"
    assert decision.trace[0].note == "Claire Martin has none of the devices car any more"


def test_connect_on_the_switchboard_is_skipped() -> None:
    connect = rule("ring", {"type": "connect", "devices": [{"device": "mobile"}]})
    decision = decide(OTHER, directory(person=None), None, RuleChain(account=(connect,)), MONDAY_10)
    assert decision.rule == "fallback" and "switchboard" in decision.trace[0].note
    assert decision.explanation == "no rule matched (1 tried): the pool answers"


def test_explanations_name_the_delegate_and_staleness() -> None:
    cover = Delegation("paul", "Paul Roy", MONDAY_10, None)
    stale = replace(meeting(), stale=True, as_of=MONDAY_10.replace(day=27), delegate=cover)
    decision = decide(OTHER, directory(), stale, RuleChain(), MONDAY_10)
    assert "stale: calendar last read 3 d ago" in decision.explanation
    assert decision.explanation.endswith("; Paul Roy covers")
    own = replace(stale, source=Source.MANUAL)
    assert (
        "stale: set 3 d ago" in decide(OTHER, directory(), own, RuleChain(), MONDAY_10).explanation
    )


def test_explanations_in_french() -> None:
    decision = decide(
        CALL, directory(), meeting(), RuleChain(person=(VIP_TO_MOBILE,)), MONDAY_10, lang="fr"
    )
    assert decision.explanation.startswith(
        "« VIP → mobile » s'applique : +33 6 12 34 56 78 est dans la liste « VIP » (Le président); "
        "Claire est en réunion (agenda : 'Comité de direction', jusqu'à 15:00) → "
        "sonner mobile +33 6 12 34 56 78 (20 s) ; sans réponse : le pool répond"
    )


def test_until_on_another_day_names_the_day() -> None:
    back_monday = meeting(until=paris(2026, 12, 7, 9), note="Congés")
    decision = decide(OTHER, directory(), back_monday, RuleChain(), paris(2026, 12, 3, 10))
    assert "until Mon 09:00" in decision.explanation
    far = decide(OTHER, directory(), back_monday, RuleChain(), MONDAY_10)
    assert "until 7 Dec 09:00" in far.explanation


def test_a_person_without_devices_on_a_connect_group_rule_falls_through() -> None:
    group_rule = rule("desk first", {"type": "connect", "devices": [{"device": "desk"}]})
    no_desk = replace(CLAIRE, devices=CLAIRE.devices[:1])
    decision = decide(
        OTHER, directory(person=no_desk), available(), RuleChain(group=(group_rule,)), MONDAY_10
    )
    assert decision.rule == "fallback"
