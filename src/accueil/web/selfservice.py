"""An employee's own page, made for a phone: say what you are doing in one tap, see where your
calls go now, your VIP list, your rules, and what the receptionist would say and do for a
caller at a time you choose."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.core.access import Action
from accueil.core.availability import State
from accueil.core.callers import normalise_caller
from accueil.core.decision import Call
from accueil.core.localtime import zone
from accueil.core.scripts.runner import Greeting
from accueil.errors import InvalidInput, ValidationFailed, says
from accueil.services import availability as avail
from accueil.services.callers import caller_lists
from accueil.services.decisions import decide_for
from accueil.services.directory import get_account, get_person, list_numbers
from accueil.services.employee_policy import check_own_greeting
from accueil.services.greetings import clear_greeting, own_greeting, set_greeting
from accueil.services.script_preview import preview
from accueil.services.vip_lists import get_vip_list
from accueil.web import inbox
from accueil.web.personal import editor, limited
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PERSON = "/accounts/{account}/people/{person}"
TYPICAL_CALLER = "+33199000000"  # an unknown number: on no list, no known contact
CHOICES = ("meeting", "road", "out", "available")


def _dialled(session: Session, account: str, person: str) -> str:
    numbers = list_numbers(session, account)
    own = [n.e164 for n in numbers if n.person == person]
    main = [n.e164 for n in numbers if not n.person]
    return (own or main or [""])[0]


def _now_card(session: Session, who: Viewer, account: str, person: str) -> dict[str, Any]:
    """What the person is doing now and where a typical call goes: the part one tap changes."""
    now = who.caller.runtime.now()
    call = Call(TYPICAL_CALLER, _dialled(session, account, person))
    return {
        "account": get_account(session, account),
        "person": get_person(session, account, person),
        "availability": avail.availability_of(session, account, person, now=now),
        "decision": decide_for(session, account, person, call, now=now, lang=who.lang),
        "now": now,
    }


def _defaults(now: datetime, timezone: str) -> dict[str, str]:
    """The form's suggestions: a meeting until the next full hour after one hour, back tomorrow."""
    local = now.astimezone(zone(timezone))
    meeting = (local + timedelta(hours=1, minutes=59)).replace(minute=0, second=0, microsecond=0)
    return {
        "meeting_until": meeting.strftime("%H:%M"),
        "back_on": (local.date() + timedelta(days=1)).isoformat(),
        "preview_at": local.strftime("%Y-%m-%dT%H:%M"),
    }


@router.get(PERSON)
def person_page(
    request: Request, account: str, person: str, who: Annotated[Viewer, Depends(viewer)]
) -> Response:
    auth.person(who.caller, account, person)
    with who.caller.unit(personal=True) as session:  # their messages: the read is audited
        card = _now_card(session, who, account, person)
        lists = caller_lists(session, account)
        taken = inbox.recent(session, account, person)
        card_account = card["account"]
        mine = own_greeting(session, account, person, card_account.languages[0], "office_hours")
        own = editor(session, who, account, person)
    return render(
        request,
        "person.html",
        who,
        **card,
        **own,
        vip=lists.get("vip"),
        inbox=taken,
        own_greeting=mine,
        defaults=_defaults(card["now"], card["account"].timezone),
    )


def _local(day: date, at: time, timezone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=zone(timezone))


def _parsed_time(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            says("%(text)r is not a time; write it as 15:00", text=text), field=field
        ) from None


def _parsed_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            says("%(text)r is not a date; write it as 2026-12-24", text=text), field=field
        ) from None


