"""GraphQL types of budgets, their reservations and their audit trail."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Self, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from billgraph import models
from billgraph.schema.context import Context
from billgraph.schema.enums import (
    BudgetAuditAction,
    BudgetMode,
    BudgetPeriod,
    ReservationStatus,
    ServiceTier,
)
from billgraph.schema.scalars import ProviderId
from billgraph.services.budgets import admin, reservations
from billgraph.services.budgets.rules import BudgetSpec, parse_thresholds
from billgraph.services.costs import from_pico
from billgraph.services.errors import InvalidInputError


@strawberry.type(description="Where a budget stands in one window. Amounts in USD.")
class BudgetStatus:
    window_start: datetime
    window_end: datetime | None = strawberry.field(description="Exclusive; null for LIFETIME.")
    limit: Decimal
    spent: Decimal = strawberry.field(description="Recorded usage in the window.")
    estimated_spent: Decimal = strawberry.field(
        description="The part of spent priced by BUILTIN_ESTIMATE (unpriced models)."
    )
    reserved: Decimal = strawberry.field(description="Held by live authorizeUsage reservations.")
    remaining: Decimal = strawberry.field(description="limit - spent - reserved, at least 0.")
    percent_used: Decimal = strawberry.field(description="spent / limit in percent (2 places).")
    exceeded: bool = strawberry.field(description="Recorded spend is over the limit.")

    @classmethod
    def from_service(cls, status: admin.BudgetStatus) -> Self:
        return cls(
            window_start=status.window.start,
            window_end=status.window.end,
            limit=from_pico(status.budget.limit_pico),
            spent=from_pico(status.spent_pico),
            estimated_spent=from_pico(status.estimated_pico),
            reserved=from_pico(status.reserved_pico),
            remaining=from_pico(status.remaining_pico),
            percent_used=Decimal(status.percent_used),
            exceeded=status.exceeded,
        )


@strawberry.type(
    description="A spend limit per window on all usage, one user or one API key, optionally "
    "narrowed to a provider or model."
)
class Budget:
    id: strawberry.ID
    name: str
    user_id: str | None = strawberry.field(description="Scope: this user's usage.")
    api_key_id: strawberry.ID | None = strawberry.field(
        description="Scope: usage recorded with this API key."
    )
    provider: ProviderId | None
    model: str | None = strawberry.field(description="Exact model name as recorded.")
    limit: Decimal = strawberry.field(description="USD per window.")
    period: BudgetPeriod
    mode: BudgetMode
    time_zone: str = strawberry.field(description="IANA zone in which windows start.")
    anchor_day: int = strawberry.field(
        description="MONTH: day 1-31 (clamped to short months); WEEK: ISO weekday 1-7."
    )
    anchor_hour: int = strawberry.field(description="Local hour 0-23 at which windows start.")
    thresholds: list[int] = strawberry.field(description="Alert at these percentages.")
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[models.Budget]

    @strawberry.field(description="Spend, holds and room in the window containing `at` (now).")
    async def status(self, info: Info[Context, Any], at: datetime | None = None) -> BudgetStatus:
        now = info.context.now()
        status = await admin.budget_status(budget=self.row, at=_moment(at, now), now=now)
        return BudgetStatus.from_service(status)

    @classmethod
    def from_model(cls, row: models.Budget) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            user_id=row.user_id,
            api_key_id=strawberry.ID(str(row.api_key_id)) if row.api_key_id is not None else None,
            provider=ProviderId(row.provider) if row.provider is not None else None,
            model=row.model,
            limit=from_pico(row.limit_pico),
            period=row.period,
            mode=row.mode,
            time_zone=row.time_zone,
            anchor_day=row.anchor_day,
            anchor_hour=row.anchor_hour,
            thresholds=list(parse_thresholds(row.thresholds)),
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )


def _moment(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidInputError("at must include a UTC offset", field="at")
    return at


def parse_numeric_id(value: strawberry.ID | str, *, field: str) -> int:
    """Return a database id, or raise InvalidInputError naming `field`."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise InvalidInputError(f"{field} is not an id", field=field)
    return int(text)


@strawberry.input(description="A new budget. Send the limit as a decimal string.")
class CreateBudgetInput:
    name: str
    limit: Decimal = strawberry.field(description='USD per window, e.g. "5.00".')
    period: BudgetPeriod = BudgetPeriod.MONTH
    mode: BudgetMode = BudgetMode.HARD
    time_zone: str = "UTC"
    anchor_day: int | None = strawberry.field(
        default=None, description="MONTH: 1-31 (default 1); WEEK: 1 Monday-7 Sunday (default 1)."
    )
    anchor_hour: int | None = strawberry.field(default=None, description="0-23, default 0.")
    thresholds: list[int] | None = strawberry.field(
        default=None, description="Alert percentages 1-100; default [80, 100]."
    )
    user_id: str | None = None
    api_key_id: strawberry.ID | None = None
    provider: ProviderId | None = None
    model: str | None = None

    def to_service(self) -> BudgetSpec:
        return BudgetSpec(
            name=self.name,
            limit=self.limit,
            period=self.period,
            mode=self.mode,
            time_zone=self.time_zone,
            anchor_day=self.anchor_day,
            anchor_hour=self.anchor_hour,
            thresholds=self.thresholds,
            user_id=self.user_id,
            api_key_id=(
                parse_numeric_id(self.api_key_id, field="apiKeyId")
                if self.api_key_id is not None
                else None
            ),
            provider=self.provider,
            model=self.model,
        )


