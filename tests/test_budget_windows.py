"""Budget windows against an independent reference: every candidate boundary near the moment."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billgraph.models import BudgetPeriod
from billgraph.services.budgets.windows import Window, WindowRule, window_at

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "America/St_Johns",
]


def _reference_boundary(zone: ZoneInfo, wall: datetime) -> datetime:
    """The first instant whose local clock reads `wall` or later (gaps: the gap's end)."""
    candidates = [wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
    exact = [c for c in candidates if c.astimezone(zone).replace(tzinfo=None) == wall]
    if exact:
        return min(exact)
    moment = min(candidates) - timedelta(hours=4)
    moment = moment.replace(second=0, microsecond=0)
    while moment.astimezone(zone).replace(tzinfo=None) < wall:
        moment += timedelta(minutes=1)
    return moment


def _reference(rule: WindowRule, moment: datetime) -> Window:
    zone = ZoneInfo(rule.time_zone)
    local_day = moment.astimezone(zone).date()
    boundaries = []
    for offset in range(-70, 71):
        day = local_day + timedelta(days=offset)
        if rule.period is BudgetPeriod.WEEK and day.isoweekday() != rule.anchor_day:
            continue
        if rule.period is BudgetPeriod.MONTH:
            next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            last_day = (next_month - timedelta(days=1)).day
            if day.day != min(rule.anchor_day, last_day):
                continue
        wall = datetime.combine(day, time(rule.anchor_hour))
        boundaries.append(_reference_boundary(zone, wall))
    boundaries.sort()
    start = max(b for b in boundaries if b <= moment)
    end = min(b for b in boundaries if b > moment)
    return Window(start=start, end=end)


# hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(
    min_value=datetime(2001, 1, 1),  # noqa: DTZ001
    max_value=datetime(2037, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=150, deadline=None)
@given(
    moment=moments,
    period=st.sampled_from([BudgetPeriod.DAY, BudgetPeriod.WEEK, BudgetPeriod.MONTH]),
    zone=st.sampled_from(ZONES),
    anchor_month_day=st.integers(1, 31),
    anchor_weekday=st.integers(1, 7),
    anchor_hour=st.integers(0, 23),
)
def test_windows_match_the_reference(
    moment: datetime,
    period: BudgetPeriod,
    zone: str,
    anchor_month_day: int,
    anchor_weekday: int,
    anchor_hour: int,
) -> None:
    anchor_day = anchor_weekday if period is BudgetPeriod.WEEK else anchor_month_day
    rule = WindowRule(period=period, time_zone=zone, anchor_day=anchor_day, anchor_hour=anchor_hour)
    window = window_at(rule, moment)
    assert window == _reference(rule, moment)
    assert window.contains(moment)


# Moments right around DST changes, where windows are 23 or 25 hours long.
DST_MOMENTS = st.sampled_from(
    [
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York"),
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), "America/New_York"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Berlin"),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "Europe/Berlin"),
        (datetime(2026, 4, 4, 16, 0, tzinfo=UTC), "Australia/Sydney"),
        (datetime(2026, 10, 3, 16, 0, tzinfo=UTC), "Australia/Sydney"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    place=DST_MOMENTS,
    shift_minutes=st.integers(-36 * 60, 36 * 60),
    period=st.sampled_from([BudgetPeriod.DAY, BudgetPeriod.WEEK, BudgetPeriod.MONTH]),
    anchor_hour=st.integers(0, 23),
)
def test_windows_across_daylight_saving_changes_match_the_reference(
    place: tuple[datetime, str], shift_minutes: int, period: BudgetPeriod, anchor_hour: int
) -> None:
    transition, zone = place
    moment = transition + timedelta(minutes=shift_minutes)
    anchor_day = 7 if period is BudgetPeriod.WEEK else 1
    rule = WindowRule(period=period, time_zone=zone, anchor_day=anchor_day, anchor_hour=anchor_hour)
    assert window_at(rule, moment) == _reference(rule, moment)


def test_a_monthly_budget_in_tokyo_starts_on_the_15th_at_tokyo_midnight() -> None:
    rule = WindowRule(period=BudgetPeriod.MONTH, time_zone="Asia/Tokyo", anchor_day=15)
    window = window_at(rule, datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    assert window.start == datetime(2026, 11, 14, 15, 0, tzinfo=UTC)  # Nov 15 00:00 JST
    assert window.end == datetime(2026, 12, 14, 15, 0, tzinfo=UTC)


def test_a_month_anchored_on_the_31st_starts_on_the_last_day_of_short_months() -> None:
    rule = WindowRule(period=BudgetPeriod.MONTH, anchor_day=31)
    february = window_at(rule, datetime(2028, 3, 10, tzinfo=UTC))
    assert february.start == datetime(2028, 2, 29, tzinfo=UTC)  # leap year
    assert february.end == datetime(2028, 3, 31, tzinfo=UTC)
    april = window_at(rule, datetime(2026, 4, 30, 23, 59, tzinfo=UTC))
    assert april.start == datetime(2026, 4, 30, tzinfo=UTC)
    assert april.end == datetime(2026, 5, 31, tzinfo=UTC)


def test_a_day_is_23_hours_when_new_york_springs_forward() -> None:
    rule = WindowRule(period=BudgetPeriod.DAY, time_zone="America/New_York")
    window = window_at(rule, datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    assert window.start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert window.end is not None
    assert window.end - window.start == timedelta(hours=23)


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clock_jumps() -> None:
    rule = WindowRule(period=BudgetPeriod.DAY, time_zone="America/New_York", anchor_hour=2)
    window = window_at(rule, datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    assert window.start == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT


def test_weeks_start_on_the_anchor_weekday() -> None:
    rule = WindowRule(period=BudgetPeriod.WEEK, time_zone="Europe/Berlin", anchor_day=7)
    window = window_at(rule, datetime(2026, 12, 4, 12, 0, tzinfo=UTC))  # a Friday
    assert window.start == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # Sunday 00:00 CET
    assert window.start.astimezone(ZoneInfo("Europe/Berlin")).date() == date(2026, 11, 29)


def test_lifetime_never_ends() -> None:
    window = window_at(WindowRule(period=BudgetPeriod.LIFETIME), datetime(2026, 1, 1, tzinfo=UTC))
    assert window.end is None
    assert window.contains(datetime(2099, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("zone", ZONES)
def test_consecutive_windows_touch(zone: str) -> None:
    rule = WindowRule(period=BudgetPeriod.MONTH, time_zone=zone, anchor_day=30, anchor_hour=2)
    window = window_at(rule, datetime(2026, 1, 15, tzinfo=UTC))
    for _ in range(24):
        assert window.end is not None
        following = window_at(rule, window.end)
        assert following.start == window.end
        window = following
