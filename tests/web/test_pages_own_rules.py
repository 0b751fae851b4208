"""The employee's page keeps their own VIP list and rules, within the account's policy that the
client admin sets on the "Rules and script" page; every change is audited like the API's."""

from __future__ import annotations

import html
import re
from typing import Any

from web_world import World

from accueil.core.rules import Scope
from accueil.services.audit import read_audit
from accueil.services.employee_policy import get_policy
from accueil.services.rules import get_rules
from accueil.services.vip_lists import get_vip_list
from accueil.web.rule_form import input_of

PAGE = "/accounts/alpha/people/claire"
FAMILY = "06 98 76 54 32 = Maman\n\n+44 20 7946 0958 = Top client, London\n"


def _post(world: World, user: str, path: str, data: Any) -> Any:
    browser = world.browser(user)
    headers = {"HX-Request": "true", "X-CSRF-Token": browser.cookies["accueil_csrf"]}
    return browser.post(path, data=data, headers=headers)


def _row(name: str, when: str, then: str, seconds: str = "20", fallback: str = "message") -> Any:
    return {"kind": "form", "name": name, "when": when, "then": then, "seconds": seconds,
            "fallback": fallback}  # fmt: skip


def _rules(*rows: dict[str, str], version: int = 0) -> dict[str, Any]:
    fields: dict[str, Any] = {k: [r[k] for r in rows] for k in rows[0]}
    return {**fields, "enabled": [str(i) for i in range(len(rows))], "version": str(version)}


def test_an_employee_keeps_her_vip_list_on_her_page(both: World) -> None:
    world = both  # on SQLite and PostgreSQL
    saved = _post(world, "claire", PAGE + "/vip", {"contacts": FAMILY, "version": "0"})
    assert saved.status_code == 200, saved.text
    assert "+33698765432 = Maman" in html.unescape(saved.text)
    with world.runtime.unit() as s:
        mine = get_vip_list(s, "alpha", "claire")
    assert [(c.number, c.name) for c in mine.contacts] == [
        ("+33698765432", "Maman"),
        ("+442079460958", "Top client, London"),
    ]
    assert mine.saved_by == "claire"
    with world.runtime.unit() as s:
        row = read_audit(s, "alpha", user="claire")[0]
    assert row.operation == "POST /accounts/{account}/people/{person}/vip"
    bad = _post(world, "claire", PAGE + "/vip", {"contacts": "06 11 = Léa\n\n12", "version": "1"})
    said = html.unescape(bad.text)
    assert bad.status_code == 422 and "ligne 1 :" in said and "ligne 3 :" in said
    marked = 'aria-invalid="true" aria-describedby="my-vip-refused" autofocus>06 11 = Léa'
    assert marked in said and 'id="my-vip-refused"' in said, "the box marked, what was typed"
    stale = _post(world, "claire", PAGE + "/vip", {"contacts": "", "version": "0"})
    assert stale.status_code == 412
    with world.runtime.unit() as s:
        assert get_vip_list(s, "alpha", "claire").version == 1


def test_her_rules_put_her_vips_through_and_the_preview_says_so(world: World) -> None:
    _post(world, "claire", PAGE + "/vip", {"contacts": FAMILY, "version": "0"})
    rows = _rules(
        _row("Ma famille", "vip", "connect:mobile", "25"), _row("Réunion", "meeting", "message")
    )
    saved = _post(world, "claire", PAGE + "/rules", rows)
    assert saved.status_code == 200, saved.text
    with world.runtime.unit() as s:
        rules = get_rules(s, "alpha", Scope.PERSON, "claire")
    assert [r.name for r in rules.rules] == ["Ma famille", "Réunion"] and rules.saved_by == "claire"
    page = html.unescape(world.browser("claire").get(PAGE).text)
    assert 'value="Ma famille"' in page and '<option value="+33698765432">Maman</option>' in page
    preview = world.browser("claire").get(PAGE + "/preview", params={"caller": "+33698765432"})
    said = html.unescape(preview.text)
    assert "Maman (+33698765432)" in said and "Ma famille" in said and "Maman" in said


