"""The `billgraph` command: serve, db upgrade, pricing init/list, cost."""

import asyncio
import logging
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import asyncpg
import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from billgraph.app import create_app, environment_prices_of
from billgraph.db import dialect_of, tortoise_config
from billgraph.migrate import asyncpg_dsn, make_migration, upgrade_database
from billgraph.models import ApiKey, ApiKeyScope, Pricing, Provider, UsageLog
from billgraph.services import api_keys, catalog, demo, pricing, rollups
from billgraph.services.costs import compute_cost, format_decimal, from_pico
from billgraph.services.errors import BillingError
from billgraph.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="billgraph: exact billing for LLM API usage.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
pricing_app = typer.Typer(help="Pricing rows.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
rollups_app = typer.Typer(help="Pre-aggregated usage.", no_args_is_help=True)
demo_app = typer.Typer(help="Demonstration data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(pricing_app, name="pricing")
app.add_typer(keys_app, name="keys")
app.add_typer(rollups_app, name="rollups")
app.add_typer(demo_app, name="demo")

T = TypeVar("T")
CLI_ACTOR = api_keys.Caller(
    key_id=None, name="billgraph CLI", scopes=frozenset({ApiKeyScope.ADMIN})
)


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; print domain errors as one line and exit 1."""
    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except BillingError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None


@asynccontextmanager
async def _database_at_head(settings: Settings) -> AsyncIterator[None]:
    await upgrade_database(settings.database_url)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings.database_url))
        yield


@asynccontextmanager
async def _database_as_served(settings: Settings) -> AsyncIterator[None]:
    """The database as the server sees it: at head, default pricing initialized."""
    async with _database_at_head(settings):
        await pricing.initialize_default_pricing(
            environment_prices=environment_prices_of(settings), now=datetime.now(UTC)
        )
        yield


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides PORT.")] = None,
) -> None:
    """Serve GraphQL (and GraphiQL) over HTTP."""
    flags = {"host": host, "port": port}
    settings = _settings(**{name: value for name, value in flags.items() if value is not None})
    page = "GraphQL" if settings.is_production else "GraphQL and GraphiQL"
    typer.echo(f"billgraph: {page} at http://{settings.host}:{settings.port}/graphql")
    typer.echo(f"billgraph: dashboard at http://{settings.host}:{settings.port}/")
    typer.echo(f"billgraph: database {_describe_database(settings.database_url)}")
    if _is_embedded_development(settings):
        _offer_development_key(settings)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


def _is_embedded_development(settings: Settings) -> bool:
    return dialect_of(settings.database_url) == "sqlite" and not settings.is_production


def _offer_development_key(settings: Settings) -> None:
    """On a first run with no keys at all, create an admin key and print it once."""

    async def create_if_no_keys() -> str | None:
        async with _database_at_head(settings):
            if await api_keys.count_api_keys():
                return None
            _, secret = await api_keys.create_api_key(
                name="development admin", scopes=[ApiKeyScope.ADMIN], user_id=None
            )
            return secret

    secret = _run(create_if_no_keys)
    if secret is not None:
        typer.echo(f"billgraph: created a development admin key (shown once): {secret}")
        typer.echo(
            "billgraph: in GraphiQL, open the Headers tab and paste "
            f'{{"Authorization": "Bearer {secret}"}}'
        )


def _describe_database(database_url: str) -> str:
    scheme, _, rest = database_url.partition("://")
    location = rest.rpartition("@")[2]  # never print a password
    return f"{scheme}://{location}"


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations the database lacks."""
    settings = _settings()
    applied = _run(lambda: upgrade_database(settings.database_url))
    typer.echo(f"applied: {', '.join(applied)}" if applied else "database already at head")


@db_app.command("make-migrations")
def db_make_migrations(
    name: Annotated[str, typer.Argument(help="A short name, e.g. add_cached_tokens.")],
    postgres_url: Annotated[
        str, typer.Option(help="A server where a scratch database may be created.")
    ] = "postgres://postgres@127.0.0.1:5432/postgres",
) -> None:
    """Write a migration for model changes, for SQLite and for PostgreSQL (developers)."""

    async def postgres_migration() -> None:
        async with _scratch_postgres(postgres_url) as scratch_url:
            _make_migration_in_own_process(scratch_url, name)

    with tempfile.TemporaryDirectory() as scratch:
        _make_migration_in_own_process(f"sqlite://{Path(scratch) / 'scratch.sqlite3'}", name)
    _run(postgres_migration)


def _make_migration_in_own_process(database_url: str, name: str) -> None:
    # aerich and Tortoise keep per-process state (DDL generator, model bindings), so
    # generating for a second dialect in the same process writes the first one's SQL.
    subprocess.run(  # noqa: S603  (our own interpreter and module, arguments we built)
        [sys.executable, "-m", "billgraph.cli", "db", "make-migration", database_url, name],
        check=True,
    )


@db_app.command("make-migration", hidden=True)
def db_make_migration(database_url: str, name: str) -> None:
    """Write one dialect's migration from a scratch database at DATABASE_URL."""
    written = _run(lambda: make_migration(database_url=database_url, name=name))
    typer.echo(f"{dialect_of(database_url)}: {written or 'no changes'}")


@asynccontextmanager
async def _scratch_postgres(server_url: str) -> AsyncIterator[str]:
    name = f"billgraph_scratch_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pricing_app.command("init")
def pricing_init() -> None:
    """Bring the database to head, then upsert the environment-managed prices."""
    settings = _settings()

    async def initialize() -> pricing.PricingInitReport:
        async with _database_at_head(settings):
            return await pricing.initialize_default_pricing(
                environment_prices=environment_prices_of(settings), now=datetime.now(UTC)
            )

    report = _run(initialize)
    for outcome in ("created", "updated", "unchanged", "skipped"):
        for row in getattr(report, outcome):
            typer.echo(f"{outcome:<9} {_pricing_line(row)}")


@pricing_app.command("list")
def pricing_list(
    provider: Annotated[Provider | None, typer.Option(case_sensitive=False)] = None,
) -> None:
    """List pricing rows (USD per token)."""
    settings = _settings()

    async def rows() -> list[Pricing]:
        async with _database_as_served(settings):
            return await pricing.list_pricings(provider=provider, at=datetime.now(UTC))

    typer.echo(f"{'PROVIDER':<12} {'MODEL':<40} {'INPUT':>16} {'OUTPUT':>16}  MANAGED BY")
    for row in _run(rows):
        typer.echo(_pricing_line(row))


def _pricing_line(row: Pricing) -> str:
    return (
        f"{row.provider.value:<12} {row.model_name:<40} "
        f"{format_decimal(from_pico(row.input_token_cost_pico)):>16} "
        f"{format_decimal(from_pico(row.output_token_cost_pico)):>16}  {row.managed_by.value}"
    )


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what the key is for.")],
    scope: Annotated[
        list[ApiKeyScope], typer.Option(case_sensitive=False, help="Repeat for several scopes.")
    ],
    user: Annotated[str | None, typer.Option(help="Bind the key to one user's usage.")] = None,
) -> None:
    """Create an API key and print its secret, which is shown only this once."""
    settings = _settings()

    async def create() -> tuple[ApiKey, str]:
        async with _database_at_head(settings):
            return await api_keys.create_api_key(name=name, scopes=scope, user_id=user)

    key, secret = _run(create)
    typer.echo(f"created key {key.id} {key.prefix} ({key.scopes}{_bound(key)})")
    typer.echo(f"secret (shown once): {secret}")


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (never their secrets)."""
    settings = _settings()

    async def every_key() -> list[ApiKey]:
        async with _database_at_head(settings):
            return await api_keys.list_api_keys()

    typer.echo(f"{'ID':>4}  {'PREFIX':<16} {'SCOPES':<20} {'STATUS':<8} NAME")
    for key in _run(every_key):
        status = "revoked" if key.revoked_at else "active"
        typer.echo(
            f"{key.id:>4}  {key.prefix:<16} {key.scopes:<20} {status:<8} {key.name}{_bound(key)}"
        )


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="The id `keys list` shows.")]) -> None:
    """Revoke an API key; it stops working at once, in every worker."""
    settings = _settings()

    async def revoke() -> ApiKey:
        async with _database_at_head(settings):
            return await api_keys.revoke_api_key(key_id=key_id, now=datetime.now(UTC))

    key = _run(revoke)
    typer.echo(f"revoked key {key.id} {key.prefix} ({key.name})")


@rollups_app.command("verify")
def rollups_verify() -> None:
    """Compare the rollup tables with the logs; exit 1 and list the groups that differ."""
    settings = _settings()

    async def verify() -> list[rollups.RollupDifference]:
        async with _database_at_head(settings):
            return await rollups.verify_rollups(UsageLog._meta.db)

    differences = _run(verify)
    for difference in differences:
        typer.echo(
            f"{difference.table} {difference.key}: rollup {difference.in_rollup}, "
            f"logs {difference.from_logs}"
        )
    if differences:
        typer.echo(f"{len(differences)} groups differ: run `billgraph rollups rebuild`")
        raise typer.Exit(1)
    typer.echo("rollups match the logs")


@rollups_app.command("rebuild")
def rollups_rebuild() -> None:
    """Recompute the rollup tables from the logs, in one transaction."""
    settings = _settings()

    async def rebuild() -> None:
        async with _database_at_head(settings), in_transaction() as connection:
            await rollups.rebuild_rollups(connection)

    _run(rebuild)
    typer.echo("rollups rebuilt from the logs")


@demo_app.command("seed")
def demo_seed(
    logs: Annotated[int, typer.Option(min=1, help="How many usage logs to add.")] = 10_000,
    users: Annotated[int, typer.Option(min=1, help="How many distinct users.")] = 200,
    days: Annotated[int, typer.Option(min=1, help="Spread over this many days, ending now.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed, for repeatable data.")] = 1,
) -> None:
    """Fill the database with plausible usage, through the batch-ingest service."""
    settings = _settings()

    async def fill() -> int:
        async with _database_as_served(settings):
            with Progress(
                TextColumn("seeding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
            ) as progress:
                task = progress.add_task("seed", total=logs)
                return await demo.seed_usage(
                    logs=logs,
                    users=users,
                    days=days,
                    seed=seed,
                    environment_prices=environment_prices_of(settings),
                    on_batch=lambda done: progress.update(task, completed=done),
                )

    created = _run(fill)
    typer.echo(f"seeded {created} usage logs for {users} users over {days} days")


def _bound(key: ApiKey) -> str:
    return f", user {key.user_id}" if key.user_id else ""


@pricing_app.command("import")
def pricing_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Catalog JSON.")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the changes; without it, a dry run.")
    ] = False,
    effective_from: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"],
            help="When the imported prices start (UTC if no offset); default now.",
        ),
    ] = None,
) -> None:
    """Import LiteLLM's model_prices_and_context_window.json (or a file like it)."""
    settings = _settings()
    starts = effective_from or datetime.now(UTC)
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)

    async def run_import() -> catalog.CatalogImportReport:
        entries = catalog.parse_catalog(file.read_bytes())
        async with _database_as_served(settings):
            with Progress(
                TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
            ) as progress:
                task = progress.add_task("import", total=len(entries))
                return await catalog.import_catalog(
                    catalog=entries,
                    dry_run=not apply,
                    effective_from=starts,
                    actor=CLI_ACTOR,
                    on_entry=lambda done: progress.update(task, completed=done),
                )

    report = _run(run_import)
    summary = Table(title="dry run: nothing written" if report.dry_run else "applied")
    for column in ("created", "updated", "unchanged", "skipped"):
        summary.add_column(column, justify="right")
    summary.add_row(
        *(
            str(len(getattr(report, name)))
            for name in ("created", "updated", "unchanged", "skipped")
        )
    )
    Console().print(summary)
    reasons: dict[str, int] = {}
    for skipped in report.skipped:
        reasons[skipped.reason] = reasons.get(skipped.reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        typer.echo(f"skipped {count:>5}  {reason}")
    if report.dry_run:
        typer.echo("run again with --apply to write these prices")


@app.command()
def cost(
    provider: Annotated[Provider, typer.Option(case_sensitive=False)],
    model: Annotated[str, typer.Option()],
    tokens_input: Annotated[int, typer.Option("--input", min=0)],
    tokens_output: Annotated[int, typer.Option("--output", min=0)],
) -> None:
    """Price one call without recording it, and say which step of the chain priced it."""
    settings = _settings()

    async def price() -> pricing.ResolvedPrice:
        async with _database_as_served(settings):
            return await pricing.resolve_pricing(
                provider=provider,
                model=model,
                environment_prices=environment_prices_of(settings),
                cache=pricing.PricingCache(),
                at=datetime.now(UTC),
            )

    resolved = _run(price)
    breakdown = compute_cost(
        tokens_input=tokens_input,
        tokens_output=tokens_output,
        input_price_pico=resolved.input_price_pico,
        output_price_pico=resolved.output_price_pico,
    )
    matched = f" (row {resolved.pricing_provider.value} {resolved.matched_model_name})"
    typer.echo(f"priced by: {resolved.source.value}{matched if resolved.pricing else ''}")
    if resolved.is_estimate:
        typer.echo("note: no price is known for this model; this is the built-in estimate")
    for side, tokens, unit, amount in (
        ("input", tokens_input, resolved.input_price_pico, breakdown.input_pico),
        ("output", tokens_output, resolved.output_price_pico, breakdown.output_pico),
    ):
        typer.echo(
            f"{side:<7} {tokens:>12} tokens x {format_decimal(from_pico(unit))} USD "
            f"= {format_decimal(from_pico(amount))} USD"
        )
    typer.echo(f"total   {format_decimal(from_pico(breakdown.total_pico))} USD")


def main() -> None:
    app(prog_name="billgraph")


if __name__ == "__main__":
    main()