@router.post(PERSON + "/status")
def set_status(
    request: Request,
    account: str,
    person: str,
    who: Annotated[Viewer, Depends(viewer)],
    choice: Annotated[str, Form(max_length=20)],
    until: Annotated[str, Form(max_length=10)] = "",
    back_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """One tap: in a meeting until a time today, on the road, out of office until a day, or
    available (back to the calendar and working hours)."""
    auth.person(who.caller, account, person, Action.WRITE)
    if choice not in CHOICES:
        raise InvalidInput(
            says(
                "%(choice)r is not a choice; use one of %(choices)s",
                choice=choice,
                choices=", ".join(CHOICES),
            ),
            field="choice",
        )
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        timezone = get_account(session, account).timezone
        today = now.astimezone(zone(timezone)).date()
        if choice == "available":
            avail.clear_status(session, account, person, now=now, origin="pages")
        elif choice == "meeting":
            end = _local(today, _parsed_time(until, "until"), timezone)
            avail.set_status(
                session, account, person, State.MEETING, until=end, origin="pages", now=now
            )
        elif choice == "road":
            note = who._("On the road")
            avail.set_status(
                session, account, person, State.AWAY, note=note, origin="pages", now=now
            )
        else:
            end = _local(_parsed_day(back_on, "back_on"), time(0), timezone)
            avail.set_status(
                session, account, person, State.OUT_OF_OFFICE, until=end, origin="pages", now=now
            )
    with who.caller.unit() as session:
        card = _now_card(session, who, account, person)
    return render(request, "person_now.html", who, **card)


@router.get(PERSON + "/preview")
def preview_call(
    request: Request,
    account: str,
    person: str,
    who: Annotated[Viewer, Depends(viewer)],
    caller: str = "",
    at: str = "",
) -> Response:
    """If this caller called at this time: the greeting the agent reads and what happens."""
    auth.person(who.caller, account, person)
    with who.caller.unit() as session:
        timezone = get_account(session, account).timezone
        when = _preview_time(at, timezone) if at else who.caller.runtime.now()
        number = caller.strip() or TYPICAL_CALLER
        call = Call(number, _dialled(session, account, person))
        decision = decide_for(session, account, person, call, now=when, lang=who.lang)
        greeting = _greeting(session, account, person, when, number, who.lang)
        known = _vip_name(session, account, person, number)
    return render(
        request,
        "person_preview.html",
        who,
        decision=decision,
        greeting=greeting,
        caller=f"{known} ({caller.strip()})" if known else caller.strip(),
        when=when,
        timezone=timezone,
    )


@router.post(PERSON + "/greeting")
def save_greeting(
    request: Request,
    account: str,
    person: str,
    who: Annotated[Viewer, Depends(viewer)],
    lang: Annotated[str, Form(max_length=8)],
    situation: Annotated[str, Form(max_length=20)],
    text: Annotated[str, Form(max_length=2000)],
) -> Response:
    """The person's own greeting for a language and situation, saved as a new version of their
    script layer; the answer shows what the receptionists say now."""
    auth.person(who.caller, account, person, Action.WRITE)
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        if limited(who):
            check_own_greeting(session, account, "text")
        saved = set_greeting(
            session, account, person, lang, situation, text, now=now, saved_by=who.user.name
        )
    with who.caller.unit() as session:
        greeting = _greeting(session, account, person, now, TYPICAL_CALLER, lang)
    return render(request, "greeting_saved.html", who, saved=saved, greeting=greeting)


@router.post(PERSON + "/greeting/remove")
def remove_greeting(
    request: Request,
    account: str,
    person: str,
    who: Annotated[Viewer, Depends(viewer)],
    lang: Annotated[str, Form(max_length=8)],
    situation: Annotated[str, Form(max_length=20)],
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Asks first (``confirm`` not "yes"); then takes the person's greeting for this language
    and situation down: a new version of their layer without it, the earlier ones kept."""
    auth.person(who.caller, account, person, Action.WRITE)
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        if limited(who):
            check_own_greeting(session, account, "text")
        if confirm != "yes":
            mine = own_greeting(session, account, person, lang, situation)
            asked = {"lang": lang, "situation": situation, "text": mine}
            situations = {
                "office_hours": who._("Office hours"),
                "after_hours": who._("After hours"),
                "holiday": who._("Holidays and closures"),
            }
            return render(
                request,
                "greeting_remove.html",
                who,
                asked=asked,
                situations=situations,
                account=account,
                person=person,
            )
        saved = clear_greeting(
            session, account, person, lang, situation, now=now, saved_by=who.user.name
        )
    with who.caller.unit() as session:
        greeting = _greeting(session, account, person, now, TYPICAL_CALLER, lang)
    return render(request, "greeting_removed.html", who, saved=saved, greeting=greeting)


def _greeting(
    session: Session, account: str, person: str, when: datetime, caller: str, lang: str
) -> Greeting | None:
    """What the agent says first (None while the account has no script)."""
    try:
        return preview(session, account, person, now=when, caller=caller, lang=lang).greeting
    except ValidationFailed:
        return None


def _vip_name(session: Session, account: str, person: str, number: str) -> str:
    """The name the person gave this caller on their own VIP list ("" when not on it)."""
    country = get_account(session, account).country
    hit = (
        get_vip_list(session, account, person)
        .caller_list()
        .match(normalise_caller(number, country))
    )
    return hit.label if hit else ""


def _preview_time(text: str, timezone: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            says("%(text)r is not a time; pick a day and a time", text=text), field="at"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=zone(timezone))
