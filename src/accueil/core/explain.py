"""The words of explanations, in English (default) and French.

Sentences an agent reads in a second: "Claire is in a meeting (calendar: 'Comité de
direction', until 15:00)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from accueil.core.localtime import hhmm, zone

if TYPE_CHECKING:
    from accueil.core.availability import Availability, State


@dataclass(frozen=True)
class Phrases:
    lang: str
    days: tuple[str, ...]  # Monday … Sunday
    short_days: tuple[str, ...]  # Mon … Sun
    months: tuple[str, ...]  # Jan … Dec
    ages: tuple[str, str, str]  # days, hours, minutes: '{n} d'
    states: dict[str, str]
    sources: dict[str, str]
    until: str
    stale: str
    stale_calendar: str
    covers: str
    withheld: str
    in_list: str
    not_in_list: str
    in_vip: str
    not_in_vip: str
    known: str
    unknown: str
    withheld_caller: str
    shown_caller: str
    no_person: str
    today_is: str
    within: str
    outside: str
    holiday: str
    no_holiday: str
    open: str
    closed: str
    off_hours: str
    in_period: str
    out_of_period: str
    dialled: str
    not_dialled: str
    matched: str
    colon: str
    always: str
    ring: str
    then: str
    together: str
    no_answer: str
    pool: str
    message: str
    urgency: dict[str, str]
    script: str
    priority: str
    or_: str
    on_call: str
    reject_busy: str
    reject_polite: str
    fallback: str
    no_rules: str


EN = Phrases(
    lang="en",
    days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    short_days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    ages=("{n} d", "{n} h", "{n} min"),
    states={
        "available": "is available",
        "busy": "is busy",
        "meeting": "is in a meeting",
        "away": "is away",
        "out_of_office": "is out of the office",
        "do_not_disturb": "does not want to be disturbed",
        "off_duty": "is off duty",
    },
    sources={
        "manual": "own status",
        "calendar": "calendar",
        "closure": "account closed",
        "holiday": "public holiday",
        "hours": "working hours",
    },
    until="until {time}",
    stale="stale: set {age} ago",
    stale_calendar="stale: calendar last read {age} ago",
    covers="{name} covers",
    withheld="a withheld number",
    in_list="{caller} is in list '{list}'",
    not_in_list="{caller} is not in list '{list}'",
    in_vip="{caller} is on {name}'s own VIP list",
    not_in_vip="{caller} is not on {name}'s own VIP list",
    known="{caller} is a known contact ({name})",
    unknown="{caller} is not a known contact",
    withheld_caller="the caller's number is withheld",
    shown_caller="the caller's number is shown ({caller})",
    no_person="the call is for the switchboard, not a person",
    today_is="today is {day}",
    within="{time} is within {hours}",
    outside="{time} is outside {hours}",
    holiday="today is a public holiday ({name})",
    no_holiday="today is not a public holiday",
    open="{account} is open",
    closed="{account} is closed ({why})",
    off_hours="outside business hours",
    in_period="{day} is within {start} – {end}",
    out_of_period="{day} is outside {start} – {end}",
    dialled="{number} was dialled",
    not_dialled="{number} was dialled, not one of the rule's numbers",
    matched="{rule} matched",
    colon=": ",
    always="always",
    ring="ring {device} {address} ({timeout} s)",
    then=", then ",
    together=" + ",
    no_answer="; if no answer: ",
    pool="the pool answers",
    message="take a message ({urgency}, by {channels})",
    urgency={"low": "not urgent", "normal": "normal", "urgent": "urgent"},
    script="script {script}",
    priority="priority +{priority}",
    or_=" or ",
    on_call="on call: {who}",
    reject_busy="reject (busy tone)",
    reject_polite="reject politely",
    fallback="no rule matched ({tried} tried): the pool answers",
    no_rules="no rules",
)

_FR_MONTHS: tuple[str, ...] = ("janv.", "févr.", "mars", "avr.", "mai", "juin")
_FR_MONTHS += ("juil.", "août", "sept.", "oct.", "nov.", "déc.")

FR = Phrases(
    lang="fr",
    days=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    short_days=("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    months=_FR_MONTHS,
    ages=("{n} j", "{n} h", "{n} min"),
    states={
        "available": "est disponible",
        "busy": "est occupé·e",
        "meeting": "est en réunion",
        "away": "est absent·e",
        "out_of_office": "est hors du bureau",
        "do_not_disturb": "ne veut pas être dérangé·e",
        "off_duty": "ne travaille pas",
    },
    sources={
        "manual": "statut personnel",
        "calendar": "agenda",
        "closure": "fermeture",
        "holiday": "jour férié",
        "hours": "horaires",
    },
    until="jusqu'à {time}",
    stale="ancien : indiqué il y a {age}",
    stale_calendar="ancien : agenda lu il y a {age}",
    covers="{name} assure le relais",
    withheld="un numéro masqué",
    in_list="{caller} est dans la liste « {list} »",
    not_in_list="{caller} n'est pas dans la liste « {list} »",
    in_vip="{caller} est dans la liste VIP personnelle de {name}",
    not_in_vip="{caller} n'est pas dans la liste VIP personnelle de {name}",
    known="{caller} est un contact connu ({name})",
    unknown="{caller} n'est pas un contact connu",
    withheld_caller="le numéro de l'appelant est masqué",
    shown_caller="le numéro de l'appelant est visible ({caller})",
    no_person="l'appel est pour le standard, pas pour une personne",
    today_is="nous sommes {day}",
    within="{time} est dans {hours}",
    outside="{time} est hors de {hours}",
    holiday="aujourd'hui est férié ({name})",
    no_holiday="aujourd'hui n'est pas férié",
    open="{account} est ouvert",
    closed="{account} est fermé ({why})",
    off_hours="hors des heures d'ouverture",
    in_period="le {day} est dans la période du {start} au {end}",
    out_of_period="le {day} est hors de la période du {start} au {end}",
    dialled="le {number} a été composé",
    not_dialled="le {number} a été composé, pas un des numéros de la règle",
    matched="« {rule} » s'applique",
    colon=" : ",
    always="toujours",
    ring="sonner {device} {address} ({timeout} s)",
    then=", puis ",
    together=" + ",
    no_answer=" ; sans réponse : ",
    pool="le pool répond",
    message="prendre un message ({urgency}, par {channels})",
    urgency={"low": "pas urgent", "normal": "normal", "urgent": "urgent"},
    script="script {script}",
    priority="priorité +{priority}",
    or_=" ou ",
    on_call="astreinte : {who}",
    reject_busy="rejeter (tonalité occupé)",
    reject_polite="rejeter poliment",
    fallback="aucune règle ne s'applique ({tried} essayées) : le pool répond",
    no_rules="aucune règle",
)

LANGUAGES = {"en": EN, "fr": FR}


def phrases(lang: str) -> Phrases:
    return LANGUAGES.get(lang, EN)


def state_phrase(state: State, p: Phrases) -> str:
    return p.states[state.value]


def age(seconds: float, p: Phrases) -> str:
    """'14 h', '3 d' (or '3 j') in the explanation's language."""
    days, hours, minutes = p.ages
    if seconds >= 86400:
        return days.format(n=int(seconds // 86400))
    if seconds >= 3600:
        return hours.format(n=int(seconds // 3600))
    return minutes.format(n=int(seconds // 60))


def when(instant: datetime, timezone: str, now: datetime, p: Phrases) -> str:
    """'15:00', 'Mon 09:00', '3 Dec 09:00' in the explanation's language."""
    return hhmm(instant, zone(timezone), now, days=p.short_days, months=p.months)


def availability_sentence(
    availability: Availability, name: str, timezone: str, now: datetime, p: Phrases
) -> str:
    """'Claire is in a meeting (calendar: 'Comité de direction', until 15:00)'."""
    details = [p.sources[availability.source.value]]
    if availability.note:
        details[0] += f"{p.colon}'{availability.note}'"
    if availability.until is not None:
        details.append(p.until.format(time=when(availability.until, timezone, now, p)))
    if availability.stale:
        old = age((now - availability.as_of).total_seconds(), p)
        calendar = availability.source.value == "calendar"
        details.append((p.stale_calendar if calendar else p.stale).format(age=old))
    sentence = f"{name} {state_phrase(availability.state, p)} ({', '.join(details)})"
    if availability.delegate is not None:
        sentence += "; " + p.covers.format(name=availability.delegate.delegate_name)
    return sentence
