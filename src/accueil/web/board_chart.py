"""The supervisor's chart of the day so far against the target: the service level of each hour
(a line of points), the calls offered (bars) and the target (a dashed line), drawn on the
server as SVG (no script, nothing fetched); the board asks for it again every 10 s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from accueil.core.localtime import zone
from accueil.switchboard.figures import PoolFigures, figures_by_slot
from accueil.web.board import BOARD_ZONE, staff, the_day
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
STEP = timedelta(hours=1)
FIRST_HOUR, LAST_HOUR = 7, 20  # always shown; calls outside widen the chart
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 40, 14, 30


@dataclass(frozen=True)
class Hour:
    """One hour of the chart, in the SVG's coordinates."""

    hour: int
    x: float  # the left of its column
    figures: PoolFigures
    bar_y: float  # the top of the bar of calls offered
    level_y: float | None  # the service level's point (None: no call offered)
    past: bool


@dataclass(frozen=True)
class Chart:
    hours: list[Hour]
    column: float
    target: float
    target_y: float
    most: int  # the calls of the busiest hour (the bars' scale)
    now_x: float | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    def y_of(self, share: float) -> float:
        return self.bottom - share * (self.bottom - self.top)

    @property
    def line(self) -> str:
        """The service level's points, joined hour to hour (the SVG polyline's points)."""
        half = self.column / 2
        return " ".join(
            f"{h.x + half:.1f},{h.level_y:.1f}" for h in self.hours if h.level_y is not None
        )


def chart_of_day(slots: list[tuple[datetime, PoolFigures]], target: float, now: datetime) -> Chart:
    """The chart's geometry from the day's hourly figures: hours with calls, and 7:00 to 20:00."""
    tz = zone(BOARD_ZONE)
    busy = [s.astimezone(tz).hour for s, f in slots if f.offered]
    first = min([FIRST_HOUR, *busy])
    last = max([LAST_HOUR, *(h + 1 for h in busy)])
    shown = [(s, f) for s, f in slots if first <= s.astimezone(tz).hour < last]
    column = (WIDTH - RIGHT - LEFT) / max(len(shown), 1)
    most = max([f.offered for _, f in shown] + [1])
    bottom, top = HEIGHT - BOTTOM, TOP
    hours = []
    for n, (start, f) in enumerate(shown):
        level = f.service_level
        hours.append(
            Hour(
                hour=start.astimezone(tz).hour,
                x=LEFT + n * column,
                figures=f,
                bar_y=bottom - f.offered / most * (bottom - top),
                level_y=None if level is None else bottom - level * (bottom - top),
                past=start <= now,
            )
        )
    now_x = next(
        (h.x + column * (now - s).total_seconds() / STEP.total_seconds()
         for h, (s, _) in zip(hours, shown, strict=True) if s <= now < s + STEP),
        None,
    )  # fmt: skip
    return Chart(hours, column, target, bottom - target * (bottom - top), most, now_x)


@router.get("/board/chart")
def board_chart(
    request: Request, who: Annotated[Viewer, Depends(viewer)], day: str = ""
) -> Response:
    """The chart of ``day`` (today: so far) against the target, as an SVG fragment."""
    staff(who)
    now = who.caller.runtime.now()
    shown: date = the_day(day, now)
    since = datetime.combine(shown, time(0), tzinfo=zone(BOARD_ZONE))
    with who.caller.unit() as session:
        slots = figures_by_slot(session, since, since + timedelta(days=1), STEP)
    target = who.caller.runtime.settings.service_level_target
    return render(request, "board_chart.html", who, chart=chart_of_day(slots, target, now))
