"""Migration 3 (price versions and token kinds) on a database that already holds data.

For SQLite and PostgreSQL: an empty database is brought to the schema before migration
3 by aerich itself (from a copy of migrations 0-2 in a folder of the test's own), filled
with raw SQL in that old schema (prices, usage logs, rollups), then upgraded by
billgraph.migrate.upgrade_database as the app would at startup.
"""

import shutil
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aerich import Command
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import TortoiseContext

from billgraph.db import APP_LABEL, connection_name, migrations_location, tortoise_config
from billgraph.migrate import pending_model_changes, upgrade_database
from billgraph.models import (
    Pricing,
    PricingManager,
    PricingSource,
    Provider,
    ProviderManager,
    ProviderRow,
    UsageLog,
)
from billgraph.services.rollups import verify_rollups
from billgraph.services.time_buckets import SECONDS_PER_DAY, SECONDS_PER_HOUR, epoch_seconds
from tests.conftest import Api, Database, make_settings, running_app, scratch_postgres_database

BEGINNING_OF_TIME = datetime(1970, 1, 1, tzinfo=UTC)
CREATED_AT = datetime(2024, 12, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class OldPrice:
    provider: str
    model_name: str
    input_pico: int
    output_pico: int
    managed_by: str


@dataclass(frozen=True)
class OldLog:
    """A log as the old schema stored it: two token counts, two prices, three costs."""

    request_id: str
    user_id: str | None
    provider: str
    model: str
    tokens_input: int
    tokens_output: int
    price: OldPrice | None  # None: the built-in estimate, 0.000001 per token
    source: str
    occurred_at: datetime

    @property
    def input_price_pico(self) -> int:
        return self.price.input_pico if self.price else 1_000_000

    @property
    def output_price_pico(self) -> int:
        return self.price.output_pico if self.price else 1_000_000

    @property
    def cost_input_pico(self) -> int:
        return self.tokens_input * self.input_price_pico

    @property
    def cost_output_pico(self) -> int:
        return self.tokens_output * self.output_price_pico


GPT_4O = OldPrice("OPENAI", "gpt-4o", 2_500_000, 10_000_000, "ADMIN")
MISTRAL_DEFAULT = OldPrice("MISTRAL", "default", 1_000_000, 3_000_000, "ENVIRONMENT")
GPT_OSS = OldPrice("MISTRAL", "gpt-oss-120b", 1_000_000, 3_000_000, "ENVIRONMENT")
CLAUDE = OldPrice("ANTHROPIC", "Claude-3-5-Sonnet", 3_000_000, 15_000_000, "ADMIN")
OLD_PRICES = (GPT_4O, MISTRAL_DEFAULT, GPT_OSS, CLAUDE)
OLD_LOGS = (
    # 1000 x 0.0000025 + 500 x 0.00001 = 0.0075
    OldLog(
        "old-gpt-4o",
        "alice",
        "OPENAI",
        "gpt-4o",
        1000,
        500,
        GPT_4O,
        "EXACT",
        datetime(2025, 1, 2, 10, 0, tzinfo=UTC),
    ),
    # 1000 x 0.000001 + 500 x 0.000003 = 0.0025, the worked example
    OldLog(
        "old-huggingface",
        None,
        "HUGGINGFACE",
        "openai/gpt-oss-120b:groq",
        1000,
        500,
        GPT_OSS,
        "SHORT_NAME",
        datetime(2025, 1, 2, 10, 30, tzinfo=UTC),
    ),
    # 1000 x 0.000003 + 1000 x 0.000015 = 0.018
    OldLog(
        "old-claude",
        "alice",
        "ANTHROPIC",
        "claude-3-5-sonnet",
        1000,
        1000,
        CLAUDE,
        "EXACT",
        datetime(2025, 1, 2, 10, 45, tzinfo=UTC),
    ),
    # 1000 x 0.000001 + 1000 x 0.000001 = 0.002
    OldLog(
        "old-estimate",
        "bob",
        "OTHER",
        "mystery-model",
        1000,
        1000,
        None,
        "BUILTIN_ESTIMATE",
        datetime(2025, 1, 3, 9, 0, tzinfo=UTC),
    ),
)


@asynccontextmanager
async def orm(url: str) -> AsyncIterator[BaseDBAsyncClient]:
    """An ORM context of the test's own on `url`; yields its connection."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url))
        yield context.connections.get(connection_name(url))


async def migrate_to_before_migration_3(url: str, dialect: str, folder: Path) -> list[str]:
    """Apply migrations 0, 1 and 2 only, with aerich, from a copy of them in `folder`."""
    return await migrate_up_to(url, dialect, folder, last=2)


async def migrate_up_to(url: str, dialect: str, folder: Path, *, last: int) -> list[str]:
    """Apply migrations 0 to `last` only, with aerich, from a copy of them in `folder`."""
    location = folder / dialect
    (location / APP_LABEL).mkdir(parents=True)
    for number in range(last + 1):
        (source,) = (migrations_location(dialect) / APP_LABEL).glob(f"{number}_*.py")
        shutil.copy(source, location / APP_LABEL / source.name)
    command = Command(tortoise_config(url), app=APP_LABEL, location=str(location))
    async with orm(url):
        await command.init()
        applied: list[str] = await command.upgrade(run_in_transaction=True)
    return applied


class OldSchemaWriter:
    """Raw SQL inserts in the old schema, with the dialect's placeholders and timestamps."""

    def __init__(self, connection: BaseDBAsyncClient, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect

    def moment(self, value: datetime) -> object:
        # Tortoise stores SQLite timestamps as text in this form; asyncpg takes datetimes.
        return value.isoformat(sep=" ") if self.dialect == "sqlite" else value

    async def insert(self, table: str, row: dict[str, Any]) -> int:
        columns = ", ".join(f'"{column}"' for column in row)
        if self.dialect == "sqlite":
            marks = ", ".join("?" for _ in row)
        else:
            marks = ", ".join(f"${index}" for index in range(1, len(row) + 1))
        values: Sequence[Any] = [
            self.moment(value) if isinstance(value, datetime) else value for value in row.values()
        ]
        rows = await self.connection.execute_query_dict(
            f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) RETURNING "id"',  # noqa: S608
            list(values),
        )
        return int(rows[0]["id"])


async def fill_old_schema(url: str, dialect: str) -> dict[OldPrice, int]:
    """Insert prices, logs and their rollups as the old schema held them; return price ids."""
    price_ids: dict[OldPrice, int] = {}
    async with orm(url) as connection:
        writer = OldSchemaWriter(connection, dialect)
        for price in OLD_PRICES:
            price_ids[price] = await writer.insert(
                "api_provider_pricing",
                {
                    "provider": price.provider,
                    "model_name": price.model_name,
                    "model_key": price.model_name.lower(),
                    "input_token_cost_pico": price.input_pico,
                    "output_token_cost_pico": price.output_pico,
                    "managed_by": price.managed_by,
                    "created_at": CREATED_AT,
                    "updated_at": CREATED_AT,
                },
            )
        for log in OLD_LOGS:
            await writer.insert(
                "api_usage_logs",
                {
                    "request_id": log.request_id,
                    "user_id": log.user_id,
                    "provider": log.provider,
                    "model": log.model,
                    "tokens_input": log.tokens_input,
                    "tokens_output": log.tokens_output,
                    "input_token_cost_pico": log.input_price_pico,
                    "output_token_cost_pico": log.output_price_pico,
                    "cost_input_pico": log.cost_input_pico,
                    "cost_output_pico": log.cost_output_pico,
                    "cost_total_pico": log.cost_input_pico + log.cost_output_pico,
                    "pricing_source": log.source,
                    "matched_model_name": log.price.model_name if log.price else None,
                    "pricing_id": price_ids[log.price] if log.price else None,
                    "occurred_at": log.occurred_at,
                    "recorded_at": log.occurred_at,
                },
            )
            sums = {
                "requests": 1,
                "tokens_input": log.tokens_input,
                "tokens_output": log.tokens_output,
                "cost_input_pico": log.cost_input_pico,
                "cost_output_pico": log.cost_output_pico,
                "cost_total_pico": log.cost_input_pico + log.cost_output_pico,
            }
            group = {"provider": log.provider, "model": log.model, "pricing_source": log.source}
            seconds = epoch_seconds(log.occurred_at)
            # Each old log is alone in its hour and in its (day, user) group.
            await writer.insert(
                "usage_rollup_hourly",
                {"bucket_hour": seconds // SECONDS_PER_HOUR, **group, **sums},
            )
            await writer.insert(
                "usage_rollup_daily_user",
                {
                    "bucket_day": seconds // SECONDS_PER_DAY,
                    "user_key": log.user_id or "",
                    **group,
                    **sums,
                },
            )
        await writer.insert("pricing_revision", {"id": 1, "revision": 7})
    return price_ids


@dataclass(frozen=True)
class Upgraded:
    url: str
    dialect: str
    price_ids: dict[OldPrice, int]
    applied: list[str]


@pytest.fixture
async def upgraded(database: Database, tmp_path: Path) -> AsyncIterator[Upgraded]:
    """A database of `database`'s dialect that held data in the old schema, now upgraded."""

    async def prepare(url: str) -> Upgraded:
        before = await migrate_to_before_migration_3(url, database.dialect, tmp_path / "old")
        assert [name.split("_", 1)[0] for name in before] == ["0", "1", "2"]
        price_ids = await fill_old_schema(url, database.dialect)
        applied = await upgrade_database(url)
        return Upgraded(url, database.dialect, price_ids, applied)

    if database.dialect == "sqlite":
        yield await prepare(f"sqlite://{tmp_path / 'old.sqlite3'}")
        return
    async with scratch_postgres_database() as url:
        yield await prepare(url)


async def test_only_the_later_migrations_are_applied_and_the_models_match(
    upgraded: Upgraded,
) -> None:
    later = sorted(
        path.name
        for path in (migrations_location(upgraded.dialect) / APP_LABEL).glob("*.py")
        if int(path.name.split("_", 1)[0]) >= 3
    )

    assert upgraded.applied == later
    assert await upgrade_database(upgraded.url) == []
    assert await pending_model_changes(upgraded.url) is False


async def test_prices_become_versions_in_effect_since_1970(upgraded: Upgraded) -> None:
    async with orm(upgraded.url):
        rows = {row.id: row for row in await Pricing.all()}

    assert set(rows) == set(upgraded.price_ids.values())
    for price, price_id in upgraded.price_ids.items():
        row = rows[price_id]
        # Migration 7: the former enum names became the providers' slugs.
        assert (row.provider, row.model_name, row.model_key) == (
            price.provider.lower(),
            price.model_name,
            price.model_name.lower(),
        )
        assert (row.input_token_cost_pico, row.output_token_cost_pico) == (
            price.input_pico,
            price.output_pico,
        )
        assert row.cached_input_token_cost_pico is None
        assert row.cache_write_token_cost_pico is None
        assert row.reasoning_token_cost_pico is None
        assert row.effective_from == BEGINNING_OF_TIME
        assert row.managed_by is PricingManager(price.managed_by)
        assert row.created_at == CREATED_AT


async def test_old_logs_keep_their_costs_and_get_the_new_columns(upgraded: Upgraded) -> None:
    async with orm(upgraded.url) as connection:
        logs = {log.request_id: log for log in await UsageLog.all()}
        differences = await verify_rollups(connection)

    assert set(logs) == {old.request_id for old in OLD_LOGS}
    for old in OLD_LOGS:
        log = logs[old.request_id]
        assert (log.tokens_input, log.tokens_output) == (old.tokens_input, old.tokens_output)
        assert (log.tokens_cached_input, log.tokens_cache_write, log.tokens_reasoning) == (0, 0, 0)
        assert (log.input_token_cost_pico, log.output_token_cost_pico) == (
            old.input_price_pico,
            old.output_price_pico,
        )
        # Those tokens cost the input (or output) price before they had prices of their own.
        assert log.cached_input_token_cost_pico == old.input_price_pico
        assert log.cache_write_token_cost_pico == old.input_price_pico
        assert log.reasoning_token_cost_pico == old.output_price_pico
        assert (log.cost_input_pico, log.cost_output_pico, log.cost_total_pico) == (
            old.cost_input_pico,
            old.cost_output_pico,
            old.cost_input_pico + old.cost_output_pico,
        )
        assert (log.cost_cached_input_pico, log.cost_cache_write_pico, log.cost_reasoning_pico) == (
            0,
            0,
            0,
        )
        assert log.pricing_source is PricingSource(old.source)
        assert log.provider == old.provider.lower()
        assert log.occurred_at == old.occurred_at
        assert log.user_id == old.user_id
    assert differences == []


async def test_the_providers_table_starts_with_the_ten_builtin_providers(
    upgraded: Upgraded,
) -> None:
    async with orm(upgraded.url):
        rows = {row.id: row for row in await ProviderRow.all()}

    assert sorted(rows) == sorted(provider.value for provider in Provider)
    assert {slug: row.priced_from for slug, row in rows.items() if row.priced_from} == {
        "huggingface": "mistral"
    }
    assert {row.managed_by for row in rows.values()} == {ProviderManager.BUILTIN}


RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) {
    costInput costOutput costTotal pricingSource matchedModelName
    cachedInputTokenCost reasoningTokenCost
  }
}"""
SUMMARY = "query { costSummary { requests costTotal estimatedCostTotal } }"
OLD_LOG = """
query { usageLogs(filter: {model: "gpt-4o"}) { edges { node {
  requestId costTotal cachedInputTokenCost cacheWriteTokenCost reasoningTokenCost
  tokensCachedInput costCachedInput
} } } }"""


async def test_the_app_prices_an_old_style_request_as_before(upgraded: Upgraded) -> None:
    settings = make_settings(Database(upgraded.dialect, upgraded.url))
    async with running_app(settings) as client:
        api = Api(client, Database(upgraded.dialect, upgraded.url))
        new_costs = {}
        for old in OLD_LOGS:
            payload = {
                "requestId": f"new-{old.request_id}",
                "userId": old.user_id,
                "provider": old.provider,
                "model": old.model,
                "tokensInput": old.tokens_input,
                "tokensOutput": old.tokens_output,
                "occurredAt": old.occurred_at.replace(minute=50).isoformat(),
            }
            new_costs[old.request_id] = (await api.data(RECORD, {"input": payload}))["recordUsage"]
        old_gpt_4o = (await api.data(OLD_LOG))["usageLogs"]["edges"]
        totals = (await api.data(SUMMARY))["costSummary"]

    assert {name: cost["costTotal"] for name, cost in new_costs.items()} == {
        "old-gpt-4o": "0.0075",
        "old-huggingface": "0.0025",
        "old-claude": "0.018",
        "old-estimate": "0.002",
    }
    assert {name: cost["pricingSource"] for name, cost in new_costs.items()} == {
        old.request_id: old.source for old in OLD_LOGS
    }
    assert new_costs["old-gpt-4o"]["cachedInputTokenCost"] == "0.0000025"
    assert new_costs["old-gpt-4o"]["reasoningTokenCost"] == "0.00001"
    assert new_costs["old-huggingface"]["matchedModelName"] == "gpt-oss-120b"
    old_log = next(edge["node"] for edge in old_gpt_4o if edge["node"]["requestId"] == "old-gpt-4o")
    assert old_log == {
        "requestId": "old-gpt-4o",
        "costTotal": "0.0075",
        "cachedInputTokenCost": "0.0000025",
        "cacheWriteTokenCost": "0.0000025",
        "reasoningTokenCost": "0.00001",
        "tokensCachedInput": 0,
        "costCachedInput": "0",
    }
    # Old and new logs together: 2 x (0.0075 + 0.0025 + 0.018 + 0.002).
    assert totals == {"requests": "8", "costTotal": "0.06", "estimatedCostTotal": "0.004"}
    async with orm(upgraded.url) as connection:
        assert await verify_rollups(connection) == []


UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id effectiveFrom } }"""
VERSIONS = """
query ($provider: Provider!, $modelName: String!) {
  pricingVersions(provider: $provider, modelName: $modelName) {
    id inputTokenCost effectiveFrom managedBy
  }
}"""