def test_the_policy_set_by_the_admin_holds_her_but_not_the_admin(both: World) -> None:
    world = both  # on SQLite and PostgreSQL
    policy = {"treatments": ["connect", "message"], "max_ring_seconds": "30", "greeting": "",
              "block": "true", "version": "0"}  # fmt: skip
    assert _post(world, "alpha_admin", "/accounts/alpha/employee-policy", policy).status_code == 200
    with world.runtime.unit() as s:
        found = get_policy(s, "alpha")
        audit = read_audit(s, "alpha", user="alpha_admin")[0]
    assert found.version == 1 and found.policy.mobile is False
    assert found.policy.max_ring_seconds == 30 and found.policy.greeting is False
    assert audit.operation == "POST /accounts/{account}/employee-policy"
    scripts = html.unescape(world.browser("alpha_admin").get("/accounts/alpha/scripts").text)
    assert 'data-testid="policy-form"' in scripts
    beyond = _rules(_row("Ma famille", "vip", "connect:mobile", "40"))
    refused = _post(world, "claire", PAGE + "/rules", beyond)
    assert refused.status_code == 403, refused.text
    told = html.unescape(refused.text)
    assert "Ma famille" in told and "portable" in told and "30 secondes" in told
    with world.runtime.unit() as s:
        assert get_rules(s, "alpha", Scope.PERSON, "claire").version == 0  # nothing saved
    page = html.unescape(world.browser("claire").get(PAGE).text)
    assert 'data-testid="greeting-kept"' in page and 'data-testid="policy-said"' in page
    greeting = {"lang": "fr", "situation": "office_hours", "text": "Bonjour"}
    assert _post(world, "claire", PAGE + "/greeting", greeting).status_code == 403
    # her client admin, on her page, is not limited
    assert _post(world, "alpha_admin", PAGE + "/rules", beyond).status_code == 200
    assert _post(world, "alpha_admin", PAGE + "/greeting", greeting).status_code == 200


def test_a_colleague_and_another_account_find_nothing(world: World) -> None:
    paul = "/accounts/alpha/people/paul"
    assert (
        _post(world, "claire", paul + "/vip", {"contacts": "", "version": "0"}).status_code == 404
    )
    rows = _rules(_row("x", "always", "message"))
    assert _post(world, "claire", paul + "/rules", rows).status_code == 404
    policy = {"treatments": ["message"], "version": "0"}
    assert _post(world, "claire", "/accounts/alpha/employee-policy", policy).status_code == 404
    assert _post(world, "bravo_admin", "/accounts/alpha/employee-policy", policy).status_code == 404
    with world.runtime.unit() as s:
        assert get_policy(s, "alpha").version == 0


def test_a_rule_moved_up_is_shown_first_and_kept_once_saved(world: World) -> None:
    rows = _rules(_row("Bureau", "always", "message"), _row("Ma famille", "vip", "answer"))
    moved = _post(world, "claire", PAGE + "/rules", {**rows, "up": "1"})
    assert moved.status_code == 200, moved.text
    shown = html.unescape(moved.text)
    assert shown.index('value="Ma famille"') < shown.index('value="Bureau"')
    with world.runtime.unit() as s:
        assert get_rules(s, "alpha", Scope.PERSON, "claire").version == 0  # not saved yet
    order = {k: list(reversed(v)) if isinstance(v, list) else v for k, v in rows.items()}
    assert _post(world, "claire", PAGE + "/rules", order).status_code == 200
    with world.runtime.unit() as s:
        saved = get_rules(s, "alpha", Scope.PERSON, "claire").rules
    assert [r.name for r in saved] == ["Ma famille", "Bureau"]


def _marked(page: str, ident: str) -> str:
    """The start tag of the input ``ident`` and the reason said beside it ("" if not said)."""
    tag = re.search(rf'<(?:input|select) id="{ident}"[^>]*>', page)
    said = re.search(rf'<span class="field-error" id="{ident}-refused">([^<]*)</span>', page)
    assert tag is not None, ident
    return tag[0] + (said[1] if said else "")


