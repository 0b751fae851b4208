"""Templates and answers: the Jinja environment, the page route that turns errors into pages,
and the formats of times in the viewer's language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from accueil.api.routing import OneHop
from accueil.core.localtime import zone
from accueil.core.phone import pretty
from accueil.errors import AccueilError, Problem
from accueil.web import error_words
from accueil.web.i18n import LANGUAGES, translator
from accueil.web.marked_form import Refusal, mark, said_above
from accueil.web.stale import version_of
from accueil.web.viewer import SignInNeeded, Viewer, language

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def clock(value: datetime | None, timezone: str, lang: str, now: datetime | None = None) -> str:
    """A time as a person reads it: "15:00", or "Tue 4 Dec, 15:00" when not today."""
    if value is None:
        return ""
    tz = zone(timezone)
    if now is not None and value.astimezone(tz).date() == now.astimezone(tz).date():
        return format_time(value, format="short", tzinfo=tz, locale=lang)
    return format_datetime(value, format="EEE d MMM, HH:mm", tzinfo=tz, locale=lang)


def month_name(period: str, lang: str) -> str:
    """ "2026-12" as "December 2026" in ``lang``."""
    year, month = (int(part) for part in period.split("-")[:2])
    return format_date(date(year, month, 1), format="LLLL y", locale=lang).capitalize()


def decimal(value: float, lang: str, pattern: str = "#,##0.0") -> str:
    """A figure as ``lang`` writes it: 1 234,5 in French."""
    return format_decimal(value, format=pattern, locale=lang)


@pass_context
def said(context: Context, text: str) -> str:
    """A service's message in the page's language (``web/error_words.py``)."""
    return error_words.said(text, context["_"])


@pass_context
def where(context: Context, problem: Problem) -> str:
    return error_words.where(problem, context["_"])


@pass_context
def told(context: Context, error: AccueilError) -> str:
    """An error's message in the page's language, naming its field where it names one (and has
    no problems to name theirs): what a page says when it cannot mark the field itself."""
    _: error_words.Translate = context["_"]
    message = error_words.said(error.message, _)
    field = error.details.get("field")
    if not isinstance(field, str) or error.details.get("problems") or error.status != 422:
        return message
    return str(_("%(where)s: %(what)s", where=_("field %(name)s", name=repr(field)), what=message))


ENV.globals["said"] = said
ENV.globals["told"] = told
ENV.globals["where"] = where
ENV.globals["clock"] = clock
ENV.globals["decimal"] = decimal
ENV.globals["month_name"] = month_name
ENV.globals["version_of"] = version_of
ENV.globals["phone"] = pretty


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    viewer: Viewer | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """``template`` filled in for ``viewer`` (None: a page before sign-in) in their language."""
    lang = viewer.lang if viewer else getattr(request.state, "lang", None) or language(request)
    text = ENV.get_template(template).render(
        request=request,
        viewer=viewer,
        lang=lang,
        languages=LANGUAGES,
        _=viewer._ if viewer else translator(lang),
        **context,
    )
    return HTMLResponse(text, status_code=status, headers=headers)


def error_page(request: Request, exc: AccueilError) -> Response:
    """What went wrong, said in the page's language; within a page (htmx), in its flash area."""
    status = exc.status if 400 <= exc.status < 600 else 400
    if is_htmx(request):
        # HX-Reselect: a page whose forms pick their part of the answer (hx-select, as the
        # operator's) would pick nothing of the error's and show nothing
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "HX-Reselect": ".flash-said"}
        return render(request, "flash.html", status=status, headers=headers, error=exc)
    return render(request, "error.html", status=status, error=exc)


def refusals(exc: AccueilError, _: error_words.Translate) -> list[Refusal]:
    """The fields an error refuses, each with its reason in the page's language: the
    problems' (a line of a text box said with its reason), else the error's own field."""
    problems = getattr(exc, "problems", None) or []
    found = []
    for p in problems:
        if not (p.field or p.column):
            continue
        at = error_words.where(Problem(p.reason, line=p.line), _)
        reason = error_words.said(p.reason, _)
        found.append(
            Refusal(
                p.field or p.column,
                _("%(where)s: %(what)s", where=at, what=reason) if at else reason,
            )
        )
    field = exc.details.get("field")
    if not problems and isinstance(field, str):
        found.append(Refusal(field, error_words.said(exc.message, _)))
    return found


