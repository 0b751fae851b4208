"""The services' errors said in the page's language.

The services, the API and the CLI word their errors in English (`errors.py`: one message, a
stable code, details). A page shows them in the viewer's language: each English message the
pages can meet is written here once as a gettext template, its values as ``%(name)s`` (marked
``N_`` for `make messages`; its French is in the pages' catalogue). ``said`` finds the template
the whole message was made from, translates it and puts the values back (a value that is
itself a known message, as in "Phone: …", is said too); a message not found here stays as the
service wrote it. The values (what was typed, a key, a field's name) are never translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from accueil.errors import Problem

Translate = Callable[..., str]


def N_(message: str) -> str:
    return message


# Ordered as the modules that raise them; `said` tries the most specific first.
TEMPLATES = [
    # web/*: the pages' own checks
    N_("at most %(n)s files at once"),
    N_("%(name)s: the name says the format (.yaml, .yml or .csv)"),
    N_("pick two versions to compare"),
    N_("%(text)s is not a day; write it as 2026-12-24"),
    N_("at most %(n)s numbers in a list"),
    N_("you are on no call %(call)s"),
    N_("call %(call)s is not answered yet"),
    N_("search the account of the call you are on"),
    N_("you cannot deactivate yourself"),
    N_("at most %(n)s contacts"),
    N_("%(value)s is not a choice of 'when'"),
    N_("%(value)s is not a choice of 'then'"),
    N_("%(value)s is not a choice of 'if no answer'"),
    N_("%(value)s is not a number of seconds"),
    N_("%(choice)s is not a choice; use one of %(choices)s"),
    N_("%(text)s is not a time; write it as 15:00"),
    N_("%(text)s is not a date; write it as 2026-12-24"),
    N_("%(text)s is not a time; pick a day and a time"),
    # errors.py
    N_("%(n)s problem found; nothing was changed"),
    N_("%(n)s problems found; nothing was changed"),
    # services: availability, lists, rules, greetings, policy
    N_("%(origin)s…: a status's origin is at most 20 characters"),
    N_("the status would end at %(until)s, which is already past; give a time in the future"),
    N_("a person cannot cover for themselves; name a colleague"),
    N_("the delegation ends before it starts"),
    N_("the closure ends before it starts"),
    N_("%(text)s is not a status; use one of: %(known)s"),
    N_("at most %(limit)s characters (this has %(length)s)"),
    N_("a caller list needs a key, e.g. VIP"),
    N_("an employee saves only their own rules"),
    N_("two rules are named %(name)s; names tell rules apart"),
    N_("a rules document is for a person or a group, not both"),
    N_("%(lang)s: this account answers in %(languages)s"),
    N_("%(situation)s is not a situation; use one of %(known)s"),
    N_("a greeting is 1 to %(n)s characters"),
    # services: the directory's changes (client admin, operator admin)
    N_("give the person's first or last name"),
    N_("the key %(key)s is already someone's; choose another"),
    N_("%(person)s has not left"),
    N_("give the team a name"),
    N_("there is already a team %(key)s"),
    N_("%(number)s already leads to this account"),
    N_("%(number)s is not free; ask the answering service"),
    N_("give the secretary a name"),
    N_("give the account a name"),
    N_(
        "the directory changed while importing (another import ran at the same time?); "
        "nothing was changed: run the import again"
    ),
    # services: users, sessions
    N_("a user's name is 1 to 100 characters"),
    N_("there is already a user named %(name)s"),
    N_("a %(role)s belongs to one account; name it"),
    N_("a %(role)s works for the whole operator; leave the account out"),
    N_("an employee is one person of the account; name it"),
    N_("a %(role)s has no person; leave it out"),
    N_("a password is at least %(n)s characters"),
    N_("%(text)s is not a role; use one of: %(known)s"),
    N_("wrong user name or password"),
    N_("the user %(name)s is deactivated"),
    N_("you are signed out; sign in again"),
    N_("your session expired; sign in again"),
    N_("this user is deactivated"),
    # services: messages, deliveries, usage
    N_("delivery %(delivery)s is %(state)s, not dead: only a dead one is retried by hand"),
    N_("the range ends (%(last)s) before it starts (%(first)s)"),
    N_("%(days)s days is longer than %(most)s: ask in parts"),
    N_("%(day)s is not a day accueil counts calls on"),
    # scripts: saving, checking, walking
    N_(
        "version %(version)s of the %(owner)s script of %(account)s was saved meanwhile; "
        "look at it (accueil script show) and save again"
    ),
    N_("there is no script to build (save one first)"),
    N_("the script has no steps (add 'steps:')"),
    N_("start: no step '%(step)s'"),
    N_("leads nowhere: add 'next' or end with an action"),
    N_("'%(key)s' is not a question of this script"),
    N_("a yes/no answer is compared with true or false"),
    N_("no person '%(person)s' in this account"),
    N_("no group '%(group)s' in this account"),
    N_("no on-call rota '%(rota)s' in this account (%(have)s)"),
    N_("no step '%(step)s'"),
    N_("%(stray)s not among the choices of '%(key)s'"),
    N_("'%(key)s' must be a %(kind)s question"),
    N_("the steps loop (%(loop)s); a call must end"),
    N_("%(hhmm)s is not a time of day"),
    N_("equals, in and is_set need 'answer: <field id>'"),
    N_("'answer' needs one of equals, in, is_set"),
    N_("a condition needs at least one test"),
    N_("transfer 'to' names exactly one of person or group"),
    N_("a step has exactly one of say, ask, branch, action (found %(kinds)s)"),
    N_("a choice question lists its 'choices', and only it does"),
    N_("a %(kind)s step does not take 'next'"),
    N_("'%(action)s' needs '%(needs)s'"),
    N_("'to' goes with action: transfer"),
    N_("between %(between)s: the end comes before the start"),
    N_("%(stray)s only go with '%(other)s', not '%(kind)s'"),
    N_("step id '%(step)s' is used twice"),
    N_("greetings: '%(language)s' is not a language code (fr, en, …)"),
    N_("the script is longer than %(n)s characters"),
    N_("a script is a mapping (greetings, steps…)"),
    N_("not valid JSON: %(why)s"),
    N_("the script is nested too deeply"),
    N_("the script did not end within %(n)s steps"),
    N_("'date' of 'now': write {{ time.hour }} or {{ time.date }}"),
    N_("syntax error: %(why)s"),
    N_("a range is written with two numbers, at most %(n)s apart: (1..10)"),
    N_("a filter could not compute its value (%(kind)s)"),
    N_("the '%(name)s' tag is not allowed in scripts"),
    N_("unknown filter '%(name)s'"),
    # the answers a secretary types in the desk's script
    N_("%(label)s: %(text)s is not one of the choices (%(options)s)"),
    N_("%(label)s: answer yes or no (oui / non), not %(text)s"),
    N_("%(label)s is too long (%(length)s characters, at most %(most)s)"),
    N_("%(label)s: %(text)s is not an email address (name@example.com)"),
    N_("%(label)s: %(text)s is not a date and time (write 2026-12-01 14:30 or 01/12/2026 14h30)"),
    N_("%(label)s is required"),
    N_("%(label)s: %(given)s is already past; give a time to come"),
    # the desk's outcome refused by the switchboard (the agents' stream)
    N_("the script is not finished: next question %(step)s (%(prompt)s)"),
    N_("answer to %(step)s does not fit: %(reason)s"),
    N_("the script ended without an outcome"),
    # times
    N_("%(text)s: a time is written HH:MM, e.g. 15:00"),
    N_("%(text)s: write a time as HH:MM, 'YYYY-MM-DD HH:MM' or ISO 8601 with an offset"),
    # import files (client admin) and the fields of every form that goes through them
    N_("the file is empty (expected a header line)"),
    N_("missing column %(name)s"),
    N_("the column %(name)s is there twice"),
    N_("not valid CSV from this line on: %(why)s"),
    N_("not valid CSV: %(why)s"),
    N_("cannot tell what this file holds: name it people.csv, numbers.csv… or pass --kind"),
    N_("unknown column %(name)s; %(kind)s have %(allowed)s"),
    N_("%(cells)s cells but the header has %(columns)s columns"),
    N_("%(kind)s is a list of entries, one per %(one)s"),
    N_("each entry of %(kind)s is a mapping of fields (name: value)"),
    N_("%(section)s is a list of entries"),
    N_("not UTF-8: byte 0x%(byte)s at byte %(at)s of the line (%(hint)s)"),
    N_("unknown format: name the file .yaml, .yml or .csv"),
    N_("cannot read the file: %(why)s"),
    N_("unknown field %(name)s; %(kind)s have %(allowed)s"),
    N_(
        "unknown account %(account)s: it is neither in this import nor in the database "
        "(add it to the accounts)"
    ),
    N_("name is required for a new account"),
    N_("a new person needs a first_name or a last_name"),
    N_("unknown group %(group)s in account %(account)s (add it to the groups)"),
    N_("%(raw)s reads as %(e164)s in %(region)s, not %(written)s"),
    N_("unknown person %(person)s in account %(account)s"),
    N_(
        "conflict: %(e164)s already leads to account %(owner)s; release it there first "
        "(a number leads to exactly one account)"
    ),
    N_("name is required for a new agent"),
    N_("duplicate %(label)s %(name)s (already at %(where)s)"),
    N_("the device %(key)s is also in devices"),
    N_(
        "conflict: %(e164)s is claimed twice in this import (also at %(where)s); "
        "a number leads to exactly one account"
    ),
    N_("%(name)s is required"),
    N_("unknown account %(account)s in trainings"),
    N_("expected a list (items separated by %(separator)s in a cell)"),
    N_("%(word)s is not yes or no (write true or false)"),
    N_("a control character (%(char)s) in the text"),
    N_("a key is required"),
    N_("%(key)s is not a key: use letters, digits and . _ @ + - (at most 64 characters)"),
    N_("%(number)s is out of range (%(low)s to %(high)s)"),
    N_("%(code)s is not a country code (write FR, GB, BE, CH…)"),
    N_("%(code)s is not a colour (write #rrggbb, e.g. #4a6fa5)"),
    N_("%(address)s is not an email address"),
    N_("%(word)s is not a device kind (%(kinds)s)"),
    N_("%(spec)s: write a device as kind:address, e.g. mobile:06 12 34 56 78"),
    N_("%(uri)s is not a SIP address (write sip:2001@pbx.example)"),
    N_("a line break in a one-line field (is a quote left open?)"),
    N_("%(code)s is not a language code (write fr, en, de…)"),
    N_("%(word)s is not a whole number"),
    N_("%(name)s is not a time zone (write an IANA name such as Europe/Paris)"),
    N_("bad hours: %(why)s"),
    N_("%(part)s: expected days then ranges, e.g. 'mon-fri 09:00-18:00'"),
    N_("%(day)s: %(a)s and %(b)s overlap"),
    N_("%(head)s: days are written mon, tue, … sun, or a range mon-fri"),
    N_("%(head)s: a day range goes forward, e.g. mon-fri"),
    N_("%(item)s: a range is written HH:MM-HH:MM, e.g. 09:00-12:30"),
    N_("%(item)s: not a time of day"),
    N_("%(item)s: the range ends before it starts (split ranges past midnight)"),
    N_("%(text)s: a time is written HH:MM, e.g. 14:30"),
    N_("%(word)s is not a service tier (%(names)s)"),
    N_("unknown device field %(name)s (key, kind, address)"),
    N_("two devices are named %(key)s; give each its own key"),
    N_("the training on %(name)s is written twice"),
    N_("expected text"),
    N_("too long (%(length)s characters, at most %(limit)s)"),
    N_("not valid YAML: %(why)s"),
    N_("the file is nested too deeply"),
    N_("unknown key '%(key)s'"),
    N_("a step id is lower case letters, digits and _ (used as answers.<id>)"),
    # phone numbers (core/phone.py), with the reasons of the phonenumbers library
    N_("the number is empty"),
    N_("%(raw)s is not a phone number (%(why)s)"),
    N_(
        "%(raw)s is not a valid number in %(country)s "
        "(check the digits, or write it in international form +CC…)"
    ),
    N_("The string supplied did not seem to be a phone number."),
    N_("The string supplied is too long to be a phone number."),
    N_("The string supplied is too short to be a phone number."),
    N_("The string supplied was too long to parse."),
    N_("Country calling code supplied was not recognised."),
    N_("Missing or invalid default region."),
    N_("Could not interpret numbers after plus-sign."),
    N_("%(raw)s: write dialled numbers in international form, +CC…"),
    N_("%(raw)s: write a prefix in international form (at most 15 digits), e.g. '+33 1*'"),
    # pydantic's most common words, as the scripts' and rules' checks pass them on
    N_("Field required"),
    N_("Input should be %(what)s"),
    N_("Input should be a valid string"),
    N_("Input should be a valid integer"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid boolean"),
    N_("Input should be a valid list"),
    N_("Input should be a valid dictionary"),
    N_("Extra inputs are not permitted"),
    N_("String should have at most %(n)s characters"),
    N_("String should have at least %(n)s characters"),
    N_("Input should be greater than or equal to %(n)s"),
    N_("Input should be less than or equal to %(n)s"),
]

_FIELD = re.compile(r"%\((\w+)\)s")


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each template as a pattern of the whole message, the most literal text first (the
    generic ones, mostly values, last)."""
    compiled = []
    for template in TEMPLATES:
        seen: set[str] = set()
        parts, at = [], 0
        for found in _FIELD.finditer(template):
            parts.append(re.escape(template[at : found.start()].replace("%%", "%")))
            name = found[1]
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            at = found.end()
        parts.append(re.escape(template[at:].replace("%%", "%")))
        compiled.append((re.compile("".join(parts) + r"\Z", re.DOTALL), template))
    return sorted(compiled, key=lambda pair: -len(_FIELD.sub("", pair[1])))


def said(text: str, _: Translate, depth: int = 0) -> str:
    """``text``, a service's English message, in the language of ``_`` (as it is when the
    pages do not know it)."""
    if depth > 2:
        return text
    for pattern, template in _patterns():
        found = pattern.match(text)
        if found:
            values = {k: said(v, _, depth + 1) for k, v in found.groupdict().items()}
            return _(template, **values) if values else _(template)
    return text


def where(problem: Problem, _: Translate) -> str:
    """Where a problem is, in the page's language: "people.csv, line 3, column 'phone'"."""
    parts = [problem.file] if problem.file and problem.file != "<input>" else []
    if problem.line is not None:
        parts.append(_("line %(n)s", n=problem.line))
    if problem.column:
        parts.append(_("column %(name)s", name=repr(problem.column)))
    elif problem.field:
        parts.append(_("field %(name)s", name=repr(problem.field)))
    return ", ".join(parts)
