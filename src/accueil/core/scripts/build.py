"""Merging layers (account → group → person) into one script, and checking it whole.

A later layer overrides only what it names: a greeting by language and situation, a step by
its id (in place; new ids are added at the end), the start step. The merged script is then
checked as a whole, so that nothing can fail during a call: every step leads somewhere, no
loop, conditions name real fields, templates use known variables and render within bounds.
Problems point at the layer, line and field they come from.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from accueil.core.scripts import templates
from accueil.core.scripts.context import SAMPLE_VARIABLES
from accueil.core.scripts.document import Layer, Path, StepDoc, WhenDoc
from accueil.core.scripts.model import (
    Action,
    ActionKind,
    Case,
    Choice,
    Condition,
    Field,
    FieldType,
    Script,
    Situation,
    Step,
)
from accueil.errors import Problem, ValidationFailed, says


@dataclass(frozen=True)
class Known:
    """The account's people, groups and rotas, to check action targets (None: not checked)."""

    people: Collection[str] | None = None
    groups: Collection[str] | None = None
    rotas: Collection[str] | None = None


@dataclass(frozen=True)
class _Placed:
    step: StepDoc
    layer: Layer
    path: Path


def build(layers: Sequence[Layer], known: Known = Known()) -> Script:
    """The effective script of these layers, most general first; raises ValidationFailed."""
    if not layers:
        raise ValidationFailed([Problem(says("there is no script to build (save one first)"))])
    steps: dict[str, _Placed] = {}
    greetings: dict[str, dict[Situation, tuple[str, Layer, Path]]] = {}
    start: tuple[str, Layer] | None = None
    name = ""
    for layer in layers:
        doc = layer.doc
        name = doc.name or name
        if doc.start:
            start = (doc.start, layer)
        for i, step in enumerate(doc.steps):
            steps[step.id] = _Placed(step, layer, ("steps", i))  # in place, or appended
        for lang, by_situation in doc.greetings.items():
            for situation, text in by_situation.items():
                path: Path = ("greetings", lang, situation.value)
                greetings.setdefault(lang, {})[situation] = (text, layer, path)
    placed = list(steps.values())
    problems = _check(placed, greetings, start, layers, known)
    if problems:
        raise ValidationFailed(problems)
    return Script(
        name=name,
        greetings={lang: {s: t for s, (t, _, _) in g.items()} for lang, g in greetings.items()},
        steps=tuple(_step(p.step) for p in placed),
        start=start[0] if start else placed[0].step.id,
        versions=tuple(layer.label for layer in layers if layer.label),
    )


def _check(
    placed: list[_Placed],
    greetings: dict[str, dict[Situation, tuple[str, Layer, Path]]],
    start: tuple[str, Layer] | None,
    layers: Sequence[Layer],
    known: Known,
) -> list[Problem]:
    last = layers[-1]
    problems: list[Problem] = []
    if not placed:
        problems.append(last.problem(says("the script has no steps (add 'steps:')"), ()))
    if not any(Situation.OFFICE_HOURS in g for g in greetings.values()):
        problems.append(
            last.problem(says("no office_hours greeting in any language"), ("greetings",))
        )
    ids = {p.step.id: p for p in placed}
    if start and start[0] not in ids:
        problems.append(
            start[1].problem(says("start: no step '%(start)s'", start=start[0]), ("start",))
        )
    for i, p in enumerate(placed):
        following = placed[i + 1].step.id if i + 1 < len(placed) else ""
        problems += _check_step(p, ids, following, known)
    if not problems:
        problems += _loops(placed)
    fields = [p.step.id for p in placed if p.step.ask is not None]
    for text, layer, path in _templates(placed, greetings):
        problems += _check_template(text, layer, path, fields)
    return problems


def _check_step(p: _Placed, ids: dict[str, _Placed], following: str, known: Known) -> list[Problem]:
    step, out = p.step, []

    def refer(target: str | None, *where: str | int) -> None:
        if target and target not in ids:
            out.append(
                p.layer.problem(says("no step '%(target)s'", target=target), (*p.path, *where))
            )

    refer(step.next, "next")
    refer(step.otherwise, "otherwise")
    for i, case in enumerate(step.branch or ()):
        refer(case.goto, "branch", i, "goto")
        out += _check_when(case.when, ids, p, (*p.path, "branch", i, "when"))
    ends = step.action is not None or step.next or step.otherwise or following
    if not ends:
        out.append(p.layer.problem(says("leads nowhere: add 'next' or end with an action"), p.path))
    if step.action is not None:
        out += _check_action(p, ids, known)
    return out


def _check_when(when: WhenDoc, ids: dict[str, _Placed], p: _Placed, path: Path) -> list[Problem]:
    if when.answer is None:
        return []
    asked = ids.get(when.answer)
    if asked is None or asked.step.ask is None:
        return [
            p.layer.problem(
                says("'%(answer)s' is not a question of this script", answer=when.answer), path
            )
        ]
    yesno = asked.step.type is FieldType.YESNO
    if yesno and when.equals is not None and not isinstance(when.equals, bool):
        return [p.layer.problem(says("a yes/no answer is compared with true or false"), path)]
    if asked.step.type is FieldType.CHOICE:
        values = {_choice(c).value for c in asked.step.choices or ()}
        wanted = [when.equals] if isinstance(when.equals, str) else list(when.one_of or ())
        stray = [w for w in wanted if w not in values]
        if stray:
            return [
                p.layer.problem(
                    says(
                        "%(stray)s not among the choices of '%(answer)s'",
                        stray=stray,
                        answer=when.answer,
                    ),
                    path,
                )
            ]
    return []


