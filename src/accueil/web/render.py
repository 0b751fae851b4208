"""Templates and answers: the Jinja environment, the page route that turns errors into pages,
and the formats of times in the viewer's language."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
from accueil.web.stale import version_of
from accueil.web.viewer import SignInNeeded, Viewer, language

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


ENV.globals["said"] = said
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
                return error_page(request, exc)

        return page
