"""The time ranges a report reads, each tagged with the bucket it belongs to.

A request's buckets are counted arithmetically first (two offset look-ups), so a range
that is too wide is refused before any other work. The range is then cut once into
pieces of one bucket and one UTC offset: about one piece per bucket plus one per offset
change. The report joins these pieces as a small table of bounds, so its SQL does not
grow with the range or with the zone's offset changes.
"""

from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from billgraph.services.time_buckets import Granularity, local_ordinal, next_bucket_at
from billgraph.services.zone_offsets import offset_at, offset_segments


class Piece(NamedTuple):  # a tuple: plans make thousands of them
    """[start, end) in epoch seconds (None: unbounded), all in bucket `ordinal`."""

    start: int | None
    end: int | None
    ordinal: int


@dataclass(frozen=True, slots=True)
class BucketPlan:
    granularity: Granularity | None
    zone: ZoneInfo
    pieces: tuple[Piece, ...]
    ordinals: range  # every bucket the range touches, in order (range(1) with no buckets)


def bucket_range(start: int, end: int, granularity: Granularity, zone: ZoneInfo) -> range:
    """Return the ordinals of the buckets [start, end) touches, from its two ends only."""
    if start >= end:
        return range(0)
    first = local_ordinal(start, offset_at(zone, start), granularity)
    last = local_ordinal(end - 1, offset_at(zone, end - 1), granularity)
    return range(first, max(last, first) + 1)


def plan_buckets(
    start: int | None,
    end: int | None,
    granularity: Granularity | None,
    zone: ZoneInfo,
    *,
    ordinals: range | None = None,
    read: tuple[int, int] | None = None,
) -> BucketPlan:
    """Return the pieces of [start, end), bounded first by `bucket_range` (`ordinals`).

    `read` narrows the pieces to where there is data (the buckets stay those of the
    whole range): a range of 250 years over 90 days of logs reads 90 days.
    """
    if granularity is None:
        return BucketPlan(None, zone, (Piece(start, end, 0),), range(1))
    if start is None or end is None or ordinals is None:
        raise ValueError("a time dimension needs both ends of the range, bounded")
    if read is not None:
        start, end = max(start, read[0]), min(end, read[1])
    if start >= end:
        return BucketPlan(granularity, zone, (), ordinals)
    segments = offset_segments(zone, start, end)
    pieces: list[Piece] = []
    for index, segment in enumerate(segments):
        segment_end = segments[index + 1].start if index + 1 < len(segments) else end
        moment = segment.start
        while moment < segment_end:
            ordinal = local_ordinal(moment, segment.offset, granularity)
            piece_end = min(next_bucket_at(ordinal, segment.offset, granularity), segment_end)
            if pieces and pieces[-1].ordinal == ordinal and pieces[-1].end == moment:
                pieces[-1] = Piece(pieces[-1].start, piece_end, ordinal)
            else:
                pieces.append(Piece(moment, piece_end, ordinal))
            moment = piece_end
    return BucketPlan(granularity, zone, tuple(pieces), ordinals)


def split_for_rollup(pieces: tuple[Piece, ...], width: int) -> tuple[list[Piece], list[Piece]]:
    """Split pieces into whole rollup buckets of `width` seconds and the partial edges.

    Rollup pieces are returned in rollup bucket numbers (epoch seconds // width), edge
    pieces in epoch seconds; together they cover exactly the given pieces.
    """
    whole: list[Piece] = []
    edges: list[Piece] = []
    for piece in pieces:
        first = None if piece.start is None else -(-piece.start // width)
        last = None if piece.end is None else piece.end // width
        if first is not None and last is not None and first >= last:
            edges.append(piece)
            continue
        whole.append(Piece(first, last, piece.ordinal))
        if piece.start is not None and first is not None and piece.start < first * width:
            edges.append(Piece(piece.start, first * width, piece.ordinal))
        if piece.end is not None and last is not None and last * width < piece.end:
            edges.append(Piece(last * width, piece.end, piece.ordinal))
    return whole, edges
