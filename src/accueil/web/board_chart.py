"""The supervisor's chart of the day so far against the target: the service level of each quarter
of an hour (a line of points), the calls offered (bars) and the target (a dashed line), drawn on
the server as SVG (no script, nothing fetched); the board asks for it again when the stream says
a call was recorded, and once a minute (the time passes: "now" moves with no call)."""

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
STEP = timedelta(minutes=15)
FIRST_HOUR, LAST_HOUR = 7, 20  # always shown; calls outside widen the chart
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 40, 14, 30


@dataclass(frozen=True)
class Slot:
    """A quarter of an hour of the chart, in the SVG's coordinates."""

    start: datetime  # in the board's zone
    x: float  # the left of its column
    figures: PoolFigures
    bar_y: float  # the top of the bar of calls offered
    level_y: float | None  # the service level's point (None: no call offered)
    past: bool


@dataclass(frozen=True)
class Chart:
    slots: list[Slot]
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
        """The service level's points, joined slot to slot (the SVG polyline's points)."""
        half = self.column / 2
        return " ".join(
            f"{s.x + half:.1f},{s.level_y:.1f}" for s in self.slots if s.level_y is not None
        )

    @property
    def hour_marks(self) -> list[Slot]:
        """The slots whose hour is written under the axis: every hour, every other one when
        the day is wide (more than 14 hours shown)."""
        every = 1 if len(self.slots) <= 14 * 4 else 2
        return [s for s in self.slots if s.start.minute == 0 and s.start.hour % every == 0]


def chart_of_day(slots: list[tuple[datetime, PoolFigures]], target: float, now: datetime) -> Chart:
    """The chart's geometry from the day's figures per quarter of an hour: the hours with calls,
    and 7:00 to 20:00."""
    tz = zone(BOARD_ZONE)
    busy = [s.astimezone(tz).hour for s, f in slots if f.offered]
    first = min([FIRST_HOUR, *busy])
    last = max([LAST_HOUR, *(h + 1 for h in busy)])
    shown = [(s.astimezone(tz), f) for s, f in slots if first <= s.astimezone(tz).hour < last]
    column = (WIDTH - RIGHT - LEFT) / max(len(shown), 1)
    most = max([f.offered for _, f in shown] + [1])
    bottom, top = HEIGHT - BOTTOM, TOP
    drawn = [
        Slot(
            start=start,
            x=LEFT + n * column,
            figures=f,
            bar_y=bottom - f.offered / most * (bottom - top),
            level_y=None if f.service_level is None else bottom - f.service_level * (bottom - top),
            past=start <= now,
        )
        for n, (start, f) in enumerate(shown)
    ]
    now_x = next(
        (s.x + column * (now - s.start).total_seconds() / STEP.total_seconds()
         for s in drawn if s.start <= now < s.start + STEP),
        None,
    )  # fmt: skip
    return Chart(drawn, column, target, bottom - target * (bottom - top), most, now_x)


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
    chart = chart_of_day(slots, target, now)
    return render(request, "board_chart.html", who, chart=chart, step=STEP)
