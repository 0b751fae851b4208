"""Where an account's things in force name a rota or a team: each place keeps it from being
taken down (a removal that left them naming nothing would silently change calls and messages).

Account id first; every query filters by it. Each place is said in words a person can act on:
``script of group 'compta' (version 3), step 'urgence' (steps[4].rota)``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.delivery import Preferences
from accueil.core.rules import Scope
from accueil.core.scripts.document import StepDoc
from accueil.errors import Said, says
from accueil.services.rules import in_force, rules_naming
from accueil.services.script_layers import layer_of
from accueil.store.tables_availability import RuleVersionRow
from accueil.store.tables_messages import DeliveryPreferencesRow, DeliveryRow, MessageRow
from accueil.store.tables_scripts import ScriptVersionRow

_LEVELS = ("low", "normal", "urgent")
_PENDING = ("queued", "sending")  # an escalation step not carried out yet


def rota_uses(session: Session, account_id: int, key: str) -> list[str]:
    """Rules, script steps, delivery preferences and escalations under way naming the rota."""
    target = f"rota:{key}"
    return [
        *rules_naming(session, account_id, rota=key),
        *scripts_naming(session, account_id, lambda step: step.rota == key, "rota"),
        *_preferences_naming(session, account_id, target),
        *_escalations_naming(session, account_id, target),
    ]


def group_uses(session: Session, account_id: int, key: str) -> list[str]:
    """The team's own rules and script layer in force, and script steps that transfer to it."""
    found: list[str] = []
    rules = session.scalar(
        select(RuleVersionRow)
        .where(
            RuleVersionRow.account_id == account_id,
            RuleVersionRow.scope == Scope.GROUP.value,
            RuleVersionRow.owner_key == key,
        )
        .order_by(RuleVersionRow.version.desc())
        .limit(1)
    )
    if rules is not None and rules.rules:
        found.append(
            says(
                "the rules of group %(key)r (version %(version)s, %(count)s in force)",
                key=key,
                version=rules.version,
                count=len(rules.rules),
            )
        )
    scripts = _scripts_in_force(session, account_id)  # read once: its layer, then its steps
    for row in scripts:
        if row.scope == "group" and row.owner_key == key and layer_of(row).doc.steps:
            found.append(says("%(script)s: its own layer", script=_script(row)))

    def transfers(step: StepDoc) -> bool:
        return step.to is not None and step.to.group == key

    return found + _steps_naming(scripts, transfers, "to.group")


def scripts_naming(
    session: Session, account_id: int, names: Callable[[StepDoc], bool], field: str
) -> list[str]:
    """The steps of the script layers in force for which ``names`` holds, one a place."""
    return _steps_naming(_scripts_in_force(session, account_id), names, field)


def _steps_naming(
    scripts: list[ScriptVersionRow], names: Callable[[StepDoc], bool], field: str
) -> list[str]:
    found: list[str] = []
    for row in scripts:
        for i, step in enumerate(layer_of(row).doc.steps):
            if names(step):
                found.append(
                    says(
                        "%(script)s, step %(step)r (steps[%(i)s].%(field)s)",
                        script=_script(row),
                        step=step.id,
                        i=i,
                        field=field,
                    )
                )
    return found


def _script(row: ScriptVersionRow) -> str:
    if row.scope == "account":
        return says("the account's script (version %(version)s)", version=row.version)
    return says(
        "the script of %(scope)s %(key)r (version %(version)s)",
        scope=row.scope,
        key=row.owner_key,
        version=row.version,
    )


def _scripts_in_force(session: Session, account_id: int) -> list[ScriptVersionRow]:
    return in_force(session, account_id, ScriptVersionRow)


def _preferences_naming(session: Session, account_id: int, target: str) -> list[str]:
    rows = session.scalars(
        select(DeliveryPreferencesRow)
        .where(DeliveryPreferencesRow.account_id == account_id)
        .order_by(DeliveryPreferencesRow.person_key)
    )
    found: list[str] = []
    for row in rows:
        prefs = Preferences.model_validate(row.document)
        owner = (
            says("person %(key)r", key=row.person_key) if row.person_key else says("the account")
        )
        for level in _LEVELS:
            policy = getattr(prefs, level)
            chain = policy.escalate_to if policy is not None else []
            found += [
                says(
                    "delivery preferences of %(owner)s (%(level)s.escalate_to[%(i)s])",
                    owner=owner,
                    level=level,
                    i=i,
                )
                for i, named in enumerate(chain)
                if named == target
            ]
    return found


def _escalations_naming(session: Session, account_id: int, target: str) -> list[str]:
    rows = session.execute(
        select(MessageRow.uid, DeliveryRow.step)
        .join(MessageRow, MessageRow.id == DeliveryRow.message_id)
        .where(
            DeliveryRow.account_id == account_id,
            DeliveryRow.channel == "escalate",
            DeliveryRow.address == target,
            DeliveryRow.state.in_(_PENDING),
        )
        .order_by(DeliveryRow.id)
    )
    return [
        says(
            "message %(uid)s, escalation step %(step)s still to come (acknowledge the message)",
            uid=uid,
            step=step,
        )
        for uid, step in rows
    ]


def joined(uses: list[str]) -> Said:
    """The places one after another, each said in the reader's language (a page's too)."""
    template = "; ".join(f"%(use{i})s" for i in range(len(uses)))
    return Said(template, {f"use{i}": use for i, use in enumerate(uses)})
