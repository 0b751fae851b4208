"""What a message says on each channel, in the person's language (French or English).

Plain text and HTML for email (the tenant's words escaped, never interpreted), a short text
for SMS, JSON for webhooks. Texts are ours, not tenant templates: nothing here is evaluated.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from accueil.services.deliveries import Claimed

WORDS = {
    "fr": {
        "subject": "Message de {caller} pour {person}",
        "urgent": "URGENT",
        "correction": "Correction",
        "from": "De",
        "number": "Numéro",
        "taken": "Pris le",
        "by": "par",
        "note": "Note",
        "reply": "Répondez 1 pour en prendre la charge.",
        "reply_code": "Répondez 1 {code} pour en prendre la charge.",
        "unknown": "un correspondant",
        "digest": "Vos messages du jour ({count})",
        "escalated": "Escalade : personne n'a pris en charge ce message pour {person}.",
    },
    "en": {
        "subject": "Message from {caller} for {person}",
        "urgent": "URGENT",
        "correction": "Correction",
        "from": "From",
        "number": "Number",
        "taken": "Taken at",
        "by": "by",
        "note": "Note",
        "reply": "Reply 1 to take it on.",
        "reply_code": "Reply 1 {code} to take it on.",
        "unknown": "a caller",
        "digest": "Your messages of the day ({count})",
        "escalated": "Escalation: nobody has taken on this message for {person}.",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language[:2].lower(), WORDS["en"])


def subject(item: Claimed) -> str:
    w, m = words(item.message.language), item.message
    text = w["subject"].format(caller=_caller(item), person=item.person_name)
    if m.version > 1:
        text = f"{w['correction']} ({m.version}) — {text}"
    text = " ".join(text.split())  # one line, whatever the caller's name held
    return f"[{w['urgent']}] {text}" if m.urgency == "urgent" else text


def lines(item: Claimed) -> list[tuple[str, str]]:
    """(label, value) lines of a message, as read to the person."""
    w, m = words(item.message.language), item.message
    found = [(w["from"], m.caller_name or w["unknown"])]
    if m.caller_number:
        found.append((w["number"], m.caller_number))
    found += [(label, value) for _, label, value in m.fields]
    if m.note:
        found.append((w["note"], m.note))
    stamp = m.taken_at.strftime("%Y-%m-%d %H:%M UTC")
    found.append((w["taken"], f"{stamp} {w['by']} {m.agent}" if m.agent else stamp))
    return found


def plain(item: Claimed) -> str:
    head = _escalation(item)
    body = "\n".join(f"{label}: {value}" for label, value in lines(item))
    return f"{head}{subject(item)}\n\n{body}\n"


def html_body(item: Claimed) -> str:
    head = f"<p><strong>{html.escape(_escalation(item))}</strong></p>" if item.step else ""
    rows = "".join(
        f"<tr><th align='left'>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
        for label, value in lines(item)
    )
    title = html.escape(subject(item))
    return (
        f"<!doctype html><html lang='{html.escape(item.message.language)}'><body>"
        f"{head}<h1>{title}</h1><table>{rows}</table></body></html>"
    )


def sms(item: Claimed) -> str:
    """At most a few SMS parts: who, from whom, the first answers, how to acknowledge."""
    w, m = words(item.message.language), item.message
    parts = [_escalation(item).strip()] if item.step else []
    parts.append(subject(item))
    if m.caller_number:
        parts.append(m.caller_number)
    parts += [f"{label}: {value}" for _, label, value in m.fields[:3]]
    text = " — ".join(p for p in parts if p)[:400]
    if item.reply_code:
        text += " " + w["reply_code"].format(code=item.reply_code)
    return text


def digest(items: Sequence[Claimed]) -> tuple[str, str, str]:
    """One email for many low-urgency messages: subject, plain text, HTML."""
    w = words(items[0].message.language)
    title = w["digest"].format(count=len(items))
    plain_parts = [title, ""]
    html_parts = [f"<h1>{html.escape(title)}</h1>"]
    for item in items:
        plain_parts += [subject(item), *(f"  {a}: {b}" for a, b in lines(item)), ""]
        rows = "".join(f"<li>{html.escape(a)}: {html.escape(b)}</li>" for a, b in lines(item))
        html_parts.append(f"<h2>{html.escape(subject(item))}</h2><ul>{rows}</ul>")
    body = "<!doctype html><html><body>" + "".join(html_parts) + "</body></html>"
    return title, "\n".join(plain_parts), body


def webhook_payload(item: Claimed) -> dict[str, Any]:
    m = item.message
    return {
        "type": "message.taken" if m.version == 1 else "message.corrected",
        "timestamp": m.taken_at.isoformat(),
        "data": {
            "id": m.uid,
            "version": m.version,
            "first": m.first or None,
            "account": item.account,
            "person": m.person,
            "urgency": m.urgency,
            "caller": {"number": m.caller_number, "name": m.caller_name},
            "fields": [{"id": f, "label": label, "value": v} for f, label, v in m.fields],
            "note": m.note,
            "agent": m.agent,
            "call_id": m.call_id,
            "language": m.language,
            "taken_at": m.taken_at.isoformat(),
        },
    }


def _caller(item: Claimed) -> str:
    m = item.message
    return m.caller_name or m.caller_number or words(m.language)["unknown"]


def _escalation(item: Claimed) -> str:
    if not item.step:
        return ""
    return words(item.message.language)["escalated"].format(person=item.person_name) + "\n"