def test_a_rule_beyond_the_policy_marks_the_inputs_it_is_about(both: World) -> None:
    world = both  # on SQLite and PostgreSQL
    policy = {"treatments": ["connect", "message"], "max_ring_seconds": "30", "block": "true",
              "version": "0"}  # fmt: skip
    assert _post(world, "alpha_admin", "/accounts/alpha/employee-policy", policy).status_code == 200
    rows = _rules(
        _row("Bureau", "always", "message"), _row("Ma famille", "vip", "connect:mobile", "40")
    )
    refused = _post(world, "claire", PAGE + "/rules", rows)
    assert refused.status_code == 403, refused.text
    page = html.unescape(refused.text)
    then, seconds = _marked(page, "rule-1-then"), _marked(page, "rule-1-seconds")
    assert 'aria-invalid="true" aria-describedby="rule-1-then-refused" autofocus>' in then
    assert then.endswith(
        "votre société ne vous permet pas de transférer les appels sur un portable"
    )
    assert 'value="40" aria-invalid="true" aria-describedby="rule-1-seconds-refused">' in seconds
    assert seconds.endswith("votre société permet au plus 30 secondes de sonnerie")
    assert page.count("aria-invalid") == 2 and page.count("autofocus") == 1
    assert "aria-invalid" not in _marked(page, "rule-0-then") + _marked(page, "rule-1-name")
    assert 'value="Ma famille"' in page and 'value="Bureau"' in page, "the rows as she sent them"
    assert '<option value="connect:mobile" selected>' in page
    assert "Non enregistré : votre société ne le permet pas." in page
    with world.runtime.unit() as s:
        assert get_rules(s, "alpha", Scope.PERSON, "claire").version == 0  # nothing saved


def test_a_wrong_input_of_her_rules_is_marked_and_the_rest_named_in_the_message(
    world: World,
) -> None:
    too_long = _rules(_row("Ma famille", "vip", "connect:mobile", "200"))
    refused = _post(world, "claire", PAGE + "/rules", too_long)
    assert refused.status_code == 422, refused.text
    page = html.unescape(refused.text)
    seconds = _marked(page, "rule-0-seconds")
    marked = 'value="200" aria-invalid="true" aria-describedby="rule-0-seconds-refused" autofocus>'
    assert marked in seconds, "what she typed, marked and focused"
    assert seconds.endswith("la valeur doit être inférieure ou égale à 120"), seconds
    assert "corrigez le champ signalé" in page and 'value="Ma famille"' in page
    wrong = _rules(_row("Bureau", "always", "message"), _row("Ma famille", "nowhere", "answer"))
    page = html.unescape(_post(world, "claire", PAGE + "/rules", wrong).text)
    when = _marked(page, "rule-1-when")
    assert 'aria-describedby="rule-1-when-refused" autofocus>' in when
    assert when.endswith("'nowhere' n'est pas un choix de « quand »")
    twice = _rules(_row("Bureau", "always", "message"), _row("Bureau", "vip", "answer"))
    refused = _post(world, "claire", PAGE + "/rules", twice)
    page = html.unescape(refused.text)
    assert refused.status_code == 422 and "aria-invalid" not in page, "no one input to mark"
    assert "deux règles s'appellent 'Bureau'" in page and "Non enregistré : 1 problème(s)." in page
    with world.runtime.unit() as s:
        assert get_rules(s, "alpha", Scope.PERSON, "claire").version == 0  # nothing saved


def test_another_accounts_user_sees_nothing_of_her_rules_when_refused(world: World) -> None:
    rows = _rules(_row("Ma famille secrète", "vip", "connect:mobile", "200"))
    for stranger in ("bravo_admin", "bruno"):
        answer = _post(world, stranger, PAGE + "/rules", rows)
        assert answer.status_code == 404, (stranger, answer.text)
        said = html.unescape(answer.text)
        assert "aria-invalid" not in said and "Ma famille secrète" not in said
        assert 'id="rule-0-name"' not in said
    with world.runtime.unit() as s:
        assert get_rules(s, "alpha", Scope.PERSON, "claire").version == 0


def test_a_problems_path_names_the_input_of_the_row_it_is_about() -> None:
    assert input_of("rules[2].then.devices[0].timeout") == (2, "seconds")
    assert input_of("rules[0].then.devices") == (0, "seconds")  # the rings in all
    assert input_of("rules[0].then.devices[0].device") == (0, "then")  # a mobile
    assert input_of("rules[1].then.no_answer") == (1, "fallback")
    assert input_of("rules[3].when.caller_in_list") == (3, "when")
    assert input_of("rules[1].enabled") == (1, "") and input_of("rules[1]") == (1, "")
    assert input_of("") is None and input_of("account") is None
