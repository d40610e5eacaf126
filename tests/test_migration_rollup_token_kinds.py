"""Migration 6 (token kinds in the rollups) on a database that already holds usage.

For SQLite and PostgreSQL: an empty database is brought to migration 5 by aerich from a
copy of migrations 0-5, filled with logs that carry cached, cache-write and reasoning
tokens and with rollups as migration 5 kept them (without those sums), then upgraded by
billgraph.migrate.upgrade_database as the app would at startup. The existing rollup rows
must then hold the exact sums of their logs, so reports are right without a rebuild.
"""

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from billgraph.migrate import pending_model_changes, upgrade_database
from billgraph.models import PricingSource, Provider, UsageLog
from billgraph.services.api_keys import SYSTEM
from billgraph.services.reports import CostReportOrder, UsageDimension, cost_report
from billgraph.services.rollups import ROLLUP_TABLES, log_key, verify_rollups
from billgraph.services.usage import UsageFilter
from tests.conftest import Database, scratch_postgres_database
from tests.test_migration_with_data import OldSchemaWriter, migrate_up_to, orm

START = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
# Log columns later migrations added (8: the service tier and the tier that priced it).
LATER_LOG_COLUMNS = {"service_tier", "priced_service_tier", "priced_above_prompt_tokens"}
# The sums migration 5 kept in every rollup table (and the estimate in the per-user total).
OLD_SUMS = (
    "requests",
    "tokens_input",
    "tokens_output",
    "cost_input_pico",
    "cost_output_pico",
    "cost_total_pico",
)


def old_logs() -> list[UsageLog]:
    """Twelve logs over two days, two users and two models; several share a rollup row."""
    logs = []
    for number in range(12):
        tokens_input = 1000 + 100 * number
        tokens_output = 500 + 10 * number
        estimated = number % 4 == 3
        price_in, price_out = (1_000_000, 1_000_000) if estimated else (2_500_000, 10_000_000)
        logs.append(
            UsageLog(
                request_id=f"old-{number}",
                user_id=("alice", "bob", None)[number % 3],
                provider=Provider.OTHER if estimated else Provider.OPENAI,
                model="mystery" if estimated else "gpt-4o",
                tokens_input=tokens_input,
                tokens_output=tokens_output,
                tokens_cached_input=30 * number,
                tokens_cache_write=7 * number,
                tokens_reasoning=11 * number,
                input_token_cost_pico=price_in,
                output_token_cost_pico=price_out,
                cached_input_token_cost_pico=price_in,
                cache_write_token_cost_pico=price_in,
                reasoning_token_cost_pico=price_out,
                cost_input_pico=tokens_input * price_in,
                cost_output_pico=tokens_output * price_out,
                cost_cached_input_pico=30 * number * price_in,
                cost_cache_write_pico=7 * number * price_in,
                cost_reasoning_pico=11 * number * price_out,
                cost_total_pico=tokens_input * price_in + tokens_output * price_out,
                pricing_source=(
                    PricingSource.BUILTIN_ESTIMATE if estimated else PricingSource.EXACT
                ),
                occurred_at=START + timedelta(minutes=25 * number, hours=20 * (number // 6)),
                recorded_at=START,
            )
        )
    return logs


async def fill_at_migration_5(url: str, dialect: str, logs: list[UsageLog]) -> None:
    """Insert the logs and the rollup rows migration 5 kept for them."""
    async with orm(url) as connection:
        writer = OldSchemaWriter(connection, dialect)
        for log in logs:
            await writer.insert(
                "api_usage_logs",
                {
                    column: getattr(getattr(log, column), "value", getattr(log, column))
                    for column in UsageLog._meta.db_fields
                    if column not in {"id", *LATER_LOG_COLUMNS}
                },
            )
        for table in ROLLUP_TABLES:
            # Migration 5's rollup keys had no service tier (migration 8 added it).
            kept = [
                position
                for position, column in enumerate(table.key_columns)
                if column != "service_tier"
            ]
            old_columns = [table.key_columns[position] for position in kept]
            groups: dict[tuple[object, ...], dict[str, int]] = defaultdict(
                lambda: dict.fromkeys(OLD_SUMS, 0)
            )
            for log in logs:
                key = log_key(table, log)
                sums = groups[tuple(key[position] for position in kept)]
                sums["requests"] += 1
                for column in OLD_SUMS[1:]:
                    sums[column] += getattr(log, column)
                if table.carries_estimate:
                    estimate = log.pricing_source is PricingSource.BUILTIN_ESTIMATE
                    sums["estimated_cost_total_pico"] = sums.get("estimated_cost_total_pico", 0) + (
                        log.cost_total_pico if estimate else 0
                    )
            for key, sums in groups.items():
                await writer.insert(
                    table.name, {**dict(zip(old_columns, key, strict=True)), **sums}
                )


@dataclass(frozen=True)
class Upgraded:
    url: str
    applied: list[str]
    logs: list[UsageLog]


@pytest.fixture
async def upgraded(database: Database, tmp_path: Path) -> AsyncIterator[Upgraded]:
    async def prepare(url: str) -> Upgraded:
        before = await migrate_up_to(url, database.dialect, tmp_path / "old", last=5)
        assert [name.split("_", 1)[0] for name in before] == ["0", "1", "2", "3", "4", "5"]
        logs = old_logs()
        await fill_at_migration_5(url, database.dialect, logs)
        applied = await upgrade_database(url)
        return Upgraded(url, applied, logs)

    if database.dialect == "sqlite":
        yield await prepare(f"sqlite://{tmp_path / 'old.sqlite3'}")
        return
    async with scratch_postgres_database() as url:
        yield await prepare(url)


async def test_existing_rollup_rows_get_the_token_kind_sums_of_their_logs(
    upgraded: Upgraded,
) -> None:
    # Migration 6, and every later one (7: providers as slugs, 8: price tiers,
    # 9: rollups folded after the insert, NUMERIC sums on PostgreSQL).
    assert [name.split("_", 1)[0] for name in upgraded.applied] == ["6", "7", "8", "9"]
    assert await pending_model_changes(upgraded.url) is False
    async with orm(upgraded.url) as connection:
        # verify_rollups compares every sum column with the logs, the new ones included.
        assert await verify_rollups(connection) == []
        by_user = await cost_report(
            usage_filter=UsageFilter(),
            group_by=[UsageDimension.USER],
            time_zone="UTC",
            order=CostReportOrder.KEY_ASC,
            first=None,
            caller=SYSTEM,
        )
    expected: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for log in upgraded.logs:
        sums = expected[log.user_id]
        sums[0] += log.tokens_cached_input
        sums[1] += log.tokens_cache_write
        sums[2] += log.tokens_reasoning
    assert by_user.answered_from == "usage_rollup_daily_user_total"
    assert {
        row.key.user_id: [
            row.totals.tokens.cached_input,
            row.totals.tokens.cache_write,
            row.totals.tokens.reasoning,
        ]
        for row in by_user.rows
    } == dict(expected)
    assert all(any(sums) for sums in expected.values())