async def refused_form(request: Request, exc: AccueilError) -> Response | None:
    """A form's post refused for its fields, said on the form where it was sent: the page it
    was sent from (htmx's ``HX-Current-URL``, or the ``Referer``) made again, its form with
    what was typed and the refused fields marked (``marked_form.py``); within a page (htmx),
    that form alone, in its place. None when the error names no field the form shows."""
    page_url = request.headers.get("hx-current-url") or request.headers.get("referer")
    if request.method != "POST" or exc.status not in _SAID_AT_FIELD or not page_url:
        return None
    lang = getattr(request.state, "lang", None) or language(request)
    _ = translator(lang)
    found = refusals(exc, _)
    if not found:
        return None
    page = await _page_again(request, urlsplit(page_url))
    if page is None:
        return None
    form = await request.form()  # the same the route read: Starlette keeps it
    posted = {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in form}
    notice = _("Not saved: correct the marked field and send it again.")
    # read and marked off the loop: a large page takes a while (the switchboard and the SIP
    # edge share this loop)
    marked = await asyncio.to_thread(mark, page, request.url.path, posted, found, notice)
    if marked is None:
        return None
    whole, alone = marked
    if is_htmx(request):
        # the form that was sent (or the one around the button that was), swapped whole
        headers = {"HX-Retarget": "closest form", "HX-Reswap": "outerHTML", "HX-Reselect": "form"}
        flash = said_above(notice)
        said = f'{alone}<div id="flash" hx-swap-oob="innerHTML">{flash}</div>'
        return HTMLResponse(said, status_code=exc.status, headers=headers)
    return HTMLResponse(whole, status_code=exc.status)


async def _page_again(request: Request, url: Any) -> str | None:
    """The page at ``url`` (a path of these pages) as this browser sees it now, made by the app
    itself (nothing is fetched from elsewhere); None when it is no page."""
    if (url.netloc and url.netloc != request.url.netloc) or not url.path.startswith("/"):
        return None
    if url.path.startswith(("/api/", "/static/")):
        return None
    kept = {b"cookie", b"accept-language", b"host", b"user-agent"}
    scope = {
        **{k: v for k, v in request.scope.items() if k in _SCOPE_KEPT},
        "state": dict(request.scope.get("state") or {}),  # its own: the request's stays as is
        "method": "GET",
        "path": unquote(url.path),
        "raw_path": url.path.encode(),
        "query_string": url.query.encode(),
        "headers": [(k, v) for k, v in request.scope["headers"] if k in kept],
    }
    status: list[int] = []
    body: list[bytes] = []
    html = False

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal html
        if message["type"] == "http.response.start":
            status.append(message["status"])
            html = any(
                k == b"content-type" and v.startswith(b"text/html") for k, v in message["headers"]
            )
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    try:
        await request.app(scope, receive, send)
    except Exception:  # the page's own fault (logged by the app): the refusal is said above
        log.warning("the page %s could not be made again to mark a refused form", url.path)
        return None
    if status != [200] or not html:
        return None
    return b"".join(body).decode()


# refusals of what was typed (not of who sent it, nor of an older page: those say it above)
_SAID_AT_FIELD = {400, 404, 409, 422}
_SCOPE_KEPT = ("type", "asgi", "http_version", "scheme", "server", "client", "root_path")


def to_sign_in(request: Request) -> Response:
    target = "/sign-in?next=" + quote(request.url.path)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


class PageRoute(OneHop):
    """A route of the pages: no session sends the browser to sign in; an error is a page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                return to_sign_in(request)
            except AccueilError as exc:
                return await refused_form(request, exc) or error_page(request, exc)

        return page