def _check_action(p: _Placed, ids: dict[str, _Placed], known: Known) -> list[Problem]:
    step, out = p.step, []
    for key, kind in ((step.urgent_if, FieldType.YESNO), (step.slot, FieldType.DATETIME)):
        asked = ids.get(key) if key else None
        if key and (asked is None or asked.step.ask is None or asked.step.type is not kind):
            out.append(
                p.layer.problem(
                    says("'%(key)s' must be a %(kind)s question", key=key, kind=kind.value), p.path
                )
            )
    person, group = (step.to.person, step.to.group) if step.to else (None, None)
    if person and known.people is not None and person not in known.people:
        out.append(
            p.layer.problem(says("no person '%(person)s' in this account", person=person), p.path)
        )
    if group and known.groups is not None and group not in known.groups:
        out.append(
            p.layer.problem(says("no group '%(group)s' in this account", group=group), p.path)
        )
    if step.rota and known.rotas is not None and step.rota not in known.rotas:
        have = ", ".join(sorted(known.rotas)) or "none yet: add one with 'accueil rota set'"
        out.append(
            p.layer.problem(
                says(
                    "no on-call rota '%(rota)s' in this account (%(have)s)",
                    rota=step.rota,
                    have=have,
                ),
                p.path,
            )
        )
    return out


def _loops(placed: list[_Placed]) -> list[Problem]:
    """A call must always reach an action: refuse any loop among the steps."""
    order = [p.step.id for p in placed]
    edges = {p.step.id: _successors(p.step, order) for p in placed}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
            if nxt not in state:
                found = visit(nxt, [*trail, nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for p in placed:
        if p.step.id not in state:
            cycle = visit(p.step.id, [p.step.id])
            if cycle:
                where = next(q for q in placed if q.step.id == cycle[0])
                loop = " → ".join(cycle)
                return [
                    where.layer.problem(
                        says("the steps loop (%(loop)s); a call must end", loop=loop), where.path
                    )
                ]
    return []


def _successors(step: StepDoc, order: list[str]) -> list[str]:
    i = order.index(step.id)
    following = order[i + 1] if i + 1 < len(order) else ""
    if step.action is not None:
        return []
    if step.branch is not None:
        targets = [c.goto for c in step.branch]
        return [*targets, step.otherwise or following]
    return [step.next or following] if (step.next or following) else []


def _templates(
    placed: list[_Placed], greetings: dict[str, dict[Situation, tuple[str, Layer, Path]]]
) -> list[tuple[str, Layer, Path]]:
    found = [entry for g in greetings.values() for entry in g.values()]
    for p in placed:
        for key in ("say", "ask", "note"):
            text = getattr(p.step, key)
            if text:
                found.append((text, p.layer, (*p.path, key)))
    return found


def _check_template(text: str, layer: Layer, path: Path, fields: list[str]) -> list[Problem]:
    out = []
    for tp in templates.check(text, fields):
        line, column = layer.position(path, tp.line, tp.column)
        where = f"line {line}, column {column}" if line else f"column {tp.column}"
        problem = layer.problem(says("%(where)s: %(reason)s", where=where, reason=tp.reason), path)
        out.append(Problem(problem.reason, problem.file, line, None, problem.field))
    if out:
        return out
    sample = {**SAMPLE_VARIABLES, "answers": dict.fromkeys(fields, "…")}
    try:
        templates.render(text, sample)
    except templates.TemplateFailed as exc:
        out.append(layer.problem(exc.message, path))
    return out


def _choice(raw: object) -> Choice:
    if isinstance(raw, str):
        return Choice(raw, raw)
    value, label = getattr(raw, "value", ""), getattr(raw, "label", "")
    return Choice(value, label or value)


def _step(doc: StepDoc) -> Step:
    kind = doc.kind
    if kind == "ask":
        choices = tuple(_choice(c) for c in doc.choices or ())
        field = Field(doc.type, doc.label or doc.id.replace("_", " "), doc.required, choices)
        return Step(doc.id, kind, text=doc.ask or "", field=field, next=doc.next or "")
    if kind == "branch":
        cases = tuple(Case(_condition(c.when), c.goto) for c in doc.branch or ())
        return Step(doc.id, kind, cases=cases, otherwise=doc.otherwise or "")
    if kind == "action":
        return Step(doc.id, kind, action=_action(doc))
    return Step(doc.id, kind, text=doc.say or "", next=doc.next or "")


def _action(doc: StepDoc) -> Action:
    assert doc.action is not None  # checked by StepDoc
    return Action(
        kind=ActionKind(doc.action),
        person=doc.to.person or "" if doc.to else "",
        group=doc.to.group or "" if doc.to else "",
        urgency=doc.urgency or Action.urgency,
        urgent_if=doc.urgent_if or "",
        slot=doc.slot or "",
        rota=doc.rota or "",
        note=doc.note or "",
    )


def _condition(when: WhenDoc) -> Condition:
    between = None
    if when.between:
        start, end = when.between.split("-")
        between = (_minutes(start), _minutes(end))
    return Condition(
        answer=when.answer,
        equals=when.equals,
        one_of=tuple(when.one_of or ()),
        is_set=when.is_set,
        available=when.available,
        states=tuple(state.value for state in when.state or ()),
        situation=when.situation,
        between=between,
        known_caller=when.known_caller,
    )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)
