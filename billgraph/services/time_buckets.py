"""Calendar buckets in an IANA time zone, as integer arithmetic on UTC epoch seconds.

A bucket ordinal is `(t + offset(t)) div width`, where `offset(t)` is the zone's UTC
offset, constant between daylight-saving transitions (see `zone_offsets`); a month is
numbered by its local year and month. `bucket_plan` turns these rules into the list of
time ranges a report reads.
"""

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billgraph.services.errors import InvalidInputError
from billgraph.services.zone_offsets import offset_at

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


def parse_zone(name: str, *, field: str = "time_zone") -> ZoneInfo:
    """Return the IANA zone `name`, or raise InvalidInputError naming `field`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            "{field} is not an IANA time zone such as Europe/Berlin: {zone!r}",
            field=field,
            zone=name,
        ) from None


def epoch_seconds(moment: datetime) -> int:
    """Return whole seconds since 1970-01-01T00:00Z (floor)."""
    return int((moment - EPOCH) // timedelta(seconds=1))


def from_epoch_seconds(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def local_ordinal(seconds: int, offset: int, granularity: Granularity) -> int:
    """Return the bucket ordinal of an instant given the zone's offset at that instant.

    HOUR, DAY and WEEK ordinals count whole buckets since the epoch; a MONTH ordinal is
    year * 12 + month - 1 of the local date.
    """
    if granularity is Granularity.HOUR:
        # Hours are counted in UTC, shifted only by the sub-hour part of the offset
        # (India's :30), so the repeated local hour of an autumn night stays two buckets.
        return (seconds + offset % SECONDS_PER_HOUR) // SECONDS_PER_HOUR
    day = (seconds + offset) // SECONDS_PER_DAY
    if granularity is Granularity.WEEK:
        return (day + _MONDAY_SHIFT) // 7
    if granularity is Granularity.MONTH:
        year, month = _year_month_of(day)
        return year * 12 + month - 1
    return day


def next_bucket_at(ordinal: int, offset: int, granularity: Granularity) -> int:
    """Return when bucket `ordinal + 1` starts (epoch seconds) while the offset stays `offset`."""
    if granularity is Granularity.HOUR:
        return (ordinal + 1) * SECONDS_PER_HOUR - offset % SECONDS_PER_HOUR
    if granularity is Granularity.DAY:
        day = ordinal + 1
    elif granularity is Granularity.WEEK:
        day = (ordinal + 1) * 7 - _MONDAY_SHIFT
    else:
        following = ordinal + 1
        day = _first_day_of(following // 12, following % 12 + 1)
    return day * SECONDS_PER_DAY - offset


# Integer calendar arithmetic (proleptic Gregorian, days since 1970-01-01), after Howard
# Hinnant's days_from_civil / civil_from_days: a plan cuts thousands of months, and this
# is several times cheaper than going through date objects.
def _first_day_of(year: int, month: int) -> int:
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _year_month_of(day: int) -> tuple[int, int]:
    day += 719468
    era = day // 146097
    day_of_era = day - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return year_of_era + era * 400 + (month <= 2), month


def bucket_start(ordinal: int, granularity: Granularity, zone: ZoneInfo) -> datetime:
    """Return when a bucket begins, as an aware datetime in `zone`."""
    if granularity is Granularity.HOUR:
        utc_hour = ordinal * SECONDS_PER_HOUR
        sub_hour = offset_at(zone, utc_hour) % SECONDS_PER_HOUR
        return from_epoch_seconds(utc_hour - sub_hour).astimezone(zone)
    if granularity is Granularity.DAY:
        local = _EPOCH_DATE + timedelta(days=ordinal)
    elif granularity is Granularity.WEEK:
        local = _EPOCH_DATE + timedelta(days=ordinal * 7 - _MONDAY_SHIFT)
    else:
        local = date(ordinal // 12, ordinal % 12 + 1, 1)
    return datetime.combine(local, time.min, tzinfo=zone)
