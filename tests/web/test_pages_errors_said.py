"""The services' errors are said in the page's language: an error carries its template and
values (``says``), the page translates the template through its catalogue and puts the values
back; the API, the CLI and the logs keep the English, made from the same template."""

from __future__ import annotations

import ast
import html
import json
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from web_world import World

from accueil.core.phone import to_e164
from accueil.core.scripts.templates import check
from accueil.errors import InvalidInput, Problem, Said, ValidationFailed, reason_of, says
from accueil.web.error_words import said, where
from accueil.web.i18n import catalogue_path, translator

FR, EN = translator("fr"), translator("en")
SRC = Path(__file__).resolve().parents[2] / "src" / "accueil"
ACCOUNT = "/accounts/alpha"
BAD = (
    b"account,key,first_name,last_name,group\n"
    b"alpha,lea,Lea,Roux,compta\n"
    b"alpha,tom,Tom,Vert,\n"
    b"alpha,tom,Tom,Vert,\n"
)
# Where the errors a page can show are raised (core/routing, switchboard/ and sip/ words
# reach no page but the desk's refusals, which switchboard/board.py makes with says).
PAGE_PATHS = ("services", "core", "directory_io", "api", "web", "dispatch")
# What carries a message a page shows: accueil's errors, their problems, and the exceptions the
# readers and validators turn into problems (pydantic passes a validator's ValueError on).
CARRIERS = {
    "AccueilError", "NotFound", "Conflict", "InvalidInput", "ValidationFailed", "Unauthenticated",
    "FeedUnreachable", "CsrfFailed", "PreconditionFailed", "PreconditionRequired", "Forbidden",
    "TooManyRequests", "BadSignature", "SwitchboardDown", "BadFeedUrl", "CalendarError",
    "ScriptError", "TemplateFailed", "InvalidHours", "InvalidTimezone", "InvalidNumber",
    "SignInNeeded", "Problem", "FieldError", "BadAnswer", "AnswerError", "TemplateProblem",
    "ValueError", "problem", "fail", "SendFailed",
}  # fmt: skip


def _french() -> dict[str, str]:
    with catalogue_path("fr").open("rb") as po:
        catalogue = read_po(po, locale="fr")
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def _templates() -> set[str]:
    """Every template of an error's words, as `make messages` extracts it."""
    found = extract_from_dir(str(SRC), [("**.py", "python")], keywords={"says": None, "N_": None})
    return {item[2] for item in found if isinstance(item[2], str)}


def test_every_error_template_has_its_french_in_the_pages_catalogue() -> None:
    french = _french()
    templates = _templates()
    assert len(templates) > 300, "the extraction found the errors' words"
    assert sorted(templates - french.keys()) == [], "run `make messages` and translate these"
    for template in templates:
        assert french[template] != template or template in {"%(where)s: %(reason)s"}, template


