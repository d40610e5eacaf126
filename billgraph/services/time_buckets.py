"""Calendar buckets in an IANA time zone, as integer arithmetic on UTC epoch seconds.

SQL on SQLite and PostgreSQL alike can group by an integer expression, so a bucket is
computed as `(t + offset(t)) div width`, where `offset(t)` is the zone's UTC offset,
constant between daylight-saving transitions (a short CASE over the range's segments).
Months are not of one width: their local day ordinals are mapped through month starts.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billgraph.services.errors import InvalidInputError

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86400
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)
# 1970-01-01 was a Thursday; shifting day ordinals by 3 makes weeks start on Monday.
_MONDAY_SHIFT = 3


class Granularity(StrEnum):
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


def parse_zone(name: str, *, field: str = "timeZone") -> ZoneInfo:
    """Return the IANA zone `name`, or raise InvalidInputError naming `field`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"{field} is not an IANA time zone such as Europe/Berlin: {name!r}", field=field
        ) from None


def epoch_seconds(moment: datetime) -> int:
    """Return whole seconds since 1970-01-01T00:00Z (floor)."""
    return int((moment - EPOCH) // timedelta(seconds=1))


def from_epoch_seconds(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class OffsetSegment:
    """From `start` (epoch seconds, inclusive) on, the zone is `offset` seconds ahead of UTC."""

    start: int
    offset: int


def offset_segments(zone: ZoneInfo, start: int, end: int) -> list[OffsetSegment]:
    """Return the zone's UTC offsets over [start, end) epoch seconds, one per constant run.

    Transitions are found by probing every hour and bisecting to the second, which holds
    for every zone (their transitions fall on whole minutes).
    """
    segments = [OffsetSegment(start, _offset_at(zone, start))]
    probe = start
    while probe < end:
        step_end = min(probe + SECONDS_PER_HOUR, end)
        if _offset_at(zone, step_end) != segments[-1].offset and step_end < end:
            low, high = probe, step_end
            while high - low > 1:
                middle = (low + high) // 2
                if _offset_at(zone, middle) == segments[-1].offset:
                    low = middle
                else:
                    high = middle
            segments.append(OffsetSegment(high, _offset_at(zone, high)))
        probe = step_end
    return segments


def _offset_at(zone: ZoneInfo, seconds: int) -> int:
    offset = from_epoch_seconds(seconds).astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def local_ordinal(seconds: int, offset: int, granularity: Granularity) -> int:
    """Return the bucket ordinal of an instant given its zone offset (HOUR, DAY, WEEK).

    MONTH ordinals come from `month_ordinal` on the DAY ordinal.
    """
    if granularity is Granularity.HOUR:
        # Hours are counted in UTC, shifted only by the sub-hour part of the offset
        # (India's :30), so the repeated local hour of an autumn night stays two buckets.
        return (seconds + offset % SECONDS_PER_HOUR) // SECONDS_PER_HOUR
    day = (seconds + offset) // SECONDS_PER_DAY
    if granularity is Granularity.WEEK:
        return (day + _MONDAY_SHIFT) // 7
    return day


def month_starts(first_day: int, last_day: int) -> list[int]:
    """Return the local day ordinals on which a month starts, covering [first_day, last_day]."""
    day = _EPOCH_DATE + timedelta(days=first_day)
    current = date(day.year, day.month, 1)
    starts = []
    end = _EPOCH_DATE + timedelta(days=last_day)
    while current <= end:
        starts.append((current - _EPOCH_DATE).days)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return starts


def month_ordinal(day: int, starts: list[int]) -> int:
    """Return the index in `starts` of the month holding local day ordinal `day`."""
    return bisect_right(starts, day) - 1


def bucket_start(
    ordinal: int, granularity: Granularity, zone: ZoneInfo, starts: list[int] | None = None
) -> datetime:
    """Return when a bucket begins, as an aware datetime in `zone`."""
    if granularity is Granularity.HOUR:
        utc_hour = ordinal * SECONDS_PER_HOUR
        sub_hour = _offset_at(zone, utc_hour) % SECONDS_PER_HOUR
        return from_epoch_seconds(utc_hour - sub_hour).astimezone(zone)
    if granularity is Granularity.DAY:
        day = ordinal
    elif granularity is Granularity.WEEK:
        day = ordinal * 7 - _MONDAY_SHIFT
    else:
        if starts is None:
            raise ValueError("MONTH buckets need the month starts")
        day = starts[ordinal]
    return datetime.combine(_EPOCH_DATE + timedelta(days=day), time.min, tzinfo=zone)


def bucket_ordinals(
    start: int, end: int, granularity: Granularity, zone: ZoneInfo
) -> tuple[list[int], list[int] | None]:
    """Return every bucket ordinal touching [start, end) in order, and the month starts."""
    segments = offset_segments(zone, start, end)
    first_day = local_ordinal(start, segments[0].offset, Granularity.DAY)
    last_day = local_ordinal(end - 1, segments[-1].offset, Granularity.DAY)
    if granularity is Granularity.MONTH:
        starts = month_starts(first_day, last_day)
        return list(range(len(starts))), starts
    first = local_ordinal(start, segments[0].offset, granularity)
    last = local_ordinal(end - 1, segments[-1].offset, granularity)
    return list(range(first, last + 1)), None
