"""The bucket plan without a database: offsets from the zone's tables, pieces that cover the
range exactly, each in the bucket the calendar says."""

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from billgraph.services.bucket_plan import bucket_range, plan_buckets, split_for_rollup
from billgraph.services.time_buckets import Granularity, epoch_seconds, local_ordinal
from billgraph.services.zone_offsets import offset_at, offset_segments

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Africa/Casablanca",  # DST suspended each Ramadan: two changes weeks apart
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # a 30-minute DST shift
]
SIX_HOURS = 6 * 3600


@pytest.mark.parametrize("zone_name", ZONES)
def test_offset_segments_match_the_zone_at_every_instant(zone_name: str) -> None:
    """Across the end of the zone's table (2037) into its yearly rule."""
    zone = ZoneInfo(zone_name)
    start = epoch_seconds(datetime(2030, 1, 1, tzinfo=UTC))
    end = epoch_seconds(datetime(2045, 1, 1, tzinfo=UTC))
    segments = offset_segments(zone, start, end)
    assert segments[0].start == start
    bounds = [segment.start for segment in segments[1:]] + [end]
    for segment, segment_end in zip(segments, bounds, strict=True):
        assert offset_at(zone, segment.start) == segment.offset
        assert offset_at(zone, segment_end - 1) == segment.offset
        for moment in range(segment.start, segment_end, SIX_HOURS):
            assert offset_at(zone, moment) == segment.offset, (zone_name, moment)


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("granularity", list(Granularity))
def test_pieces_cover_the_range_each_in_its_calendar_bucket(
    zone_name: str, granularity: Granularity
) -> None:
    zone = ZoneInfo(zone_name)
    start = epoch_seconds(datetime(2026, 3, 20, 10, 42, 47, tzinfo=UTC))
    end = epoch_seconds(datetime(2026, 4, 12, 5, 15, tzinfo=UTC))
    ordinals = bucket_range(start, end, granularity, zone)
    plan = plan_buckets(start, end, granularity, zone, ordinals=ordinals)
    assert plan.pieces[0].start == start
    assert plan.pieces[-1].end == end
    for piece, following in zip(plan.pieces, plan.pieces[1:], strict=False):
        assert piece.end == following.start
    for piece in plan.pieces:
        assert piece.start is not None
        assert piece.end is not None
        for moment in (piece.start, piece.end - 1):
            expected = local_ordinal(moment, offset_at(zone, moment), granularity)
            assert piece.ordinal == expected
        assert piece.ordinal in ordinals

    for width in (3600, 86400):
        whole, edges = split_for_rollup(plan.pieces, width)
        covered = sorted(
            [(p.start * width, p.end * width, p.ordinal) for p in whole]  # type: ignore[operator]
            + [(p.start, p.end, p.ordinal) for p in edges]
        )
        assert covered[0][0] == start
        assert covered[-1][1] == end
        assert all(a[1] == b[0] for a, b in itertools.pairwise(covered))


def test_the_widest_berlin_month_plan_has_one_piece_per_month() -> None:
    zone = ZoneInfo("Europe/Berlin")
    start = epoch_seconds(datetime(1900, 1, 1, tzinfo=zone))
    end = epoch_seconds(datetime(2150, 1, 1, tzinfo=zone))
    ordinals = bucket_range(start, end, Granularity.MONTH, zone)
    assert len(ordinals) == 3000
    plan = plan_buckets(start, end, Granularity.MONTH, zone, ordinals=ordinals)
    assert len(plan.pieces) == 3000  # offset changes fall inside months: no extra pieces
