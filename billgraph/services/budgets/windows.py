"""Budget windows: which [start, end) a moment falls in, from period, zone and anchor.

Pure functions, no I/O. A window boundary is a local wall-clock time in the budget's
IANA zone (e.g. the 15th at 00:00 in Asia/Tokyo), converted to UTC. Windows are never
"reset" by a job: the window of a moment is computed, and a new one simply has no spend.

Wall-clock times that do not exist (the hour skipped when clocks go forward) resolve
to the instant just after the gap, and ambiguous ones (the hour repeated when clocks go
back) to their first occurrence (fold=0), so consecutive boundaries always increase.
A month anchored on the 29th to 31st starts on the last day of shorter months.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from billgraph.models.enums import BudgetPeriod

LIFETIME_START = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class WindowRule:
    """How a budget's windows are laid out.

    `anchor_day` is the day of the month (1-31) for MONTH, the ISO weekday (1 Monday to
    7 Sunday) for WEEK, and unused otherwise; `anchor_hour` (0-23) is the local hour
    at which each window starts.
    """

    period: BudgetPeriod
    time_zone: str = "UTC"
    anchor_day: int = 1
    anchor_hour: int = 0


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open interval [start, end) in UTC; LIFETIME has no end."""

    start: datetime
    end: datetime | None

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)


def window_at(rule: WindowRule, moment: datetime) -> Window:
    """Return the window of `rule` that contains `moment` (an aware datetime)."""
    if rule.period is BudgetPeriod.LIFETIME:
        return Window(start=LIFETIME_START, end=None)
    zone = ZoneInfo(rule.time_zone)
    moment = moment.astimezone(UTC)
    local_day = moment.astimezone(zone).date()
    key = _period_key(rule, local_day)
    start = _boundary(rule, zone, key)
    if start > moment:
        key = _step(rule, key, -1)
        start = _boundary(rule, zone, key)
    return Window(start=start, end=_boundary(rule, zone, _step(rule, key, 1)))


# A period key is the local date whose anchor hour starts the window (DAY, WEEK) or the
# first day of the window's month (MONTH).


def _period_key(rule: WindowRule, local_day: date) -> date:
    if rule.period is BudgetPeriod.DAY:
        return local_day
    if rule.period is BudgetPeriod.WEEK:
        return local_day - timedelta(days=(local_day.isoweekday() - rule.anchor_day) % 7)
    return local_day.replace(day=1)


def _step(rule: WindowRule, key: date, count: int) -> date:
    if rule.period is BudgetPeriod.DAY:
        return key + timedelta(days=count)
    if rule.period is BudgetPeriod.WEEK:
        return key + timedelta(days=7 * count)
    months = key.year * 12 + key.month - 1 + count
    return date(months // 12, months % 12 + 1, 1)


def _boundary(rule: WindowRule, zone: ZoneInfo, key: date) -> datetime:
    day = key
    if rule.period is BudgetPeriod.MONTH:
        last_day = calendar.monthrange(key.year, key.month)[1]
        day = key.replace(day=min(rule.anchor_day, last_day))
    wall = datetime.combine(day, time(rule.anchor_hour), tzinfo=zone)
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        # The wall time fell in a gap: start at the first instant after the gap.
        instant = _end_of_gap(zone, instant)
    return instant


def _end_of_gap(zone: ZoneInfo, inside: datetime) -> datetime:
    """Return the UTC instant at which the clock change around `inside` happened."""
    before = inside - timedelta(hours=3)
    offset = before.astimezone(zone).utcoffset()
    low, high = before, inside + timedelta(hours=3)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)
