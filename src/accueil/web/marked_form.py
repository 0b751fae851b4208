"""A refused form shown again, said where: the page's own HTML for the form, with what was typed
put back, each refused field marked (``aria-invalid``, ``aria-describedby``) and its reason
written next to it, the first one focused (``autofocus``: the browser on a page, htmx after a
swap).

It works on the HTML the page's own template made (the form as the page shows it), so that
every form of the pages is said where in one place, whatever its template: the form is found by
where it posts, its controls by their ``name``. Pure: text in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

# what is never put back from a post: hidden (the page's own), secrets, files, buttons
_NOT_TYPED = {"hidden", "password", "file", "submit", "button", "reset", "image"}
_CONTROLS = {"input", "textarea", "select"}


@dataclass
class Tag:
    """One start tag of the page: its name, attributes and where it is in the text."""

    name: str
    attrs: dict[str, str | None]
    start: int
    end: int
    close: int | None = None  # where its end tag ends (textarea, select, form)
    inner: tuple[int, int] | None = None  # its content (textarea)
    options: list[Tag] = field(default_factory=list)  # a select's
    controls: list[Tag] = field(default_factory=list)  # a form's

    def attr(self, name: str) -> str:
        return self.attrs.get(name) or ""

    @property
    def kind(self) -> str:
        return self.attr("type").lower() or "text" if self.name == "input" else self.name


class _Reader(HTMLParser):
    """The page's forms, their controls, and the flash area, with their places in the text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self.forms: list[Tag] = []
        self.flash: Tag | None = None
        self._open: dict[str, Tag] = {}  # the form, select or textarea being read
        self.feed(text)
        self.close()

    def _here(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._here()
        tag = Tag(name, dict(attrs), start, start + len(self.get_starttag_text() or ""))
        if tag.attr("id") == "flash":
            self.flash = tag
        if name == "form":
            self.forms.append(tag)
            self._open["form"] = tag
        elif name in _CONTROLS and "form" in self._open:
            self._open["form"].controls.append(tag)
        elif name == "option" and "select" in self._open:
            self._open["select"].options.append(tag)
        if name in ("select", "textarea"):
            self._open[name] = tag

    def handle_startendtag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(name, attrs)

    def handle_endtag(self, name: str) -> None:
        tag = self._open.pop(name, None)
        if tag is None:
            return
        start = self._here()
        tag.close = self.text.index(">", start) + 1
        if name == "textarea":
            tag.inner = (tag.end, start)


@dataclass(frozen=True)
class Refusal:
    """One refused field and its reason, in the page's language."""

    field: str
    message: str


def _start_tag(tag: Tag, attrs: Mapping[str, str | None]) -> str:
    said = "".join(
        f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"'
        for name, value in attrs.items()
    )
    return f"<{tag.name}{said}>"


def _message_id(control: Tag) -> str:
    return re.sub(r"[^\w-]", "-", control.attr("id") or control.attr("name")) + "-refused"


class _Edits:
    """Changes to the page's text at places found by the reader, made at once, from the end."""

    def __init__(self) -> None:
        self.changes: list[tuple[int, int, str]] = []

    def replace(self, start: int, end: int, text: str) -> None:
        self.changes.append((start, end, text))

    def apply(self, text: str) -> str:
        for start, end, new in sorted(self.changes, reverse=True):
            text = text[:start] + new + text[end:]
        return text

    def moved(self, place: int) -> int:
        """Where the character at ``place`` is once the changes are made (text put in at
        ``place`` comes before it; the character is in no changed span)."""
        return place + sum(
            len(new) - (end - start) for start, end, new in self.changes if end <= place
        )


def _typed_back(
    form: Tag, posted: Mapping[str, Sequence[str]], edits: _Edits
) -> dict[int, dict[str, str | None]]:
    """What was typed, put back in the form's controls (the n-th value of a name in its n-th
    control); the new attributes of each control's start tag, by its place."""
    attrs: dict[int, dict[str, str | None]] = {}
    seen: dict[str, int] = {}
    for control in form.controls:
        name = control.attr("name")
        boxed = control.kind in ("checkbox", "radio")  # a box left empty is not sent at all
        if not name or control.kind in _NOT_TYPED or not (boxed or name in posted):
            continue
        values = posted.get(name, ())
        new = dict(control.attrs)
        if boxed:
            new.pop("checked", None)
            if (control.attrs.get("value") or "on") in values:
                new["checked"] = None
        elif control.name == "select":
            for option in control.options:
                chosen = dict(option.attrs)
                chosen.pop("selected", None)
                if option.attrs.get("value") in values:
                    chosen["selected"] = None
                edits.replace(option.start, option.end, _start_tag(option, chosen))
        else:
            n = seen.get(name, 0)
            seen[name] = n + 1
            value = values[n] if n < len(values) else ""
            if control.name == "textarea" and control.inner is not None:
                # a newline first would be eaten by the HTML parser: one more keeps it
                content = ("\n" if value.startswith("\n") else "") + escape(value, quote=False)
                edits.replace(*control.inner, content)
            else:
                new["value"] = value
        attrs[control.start] = new
    return attrs


def _visible(form: Tag, name: str) -> Tag | None:
    for control in form.controls:
        if control.attr("name") == name and control.kind != "hidden":
            return control
    return None


def _fits(form: Tag, path: str, posted: Mapping[str, Sequence[str]], first: str) -> int:
    """How well ``form`` is the one that was sent (-1: it posts elsewhere): its hidden values
    the same as the post's, and a place for the first refused field."""
    if (form.attr("action") or form.attr("hx-post")).split("?")[0] != path:
        return -1
    same = sum(
        1
        for c in form.controls
        if c.kind == "hidden" and c.attr("value") in posted.get(c.attr("name"), ())
    )
    return same + (1 if _visible(form, first) else 0)


def mark(
    page: str,
    path: str,
    posted: Mapping[str, Sequence[str]],
    refusals: Sequence[Refusal],
    notice: str,
) -> tuple[str, str] | None:
    """The page with the form that posts to ``path`` marked, and that form alone; None when the
    page has no such form, or no visible control for any refused field."""
    if not refusals:
        return None
    reader = _Reader(page)
    fits = [(_fits(f, path, posted, refusals[0].field), -i, f) for i, f in enumerate(reader.forms)]
    best = max(fits, default=(-1, 0, None), key=lambda fit: fit[:2])
    form = best[2]
    if form is None or best[0] < 0 or form.close is None:
        return None
    placed = [(r, c) for r in refusals if (c := _visible(form, r.field)) is not None]
    if not placed:
        return None
    edits = _Edits()
    attrs = _typed_back(form, posted, edits)
    said: dict[int, list[str]] = {}  # messages after a control, by where it ends
    for n, (refusal, control) in enumerate(placed):
        new = attrs.setdefault(control.start, dict(control.attrs))
        ident = _message_id(control)
        described = (new.get("aria-describedby") or "").split()
        new["aria-invalid"] = "true"
        new["aria-describedby"] = " ".join([*[d for d in described if d != ident], ident])
        if n == 0:
            new["autofocus"] = None
        after = control.close or control.end
        line = f'<span class="field-error" id="{ident}">{escape(refusal.message)}</span>'
        if line not in said.setdefault(after, []):
            said[after].append(line)
    by_start = {c.start: c for c in form.controls}
    for start, new in attrs.items():
        control = by_start[start]
        edits.replace(control.start, control.end, _start_tag(control, new))
    for after, lines in said.items():
        edits.replace(after, after, "".join(lines))
    unplaced = [r.message for r in refusals if _visible(form, r.field) is None]
    if unplaced:
        told = "".join(f"<p>{escape(m)}</p>" for m in unplaced)
        edits.replace(form.end, form.end, f'<div class="error" role="alert">{told}</div>')
    if reader.flash is not None:
        edits.replace(reader.flash.end, reader.flash.end, said_above(notice))
    # the form's place in the marked page, from this one reading: its start tag and its end
    # tag are never changed, only what is between them and around them
    start, close = edits.moved(form.start), edits.moved(form.close - 1) + 1
    marked = edits.apply(page)
    return marked, marked[start:close]


def said_above(notice: str) -> str:
    """The notice in the page's message area (as ``flash.html`` says a refusal)."""
    return f'<div class="error flash-said" role="alert"><p>{escape(notice)}</p></div>'