async def test_the_upgraded_pricing_table_takes_new_versions_and_models(
    upgraded: Upgraded,
) -> None:
    later = "2025-06-01T00:00:00+00:00"
    price = {"provider": "OPENAI", "inputTokenCost": "0.000002", "outputTokenCost": "0.000008"}
    settings = make_settings(Database(upgraded.dialect, upgraded.url))
    async with running_app(settings) as client:
        api = Api(client, Database(upgraded.dialect, upgraded.url))
        # A second version of an old price: the old (provider, model) uniqueness is gone.
        await api.data(UPSERT, {"input": {**price, "modelName": "gpt-4o", "effectiveFrom": later}})
        created = await api.data(UPSERT, {"input": {**price, "modelName": "o3-mini"}})
        versions = (await api.data(VERSIONS, {"provider": "OPENAI", "modelName": "gpt-4o"}))[
            "pricingVersions"
        ]

    assert [
        (version["inputTokenCost"], version["effectiveFrom"], version["managedBy"])
        for version in versions
    ] == [
        ("0.0000025", BEGINNING_OF_TIME.isoformat(), "ADMIN"),
        ("0.000002", later, "ADMIN"),
    ]
    assert int(versions[0]["id"]) == upgraded.price_ids[GPT_4O]
    # New rows get fresh ids, never one of the old rows'.
    new_ids = {int(versions[1]["id"]), int(created["upsertPricing"]["id"])}
    assert len(new_ids) == 2
    assert new_ids.isdisjoint(upgraded.price_ids.values())