def _worded_by_hand(path: Path) -> list[str]:
    """The messages of ``path`` given to an error as a literal or an f-string, not ``says``."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in CARRIERS:
            continue
        first = [] if name == "ValidationFailed" or not node.args else [node.args[0]]
        words = first + [k.value for k in node.keywords if k.arg in ("message", "reason")]
        for arg in words:
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value
            if literal or isinstance(arg, ast.JoinedStr):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_every_error_a_page_can_show_is_made_with_says() -> None:
    """A message written as a plain string would be English on a French page: make it with
    ``says`` (and `make messages`) instead."""
    by_hand = [
        where
        for part in PAGE_PATHS
        for path in sorted((SRC / part).rglob("*.py"))
        if "routing" not in path.parts
        for where in _worded_by_hand(path)
    ]
    assert by_hand == []


def test_the_english_is_made_from_the_template_as_before() -> None:
    said_ = says("no person %(person)r in account %(account)r", person="tom", account="alpha")
    assert said_ == "no person 'tom' in account 'alpha'"
    assert isinstance(said_, str) and said_.template.startswith("no person")
    error = InvalidInput(said_, field="person")
    assert error.to_dict()["message"] == "no person 'tom' in account 'alpha'"
    assert json.dumps(error.to_dict()).startswith('{"code": "invalid_input", "message": "no p')
    assert str(ValidationFailed([Problem(said_)])) == (
        "1 problem found; nothing was changed\n  <input>: no person 'tom' in account 'alpha'"
    )
    assert said(said_, EN) == said_, "English pages show the message as it is"


def test_a_page_says_the_template_in_its_language_with_the_same_values() -> None:
    message = says("no person %(person)r in account %(account)r", person="tom", account="alpha")
    assert said(message, FR) == "pas de personne 'tom' dans le compte 'alpha'"
    assert said("a message made without says", FR) == "a message made without says"
    assert where(Problem("x", file="people.csv", line=3, column="group"), FR) == (
        "people.csv, ligne 3, colonne 'group'"
    )


def test_a_reason_inside_a_message_is_said_too() -> None:
    try:
        to_e164("12345678901234567890", "FR")
    except InvalidInput as exc:
        english = exc.message
    assert english == (
        "'12345678901234567890' is not a phone number "
        "(The string supplied is too long to be a phone number.)"
    )
    assert said(english, FR) == (
        "'12345678901234567890' n'est pas un numéro de téléphone "
        "(ce texte est trop long pour être un numéro de téléphone)"
    )


def test_pydantics_words_keep_their_english_and_are_said_in_french() -> None:
    error = {"type": "greater_than_equal", "msg": "Input should be greater than or equal to 5",
             "ctx": {"ge": 5}, "loc": ("timeout",)}  # fmt: skip
    reason = reason_of(error)
    assert reason == "Input should be greater than or equal to 5"
    assert said(reason, FR) == FR("Input should be greater than or equal to %(ge)s", ge=5)
    assert said(reason, FR) != reason
    odd = {"type": "string_too_long", "msg": "String should have at most 1 character",
           "ctx": {"max_length": 1}, "loc": ()}  # fmt: skip
    assert reason_of(odd) == "String should have at most 1 character", "pydantic's, as it is"


def test_liquids_syntax_errors_are_said_in_french_at_their_place() -> None:
    [problem] = check("Bonjour {% endif %}", [])
    assert problem.reason == "syntax error: unexpected tag 'endif'"
    assert (problem.line, problem.column) == (1, 12)
    assert said(problem.reason, FR) == "erreur de syntaxe : balise 'endif' inattendue"
    [problem] = check("{{ caller.name ", [])
    assert problem.reason == "syntax error: expected '}}', found end of file"
    assert said(problem.reason, FR) == "erreur de syntaxe : attendu : '}}', trouvé : fin du fichier"


def test_a_french_client_admin_reads_the_import_problems_in_french(world: World) -> None:
    admin = world.browser("alpha_admin")  # Cabinet Alpha answers in French: its admin too
    headers = {"X-CSRF-Token": admin.cookies["accueil_csrf"], "HX-Request": "true"}
    files = {"files": ("people.csv", BAD, "text/csv")}
    answer = admin.post(ACCOUNT + "/import", data={"dry_run": "true"}, files=files, headers=headers)
    shown = html.unescape(answer.text)
    assert "équipe inconnue 'compta' dans le compte 'alpha' (ajoutez-la aux équipes)" in shown
    assert "unknown group" not in shown
    assert "person 'tom' en double (déjà en people.csv:3)" in shown, shown


def test_the_same_error_in_english_on_an_english_page_and_from_the_api(world: World) -> None:
    admin = world.browser("alpha_admin")
    admin.cookies.set("accueil_lang", "en")
    try:
        headers = {"X-CSRF-Token": admin.cookies["accueil_csrf"], "HX-Request": "true"}
        files = {"files": ("people.csv", BAD, "text/csv")}
        answer = admin.post(
            ACCOUNT + "/import", data={"dry_run": "true"}, files=files, headers=headers
        )
        assert "unknown group 'compta' in account 'alpha'" in html.unescape(answer.text)
    finally:
        admin.cookies.delete("accueil_lang")


def test_the_operator_admins_wrong_training_is_said_in_french(world: World) -> None:
    root = world.browser("root")
    root.cookies.set("accueil_lang", "fr")
    try:
        page = html.unescape(root.get("/operator").text)
        version = page.split('hx-post="/operator/agents/alice"', 1)[1]
        version = version.split('name="version" value="', 1)[1].split('"', 1)[0]
        headers = {"X-CSRF-Token": root.cookies["accueil_csrf"], "HX-Request": "true"}
        data = {"site": "paris", "languages": "fr", "trainings": "alpha:7", "version": version}
        answer = root.post("/operator/agents/alice", data=data, headers=headers)
        shown = html.unescape(answer.text)
        assert answer.status_code == 422
        assert "7 est hors limites (1 à 3)" in shown, shown
        assert "out of range" not in shown
    finally:
        root.cookies.delete("accueil_lang")


def test_the_desk_says_the_streams_refusals_in_its_language(world: World) -> None:
    """desk.js asks /desk/said with the words (template and values) of the stream's error."""
    refusal = says(
        "the script is not finished: next question %(step)r (%(prompt)s)",
        step="nom",
        prompt="Qui est à l'appareil ?",
    )
    sup = world.browser("sup")
    sup.cookies.set("accueil_lang", "fr")
    try:
        answer = sup.get("/desk/said", params={"words": json.dumps(refusal.words())})
        assert answer.status_code == 200
        assert answer.text == (
            "le script n'est pas fini : question suivante 'nom' (Qui est à l'appareil ?)"
        )
        assert sup.get("/desk/said", params={"words": "{not json"}).status_code == 422
        odd = {"template": "%(a)s and %(b)s", "values": {"a": 1}}
        assert sup.get("/desk/said", params={"words": json.dumps(odd)}).status_code == 422
    finally:
        sup.cookies.delete("accueil_lang")
    words = json.dumps(refusal.words())
    for user in ("claire", "alpha_admin"):
        assert world.browser(user).get("/desk/said", params={"words": words}).status_code == 404


def test_words_cross_json_and_come_back_the_same_message() -> None:
    inner = says("%(label)s is required", label="Nom")
    outer = says("answer to %(step)r does not fit: %(reason)s", step="nom", reason=inner)
    back = Said.from_words(json.loads(json.dumps(outer.words())))
    assert back == outer == "answer to 'nom' does not fit: Nom is required"
    assert said(back, FR) == said(outer, FR) != outer


def test_the_agents_stream_sends_an_errors_words_next_to_its_english() -> None:
    from accueil.api.routes.agent_stream import _error

    refusal = says("the script ended without an outcome")
    sent = _error("7", "invalid_input", refusal, {"field": "answers"})
    assert sent["message"] == "the script ended without an outcome"
    assert sent["words"] == {"template": "the script ended without an outcome", "values": {}}
    assert "words" not in _error(None, "closed", "too slow: reconnect"), "no words, none sent"