@strawberry.input(description="Fields to change; omitted ones stay. null clears a scope field.")
class UpdateBudgetInput:
    name: str | None = strawberry.UNSET
    limit: Decimal | None = strawberry.UNSET
    period: BudgetPeriod | None = strawberry.UNSET
    mode: BudgetMode | None = strawberry.UNSET
    time_zone: str | None = strawberry.UNSET
    anchor_day: int | None = strawberry.UNSET
    anchor_hour: int | None = strawberry.UNSET
    thresholds: list[int] | None = strawberry.UNSET
    user_id: str | None = strawberry.UNSET
    api_key_id: strawberry.ID | None = strawberry.UNSET
    provider: ProviderId | None = strawberry.UNSET
    model: str | None = strawberry.UNSET

    def to_service(self) -> BudgetSpec:
        values: dict[str, Any] = {}
        cleared = set()
        for name in ("user_id", "api_key_id", "provider", "model"):
            value = getattr(self, name)
            if value is None:
                cleared.add(name)
        for name in (
            "name",
            "limit",
            "period",
            "mode",
            "time_zone",
            "anchor_day",
            "anchor_hour",
            "thresholds",
            "user_id",
            "provider",
            "model",
        ):
            value = getattr(self, name)
            if value is not strawberry.UNSET and value is not None:
                values[name] = value
        if self.api_key_id is not strawberry.UNSET and self.api_key_id is not None:
            values["api_key_id"] = parse_numeric_id(self.api_key_id, field="apiKeyId")
        return BudgetSpec(**values, cleared=frozenset(cleared))


@strawberry.input(description="The most an upcoming LLM call may use.")
class AuthorizeUsageInput:
    provider: ProviderId
    model: str
    max_tokens_input: int = strawberry.field(description="Prompt tokens the call may use at most.")
    max_tokens_output: int = strawberry.field(
        description="Completion tokens the call may use at most (its max_tokens)."
    )
    user_id: str | None = None
    service_tier: ServiceTier | None = strawberry.field(
        default=None,
        description="The provider's service tier the call will use; unset: STANDARD. The "
        "hold is priced at that tier, as the recorded call will be.",
    )

    def to_service(self) -> reservations.UsageRequest:
        return reservations.UsageRequest(
            provider=self.provider,
            model=self.model,
            max_tokens_input=self.max_tokens_input,
            max_tokens_output=self.max_tokens_output,
            user_id=self.user_id,
            service_tier=None if self.service_tier is None else self.service_tier.value,
        )


@strawberry.type(description="A HARD budget a reservation is held against, after the grant.")
class ReservedBudget:
    budget: Budget
    window_start: datetime
    window_end: datetime | None
    remaining: Decimal = strawberry.field(description="Room left after this reservation.")


@strawberry.type(description="Budget held for one LLM call until recorded, released or expired.")
class Reservation:
    id: strawberry.ID = strawberry.field(description="Pass as recordUsage reservationId.")
    status: ReservationStatus
    amount: Decimal = strawberry.field(description="The call's maximum cost, held.")
    user_id: str | None
    provider: ProviderId
    model: str
    created_at: datetime
    expires_at: datetime
    budgets: list[ReservedBudget] = strawberry.field(
        description="The HARD budgets held (in the authorizeUsage answer only)."
    )

    @classmethod
    def from_model(
        cls,
        row: models.BudgetReservation,
        *,
        now: datetime,
        checks: list[reservations.BudgetCheck] | None = None,
    ) -> Self:
        return cls(
            id=strawberry.ID(row.id),
            status=reservations.status_at(row, now),
            amount=from_pico(row.amount_pico),
            user_id=row.user_id,
            provider=ProviderId(row.provider),
            model=row.model,
            created_at=row.created_at,
            expires_at=row.expires_at,
            budgets=[
                ReservedBudget(
                    budget=Budget.from_model(check.budget),
                    window_start=check.window.start,
                    window_end=check.window.end,
                    remaining=from_pico(check.remaining_pico),
                )
                for check in checks or []
            ],
        )


@strawberry.type(description="One budget change, as the audit trail recorded it.")
class BudgetChange:
    id: strawberry.ID
    changed_at: datetime
    action: BudgetAuditAction
    budget_id: strawberry.ID
    api_key_id: strawberry.ID | None
    api_key_name: str
    old_values: JSON | None
    new_values: JSON | None

    @classmethod
    def from_model(cls, row: models.BudgetAudit) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            changed_at=row.changed_at,
            action=row.action,
            budget_id=strawberry.ID(str(row.budget_id)),
            api_key_id=strawberry.ID(str(row.api_key_id)) if row.api_key_id is not None else None,
            api_key_name=row.api_key_name,
            old_values=cast(JSON | None, row.old_values),
            new_values=cast(JSON | None, row.new_values),
        )