async def migrate_to_before_providers(url: str, dialect: str, folder: Path) -> None:
    """Apply every migration before the providers migration (7), from a copy in `folder`."""
    location = folder / dialect
    (location / APP_LABEL).mkdir(parents=True)
    for source in (migrations_location(dialect) / APP_LABEL).glob("*.py"):
        if int(source.name.split("_", 1)[0]) < 7:
            shutil.copy(source, location / APP_LABEL / source.name)
    command = Command(tortoise_config(url), app=APP_LABEL, location=str(location))
    async with orm(url):
        await command.init()
        await command.upgrade(run_in_transaction=True)


async def test_budgets_and_reservations_name_providers_by_slug_after_migration_7(
    database: Database, tmp_path: Path
) -> None:
    async def check(url: str) -> None:
        await migrate_to_before_providers(url, database.dialect, tmp_path / "old")
        async with orm(url) as connection:
            writer = OldSchemaWriter(connection, database.dialect)
            await writer.insert(
                "budgets",
                {
                    "name": "openai spend",
                    "provider": "OPENAI",
                    "limit_pico": 10**12,
                    "period": "MONTH",
                    "time_zone": "UTC",
                    "anchor_day": 1,
                    "anchor_hour": 0,
                    "mode": "HARD",
                    "thresholds": "80,100",
                    "created_at": CREATED_AT,
                    "updated_at": CREATED_AT,
                },
            )
            await connection.execute_query(
                'INSERT INTO "budget_reservations" ("id", "status", "amount_pico", "provider", '
                '"model", "created_at", "expires_at") VALUES '
                "('rsv_old', 'HELD', 1, 'HUGGINGFACE', 'm', '2024-12-01 08:00:00+00:00', "
                "'2024-12-01 08:05:00+00:00')"
            )
        await upgrade_database(url)
        async with orm(url) as connection:
            budgets = await connection.execute_query_dict('SELECT "provider" FROM "budgets"')
            held = await connection.execute_query_dict(
                'SELECT "provider" FROM "budget_reservations"'
            )
        assert [row["provider"] for row in budgets] == ["openai"]
        assert [row["provider"] for row in held] == ["huggingface"]

    if database.dialect == "sqlite":
        await check(f"sqlite://{tmp_path / 'budgets.sqlite3'}")
        return
    async with scratch_postgres_database() as url:
        await check(url)
