"""A zone's UTC offsets over a range, from its transition table, without probing every hour.

The zone's TZif file lists its transitions up to some year (2037 for most zones); after
that a POSIX rule repeats every year, found here by probing once a week and bisecting
(daylight-saving periods last months), cached per zone and year. The cost is therefore
proportional to the transitions in the range, not to its length in hours.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo
from zoneinfo import _common as zone_files  # the TZif reader zoneinfo itself uses
from zoneinfo import _tzpath as zone_paths

SECONDS_PER_WEEK = 7 * 86400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_SECONDS = -62_135_596_800 + 2 * 86400  # 0001-01-03, clear of the calendar's edge
_MAX_SECONDS = 253_402_300_799 - 2 * 86400  # 9999-12-29


@dataclass(frozen=True, slots=True)
class OffsetSegment:
    """From `start` (epoch seconds, inclusive) on, the zone is `offset` seconds ahead of UTC."""

    start: int
    offset: int


def offset_at(zone: ZoneInfo, seconds: int) -> int:
    """Return the zone's UTC offset in seconds at an instant."""
    seconds = min(max(seconds, _MIN_SECONDS), _MAX_SECONDS)
    offset = (_EPOCH + timedelta(seconds=seconds)).astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offset_segments(zone: ZoneInfo, start: int, end: int) -> list[OffsetSegment]:
    """Return the zone's UTC offsets over [start, end) epoch seconds, one per constant run."""
    segments = [OffsetSegment(start, offset_at(zone, start))]
    for moment in _transitions(zone, start, end):
        offset = offset_at(zone, moment)
        if offset != segments[-1].offset:
            segments.append(OffsetSegment(moment, offset))
    return segments


def _transitions(zone: ZoneInfo, start: int, end: int) -> list[int]:
    """Return the instants in (start, end) at which the zone's offset may change, in order."""
    table, table_end = _table(zone)
    found = table[bisect_right(table, start) : bisect_left(table, end)]
    if end > table_end:
        first_year = _year_of(max(start, table_end))
        for year in range(first_year, _year_of(end) + 1):
            found.extend(
                moment
                for moment in _rule_transitions(zone, year)
                if max(start, table_end) < moment < end
            )
    return found


def _year_of(seconds: int) -> int:
    seconds = min(max(seconds, _MIN_SECONDS), _MAX_SECONDS)
    return (_EPOCH + timedelta(seconds=seconds)).year


@cache
def _table(zone: ZoneInfo) -> tuple[list[int], int]:
    """Return the zone's listed transitions and the instant after which its rule applies."""
    try:
        path = zone_paths.find_tzfile(zone.key)
        if path is not None:
            with open(path, "rb") as file:
                data = zone_files.load_data(file)
        else:
            with zone_files.load_tzdata(zone.key) as file:
                data = zone_files.load_data(file)
    except (OSError, ValueError, AttributeError, TypeError):
        return [], _MIN_SECONDS  # no table: the weekly probe covers every year
    transitions = sorted(int(moment) for moment in data[1])
    return transitions, (transitions[-1] if transitions else _MIN_SECONDS)


@cache
def _rule_transitions(zone: ZoneInfo, year: int) -> tuple[int, ...]:
    """Return the instants in `year` at which the zone's offset changes (weekly probe)."""
    start = int((datetime(year, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()) if year > 1 else 0
    end = (
        int((datetime(year + 1, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
        if year < 9999
        else _MAX_SECONDS
    )
    found = []
    low, low_offset = start, offset_at(zone, start)
    while low < end:
        high = min(low + SECONDS_PER_WEEK, end)
        high_offset = offset_at(zone, high)
        if high_offset != low_offset:
            left, right = low, high
            while right - left > 1:
                middle = (left + right) // 2
                if offset_at(zone, middle) == low_offset:
                    left = middle
                else:
                    right = middle
            found.append(right)
        low, low_offset = high, high_offset
    return tuple(found)
