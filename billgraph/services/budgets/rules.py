"""Checking what an admin sends for a budget. Pure functions, no I/O."""

from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billgraph.models import BudgetMode, BudgetPeriod
from billgraph.services.costs import parse_usd_amount, to_pico
from billgraph.services.errors import InvalidInputError
from billgraph.services.model_names import clean_name
from billgraph.services.provider_ids import provider_id

# Keeps window spend plus any one call's cost inside a signed 64-bit column.
MAX_LIMIT_USD = Decimal(9_000_000)
DEFAULT_THRESHOLDS = (80, 100)
MAX_THRESHOLDS = 10
MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class BudgetSpec:
    """A budget as an admin describes it; None means "as before" in an update."""

    name: str | None = None
    limit: Decimal | None = None
    period: BudgetPeriod | None = None
    mode: BudgetMode | None = None
    time_zone: str | None = None
    anchor_day: int | None = None
    anchor_hour: int | None = None
    thresholds: list[int] | None = None
    user_id: str | None = None
    api_key_id: int | None = None
    provider: str | None = None
    model: str | None = None
    # Scope fields set to null on purpose in an update (e.g. widen to every provider).
    cleared: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class CheckedBudget:
    """A complete, valid budget, ready to store."""

    name: str
    limit_pico: int
    period: BudgetPeriod
    mode: BudgetMode
    time_zone: str
    anchor_day: int
    anchor_hour: int
    thresholds: tuple[int, ...]
    user_id: str | None
    api_key_id: int | None
    provider: str | None
    model: str | None

    def columns(self) -> dict[str, object]:
        return {
            "name": self.name,
            "limit_pico": self.limit_pico,
            "period": self.period,
            "mode": self.mode,
            "time_zone": self.time_zone,
            "anchor_day": self.anchor_day,
            "anchor_hour": self.anchor_hour,
            "thresholds": format_thresholds(self.thresholds),
            "user_id": self.user_id,
            "api_key_id": self.api_key_id,
            "provider": self.provider,
            "model": self.model,
        }


def parse_limit(value: object, *, field: str = "limit") -> int:
    """Return a USD limit as pico-dollars, or raise InvalidInputError naming `field`."""
    return to_pico(parse_usd_amount(value, field=field, maximum=MAX_LIMIT_USD, example="5.00"))


def check_time_zone(name: str, *, field: str = "time_zone") -> str:
    """Return an IANA zone name that exists here, or raise InvalidInputError."""
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInputError(
            "{field} {zone!r} is not an IANA time zone such as Asia/Tokyo", field=field, zone=name
        ) from None
    return name


def check_thresholds(values: list[int], *, field: str = "thresholds") -> tuple[int, ...]:
    """Return distinct percentages 1-100 in increasing order."""
    if not 1 <= len(values) <= MAX_THRESHOLDS:
        raise InvalidInputError(
            f"{{field}} must hold 1 to {MAX_THRESHOLDS} percentages", field=field
        )
    for value in values:
        if not 1 <= value <= 100:
            raise InvalidInputError(
                f"{{field}} must be percentages from 1 to 100 (got {value})", field=field
            )
    return tuple(sorted(set(values)))


def format_thresholds(values: tuple[int, ...]) -> str:
    return ",".join(str(value) for value in values)


def parse_thresholds(stored: str) -> tuple[int, ...]:
    return tuple(int(value) for value in stored.split(",") if value)


def check_budget(spec: BudgetSpec, *, current: CheckedBudget | None = None) -> CheckedBudget:
    """Return the budget `spec` describes (over `current` in an update), or raise."""

    def pick(name: str, default: object) -> object:
        value = getattr(spec, name)
        if value is not None or name in spec.cleared:
            return value
        return getattr(current, name) if current is not None else default

    name = pick("name", None)
    if name is None:
        raise InvalidInputError("{field} is required", field="name")
    name = clean_name(str(name), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"{{field}} must be at most {MAX_NAME_LENGTH} characters", field="name"
        )
    if spec.limit is not None:
        limit_pico = parse_limit(spec.limit)
    elif current is not None:
        limit_pico = current.limit_pico
    else:
        raise InvalidInputError("{field} is required", field="limit")
    period = BudgetPeriod(str(pick("period", BudgetPeriod.MONTH)))
    period_changed = current is not None and period != current.period
    anchor_day = _anchor_day(period, spec.anchor_day, None if period_changed else current)
    anchor_hour = spec.anchor_hour if spec.anchor_hour is not None else pick("anchor_hour", 0)
    if not isinstance(anchor_hour, int) or not 0 <= anchor_hour <= 23:
        raise InvalidInputError("{field} must be an hour from 0 to 23", field="anchor_hour")
    thresholds = (
        check_thresholds(spec.thresholds)
        if spec.thresholds is not None
        else (current.thresholds if current is not None else DEFAULT_THRESHOLDS)
    )
    user_id = pick("user_id", None)
    if user_id is not None:
        user_id = clean_name(str(user_id), field="user_id")
    api_key_id = pick("api_key_id", None)
    if user_id is not None and api_key_id is not None:
        raise InvalidInputError(
            "a budget covers one scope: set {user_id} or {field}, not both",
            field="api_key_id",
            mentions=("user_id",),
        )
    model = pick("model", None)
    if model is not None:
        model = clean_name(str(model), field="model")
    provider = pick("provider", None)
    return CheckedBudget(
        name=name,
        limit_pico=limit_pico,
        period=period,
        mode=BudgetMode(str(pick("mode", BudgetMode.HARD))),
        time_zone=check_time_zone(str(pick("time_zone", "UTC"))),
        anchor_day=anchor_day,
        anchor_hour=anchor_hour,
        thresholds=thresholds,
        user_id=user_id,
        api_key_id=api_key_id if isinstance(api_key_id, int) else None,
        provider=provider_id(provider) if provider is not None else None,
        model=model,
    )


def _anchor_day(period: BudgetPeriod, given: int | None, current: CheckedBudget | None) -> int:
    if period is BudgetPeriod.MONTH:
        value = given if given is not None else (current.anchor_day if current else 1)
        if not 1 <= value <= 31:
            raise InvalidInputError(
                "{field} of a MONTH budget is the day of the month, 1 to 31 "
                "(29 to 31 start on the last day of shorter months)",
                field="anchor_day",
            )
        return value
    if period is BudgetPeriod.WEEK:
        value = given if given is not None else (current.anchor_day if current else 1)
        if not 1 <= value <= 7:
            raise InvalidInputError(
                "{field} of a WEEK budget is the ISO weekday, 1 (Monday) to 7 (Sunday)",
                field="anchor_day",
            )
        return value
    if given is not None:
        raise InvalidInputError(
            f"{{field}} applies to WEEK and MONTH budgets, not {period.value}",
            field="anchor_day",
        )
    return 1
