"""The `billgraph` command: serve, db upgrade, pricing init/list, cost."""

import asyncio
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from billgraph import serving
from billgraph.app import (
    StartupRefusedError,
    delivery_policy_of,
    environment_prices_of,
    prepare_database,
)
from billgraph.cli_names import cli_message
from billgraph.cli_output import (
    BillgraphTyper,
    JsonFlag,
    catalog_names,
    catalog_report_json,
    decimal_string,
    difference_json,
    echo_json,
    key_json,
    pricing_json,
    provider_json,
    skipped_summary,
)
from billgraph.db import dialect_of, sqlite_path, tortoise_config
from billgraph.logs import configure_logging
from billgraph.migrate import asyncpg_dsn, make_migration, upgrade_database
from billgraph.models import ApiKey, ApiKeyScope, Pricing, ProviderRow, UsageLog
from billgraph.services import (
    api_keys,
    catalog,
    demo,
    pricing,
    pricing_defaults,
    providers,
    repricing,
    rollups,
    webhooks,
)
from billgraph.services.budgets.verify import SpendDifference, verify_budget_spend
from billgraph.services.costs import compute_cost, format_decimal, from_pico
from billgraph.services.errors import BillingError
from billgraph.services.pricing_cache import PricingCache
from billgraph.services.pricing_chain import ResolvedPrice, parse_service_tier
from billgraph.services.provider_ids import provider_id
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage import UsageFilter
from billgraph.settings import Settings, SettingsError, load_settings

app = BillgraphTyper(help="billgraph: exact billing for LLM API usage.", no_args_is_help=True)
db_app = BillgraphTyper(help="Database schema.", no_args_is_help=True)
pricing_app = BillgraphTyper(help="Pricing rows.", no_args_is_help=True)
keys_app = BillgraphTyper(help="API keys.", no_args_is_help=True)
providers_app = BillgraphTyper(help="Providers usage can name.", no_args_is_help=True)
rollups_app = BillgraphTyper(help="Pre-aggregated usage.", no_args_is_help=True)
demo_app = BillgraphTyper(help="Demonstration data.", no_args_is_help=True)
usage_app = BillgraphTyper(help="Usage logs.", no_args_is_help=True)
budgets_app = BillgraphTyper(help="Budgets and spend limits.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(pricing_app, name="pricing")
app.add_typer(keys_app, name="keys")
app.add_typer(providers_app, name="providers")
app.add_typer(rollups_app, name="rollups")
app.add_typer(demo_app, name="demo")
app.add_typer(usage_app, name="usage")
app.add_typer(budgets_app, name="budgets")

T = TypeVar("T")


def _provider_option(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return provider_id(value)
    except BillingError as error:
        raise typer.BadParameter(error.message) from None


ProviderOption = Annotated[
    str,
    typer.Option(
        metavar="PROVIDER",
        callback=_provider_option,
        help="A provider id: openai, anthropic, huggingface, fireworks_ai, ... (any case).",
    ),
]
CLI_ACTOR = api_keys.Caller(
    key_id=None, name="billgraph CLI", scopes=frozenset({ApiKeyScope.ADMIN})
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"billgraph {package_version('billgraph')}")
        raise typer.Exit


_options = {"create_database": False}


@app.callback()
def _global_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    create_database: Annotated[
        bool,
        typer.Option(
            "--create-database",
            help="Let any command create the SQLite database file if it does not exist.",
        ),
    ] = False,
) -> None:
    """billgraph: exact billing for LLM API usage."""
    _options["create_database"] = create_database


def _settings(*, creates_database: bool = False, **overrides: object) -> Settings:
    """Return the settings; say which database is used, and refuse to create a stray one.

    Only `serve`, `db upgrade` and `pricing init` (or --create-database) may create a
    SQLite file: any other command run from the wrong folder would otherwise leave an
    empty database behind and report on it.
    """
    try:
        settings = load_settings(**overrides)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"billgraph: database {_describe_database(settings.database_url)}", err=True)
    path = (
        sqlite_path(settings.database_url)
        if dialect_of(settings.database_url) == "sqlite"
        else None
    )
    allowed = creates_database or _options["create_database"]
    if path is not None and not path.exists() and not allowed:
        typer.echo(
            f"billgraph: the SQLite database {path} does not exist; run this where it is, set "
            "DATABASE_URL, or create it with `billgraph db upgrade` (or --create-database)",
            err=True,
        )
        raise typer.Exit(2)
    return settings


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; print domain errors as one line and exit 1."""
    return _checked(lambda: asyncio.run(work()))  # type: ignore[arg-type]


def _checked(work: Callable[[], T]) -> T:
    """Return work(); print a domain error as one line naming the options, and exit 1."""
    try:
        return work()
    except BillingError as error:
        typer.echo(f"error: {cli_message(error)}", err=True)
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
        await pricing_defaults.initialize_default_pricing(
            environment_prices=environment_prices_of(settings), now=datetime.now(UTC)
        )
        yield


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(metavar="HOST", help="Overrides HOST.")] = None,
    port: Annotated[int | None, typer.Option(metavar="PORT", help="Overrides PORT.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, metavar="N", help="Worker processes.")] = 1,
) -> None:
    """Serve GraphQL (and GraphiQL) over HTTP."""
    flags = {"host": host, "port": port}
    settings = _settings(
        creates_database=True,
        **{name: value for name, value in flags.items() if value is not None},
    )
    configure_logging(level=settings.log_level, as_json=settings.log_as_json)
    try:
        applied = asyncio.run(prepare_database(settings))
    except StartupRefusedError as refusal:
        _refuse(str(refusal))
    if applied:
        typer.echo(f"billgraph: applied migrations: {', '.join(applied)}", err=True)
    problem = serving.port_problem(settings.host, settings.port)
    if problem is not None:
        _refuse(problem)
    if _is_embedded_development(settings):
        _offer_development_key(settings)
    page = "GraphQL" if settings.is_production else "GraphQL and GraphiQL"
    plural = "s" if workers > 1 else ""
    banner = (
        f"billgraph: serving {page} at http://{settings.host}:{settings.port}/graphql "
        f"({workers} worker{plural}); dashboard at http://{settings.host}:{settings.port}/"
    )
    serving.run(settings, workers=workers, on_serving=lambda: typer.echo(banner))


def _refuse(problem: str) -> NoReturn:
    typer.echo(f"billgraph: cannot start: {problem}", err=True)
    raise typer.Exit(1)


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
    if dialect_of(database_url) == "sqlite":
        path = sqlite_path(database_url)
        return f"sqlite://{path}" if path is not None else database_url
    scheme, _, rest = database_url.partition("://")
    location = rest.rpartition("@")[2]  # never print a password
    return f"{scheme}://{location}"


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations the database lacks (the release step before new code serves)."""
    settings = _settings(creates_database=True)
    applied = _run(lambda: upgrade_database(settings.database_url))
    typer.echo(f"applied: {', '.join(applied)}" if applied else "database already at head")


@db_app.command("make-migrations")
def db_make_migrations(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="A short name, e.g. add_cached_tokens.")
    ],
    postgres_url: Annotated[
        str,
        typer.Option(metavar="URL", help="A server where a scratch database may be created."),
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
    settings = _settings(creates_database=True)

    async def initialize() -> pricing_defaults.PricingInitReport:
        async with _database_at_head(settings):
            return await pricing_defaults.initialize_default_pricing(
                environment_prices=environment_prices_of(settings), now=datetime.now(UTC)
            )

    report = _run(initialize)
    for outcome in ("created", "updated", "unchanged", "skipped"):
        for row in getattr(report, outcome):
            typer.echo(f"{outcome:<9} {_pricing_line(row)}")


@pricing_app.command("list")
def pricing_list(
    provider: Annotated[
        str | None,
        typer.Option(metavar="PROVIDER", callback=_provider_option, help="Only this provider's."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the prices in effect now (USD per token): a summary, then one row per model."""
    settings = _settings()

    async def rows() -> list[Pricing]:
        async with _database_as_served(settings):
            return await pricing.list_pricings(provider=provider, at=datetime.now(UTC))

    found = _run(rows)
    if as_json:
        echo_json([pricing_json(row) for row in found])
        return
    managers: dict[str, int] = {}
    for row in found:
        managers[row.managed_by.value] = managers.get(row.managed_by.value, 0) + 1
    by_manager = ", ".join(f"{count} {manager}" for manager, count in sorted(managers.items()))
    typer.echo(f"{len(found)} prices" + (f" ({by_manager})" if found else ""))
    typer.echo(f"{'PROVIDER':<12} {'MODEL':<40} {'INPUT':>16} {'OUTPUT':>16}  MANAGED BY")
    for row in found:
        typer.echo(_pricing_line(row))


def _pricing_line(row: Pricing) -> str:
    return (
        f"{row.provider:<12} {row.model_name:<40} "
        f"{format_decimal(from_pico(row.input_token_cost_pico)):>16} "
        f"{format_decimal(from_pico(row.output_token_cost_pico)):>16}  {row.managed_by.value}"
    )


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(metavar="NAME", help="Who or what the key is for.")],
    scope: Annotated[
        list[ApiKeyScope],
        typer.Option(
            case_sensitive=False,
            metavar="SCOPE",
            help="read, ingest or admin; repeat the option for several scopes.",
        ),
    ],
    user: Annotated[
        str | None, typer.Option(metavar="USER", help="Bind the key to one user's usage.")
    ] = None,
) -> None:
    """Create an API key and print its secret, which is shown only this once."""
    settings = _settings()

    async def create() -> tuple[ApiKey, str]:
        async with _database_at_head(settings):
            return await api_keys.create_api_key(name=name, scopes=scope, user_id=user)

    key, secret = _run(create)
    typer.echo(f"created key {key.id} {key.prefix} ({key.scopes}{_bound(key)})")
    typer.echo(f"secret (shown once): {secret}")


@providers_app.command("list")
def providers_list(as_json: JsonFlag = False) -> None:
    """List the registered providers and the provider whose prices each uses."""
    settings = _settings()

    async def every_provider() -> list[ProviderRow]:
        async with _database_at_head(settings):
            return await providers.list_providers()

    rows = _run(every_provider)
    if as_json:
        echo_json([provider_json(row) for row in rows])
        return
    typer.echo(f"{len(rows)} providers")
    typer.echo(f"{'ID':<24} {'PRICED FROM':<16} {'MANAGED BY':<10} NAME")
    for row in rows:
        typer.echo(
            f"{row.id:<24} {row.priced_from or '-':<16} {row.managed_by.value:<10} "
            f"{row.display_name}"
        )


@keys_app.command("list")
def keys_list(as_json: JsonFlag = False) -> None:
    """List API keys, never their secrets: a summary, then one row per key."""
    settings = _settings()

    async def every_key() -> list[ApiKey]:
        async with _database_at_head(settings):
            return await api_keys.list_api_keys()

    keys = _run(every_key)
    if as_json:
        echo_json([key_json(key) for key in keys])
        return
    revoked = sum(1 for key in keys if key.revoked_at)
    typer.echo(f"{len(keys)} keys: {len(keys) - revoked} active, {revoked} revoked")
    typer.echo(f"{'ID':>4}  {'PREFIX':<16} {'SCOPES':<20} {'STATUS':<8} NAME")
    for key in keys:
        status = "revoked" if key.revoked_at else "active"
        typer.echo(
            f"{key.id:>4}  {key.prefix:<16} {key.scopes:<20} {status:<8} {key.name}{_bound(key)}"
        )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(metavar="ID", help="The id `keys list` shows.")],
) -> None:
    """Revoke an API key; it stops working at once, in every worker."""
    settings = _settings()

    async def revoke() -> ApiKey:
        async with _database_at_head(settings):
            return await api_keys.revoke_api_key(key_id=key_id, now=datetime.now(UTC))

    key = _run(revoke)
    typer.echo(f"revoked key {key.id} {key.prefix} ({key.name})")


@rollups_app.command("verify")
def rollups_verify(as_json: JsonFlag = False) -> None:
    """Compare the rollup tables with the logs; exit 1 and list the groups that differ."""
    settings = _settings()

    async def verify() -> list[rollups.RollupDifference]:
        async with _database_at_head(settings):
            return await rollups.verify_rollups(UsageLog._meta.db)

    differences = _run(verify)
    if as_json:
        echo_json(
            {"match": not differences, "differences": [difference_json(d) for d in differences]}
        )
    elif differences:
        typer.echo(f"{len(differences)} groups differ: run `billgraph rollups rebuild`")
        for difference in differences:
            typer.echo(
                f"{difference.table} {difference.key}: rollup {difference.in_rollup}, "
                f"logs {difference.from_logs}"
            )
    else:
        typer.echo("rollups match the logs")
    if differences:
        raise typer.Exit(1)


@rollups_app.command("rebuild")
def rollups_rebuild() -> None:
    """Recompute the rollup tables from the logs, in one transaction."""
    settings = _settings()

    async def rebuild() -> None:
        async with _database_at_head(settings), in_transaction() as connection:
            await rollups.rebuild_rollups(connection)

    _run(rebuild)
    typer.echo("rollups rebuilt from the logs")


@budgets_app.command("verify")
def budgets_verify() -> None:
    """Compare every budget window's spend with the usage logs; exit 1 if any differ."""
    settings = _settings()

    async def verify() -> list[SpendDifference]:
        async with _database_at_head(settings):
            return await verify_budget_spend(UsageLog._meta.db)

    differences = _run(verify)
    for difference in differences:
        typer.echo(
            f"budget {difference.budget_id} window {difference.window_start}: "
            f"stored (spent, estimated) {difference.stored} pico-USD, "
            f"logs {difference.from_logs}"
        )
    if differences:
        typer.echo(f"{len(differences)} budget windows differ from the logs")
        raise typer.Exit(1)
    typer.echo("budget spend matches the logs")


@app.command()
def worker() -> None:
    """Deliver budget alert webhooks until stopped (any number of workers on PostgreSQL)."""
    settings = _settings()
    configure_logging(level=settings.log_level, as_json=settings.log_as_json)
    typer.echo(f"billgraph: webhook worker on {_describe_database(settings.database_url)}")

    async def deliver() -> None:
        async with _database_at_head(settings):
            await webhooks.run_worker(
                policy=delivery_policy_of(settings),
                poll_interval=timedelta(seconds=settings.webhook_poll_seconds),
            )

    try:
        _run(deliver)
    except KeyboardInterrupt:
        typer.echo("billgraph: worker stopped")


@demo_app.command("seed")
def demo_seed(
    logs: Annotated[
        int, typer.Option(min=1, metavar="N", help="How many usage logs to add.")
    ] = 10_000,
    users: Annotated[int, typer.Option(min=1, metavar="N", help="How many distinct users.")] = 200,
    days: Annotated[
        int, typer.Option(min=1, metavar="N", help="Spread over this many days, ending now.")
    ] = 30,
    seed: Annotated[
        int, typer.Option(metavar="SEED", help="Random seed, for repeatable data.")
    ] = 1,
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


@usage_app.command("reprice")
def usage_reprice(  # noqa: PLR0917  (typer passes options by name)
    apply: Annotated[
        bool, typer.Option("--apply", help="Rewrite the logs (default: a dry run).")
    ] = False,
    provider: Annotated[
        str | None,
        typer.Option(metavar="PROVIDER", callback=_provider_option, help="Only this provider."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(metavar="MODEL", help="Only this model name.")
    ] = None,
    user: Annotated[str | None, typer.Option(metavar="USER", help="Only this user id.")] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--from", metavar="DATE", help="Occurred at or after this UTC time."),
    ] = None,
    until: Annotated[
        datetime | None, typer.Option("--to", metavar="DATE", help="Occurred before this UTC time.")
    ] = None,
    after_id: Annotated[
        int | None,
        typer.Option(min=0, metavar="ID", help="Resume after this log id (a previous lastId)."),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, max=repricing.MAX_CHUNK, metavar="N", help="Logs per transaction.")
    ] = repricing.DEFAULT_CHUNK,
) -> None:
    """Re-price matching logs at the prices in effect when each occurred, chunk by chunk."""
    settings = _settings()
    usage_filter = UsageFilter(
        provider=provider,
        model=model,
        user_id=user,
        occurred_from=_utc(since),
        occurred_to=_utc(until),
    )
    progress_made: list[repricing.RepricingReport] = []

    async def run() -> repricing.RepricingReport:
        async with _database_as_served(settings):
            total = await repricing.count_matching_logs(usage_filter=usage_filter)
            label = "re-pricing" if apply else "dry run"
            with Progress(
                TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
            ) as progress:
                task = progress.add_task(label, total=total)

                def advance(report: repricing.RepricingReport) -> None:
                    progress_made.append(report)
                    progress.update(task, completed=report.logs)

                return await repricing.reprice_usage(
                    usage_filter=usage_filter,
                    dry_run=not apply,
                    environment_prices=environment_prices_of(settings),
                    cache=PricingCache(),
                    actor=CLI_ACTOR,
                    after_id=after_id,
                    chunk_size=chunk_size,
                    on_chunk=advance,
                )

    try:
        report = _run(run)
    except KeyboardInterrupt:
        if progress_made and progress_made[-1].last_id is not None:
            last = progress_made[-1].last_id
            typer.echo(f"interrupted: run again with --after-id {last} to continue", err=True)
        raise typer.Exit(130) from None
    verb = "changed" if apply else "would change"
    typer.echo(
        f"{report.logs} logs walked, {report.changed} {verb}; cost total "
        f"{format_decimal(from_pico(report.cost_total_before_pico))} -> "
        f"{format_decimal(from_pico(report.cost_total_after_pico))} USD"
        + (f"; last id {report.last_id}" if report.last_id is not None else "")
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _bound(key: ApiKey) -> str:
    return f", user {key.user_id}" if key.user_id else ""


@pricing_app.command("import")
def pricing_import(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, metavar="FILE", help="Catalog JSON.")
    ],
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the changes; without it, a dry run.")
    ] = False,
    effective_from: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"],
            metavar="DATE",
            help="When the imported prices start: 2026-01-01 (UTC) or "
            "2026-01-01T00:00:00+02:00; default now.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import LiteLLM's model_prices_and_context_window.json (or a file like it).

    Prints a summary table, the names it creates and updates (or would), and why entries
    were skipped; --json prints every entry.
    """
    settings = _settings()
    starts = effective_from or datetime.now(UTC)
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)

    async def run_import() -> catalog.CatalogImportReport:
        entries = catalog.parse_catalog(file.read_bytes())
        async with _database_as_served(settings):
            with Progress(
                TextColumn("reading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
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
    if as_json:
        echo_json(catalog_report_json(report))
        return
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
    for line in catalog_names(report):
        typer.echo(line)
    for line in skipped_summary(report):
        typer.echo(line)
    if report.dry_run:
        typer.echo("run again with --apply to write these prices")


@app.command()
def cost(  # noqa: PLR0917  (typer passes options by name)
    provider: ProviderOption,
    model: Annotated[str, typer.Option(metavar="MODEL", help="As the caller names it.")],
    tokens_input: Annotated[
        int, typer.Option("--input", min=0, metavar="N", help="Input (prompt) tokens.")
    ],
    tokens_output: Annotated[
        int, typer.Option("--output", min=0, metavar="N", help="Output (completion) tokens.")
    ],
    service_tier: Annotated[
        str,
        typer.Option(
            metavar="TIER", help="The call's service tier: standard, batch, flex or priority."
        ),
    ] = "standard",
    as_json: JsonFlag = False,
) -> None:
    """Price one call without recording it, and say which step of the chain (and which
    tier of the price) priced it."""
    settings = _settings()

    async def price() -> ResolvedPrice:
        async with _database_as_served(settings):
            return await pricing.resolve_pricing(
                provider=provider,
                model=model,
                environment_prices=environment_prices_of(settings),
                cache=PricingCache(),
                at=datetime.now(UTC),
                service_tier=parse_service_tier(service_tier),
                tokens_input=tokens_input,
            )

    resolved = _run(price)
    breakdown = _checked(
        lambda: compute_cost(TokenCounts(input=tokens_input, output=tokens_output), resolved.prices)
    )
    tier = resolved.service_tier.value
    above = resolved.above_prompt_tokens
    if as_json:
        echo_json(
            {
                "provider": provider,
                "model": model,
                "source": resolved.source.value,
                "pricingProvider": resolved.pricing_provider,
                "matchedModelName": resolved.matched_model_name if resolved.pricing else None,
                "isEstimate": resolved.is_estimate,
                "serviceTier": tier.upper(),
                "aboveInputTokens": above,
                "tokensInput": tokens_input,
                "tokensOutput": tokens_output,
                "inputTokenCost": decimal_string(resolved.input_price_pico),
                "outputTokenCost": decimal_string(resolved.output_price_pico),
                "costInput": decimal_string(breakdown.input_pico),
                "costOutput": decimal_string(breakdown.output_pico),
                "costTotal": decimal_string(breakdown.total_pico),
            }
        )
        return
    matched = f" (row {resolved.pricing_provider} {resolved.matched_model_name})"
    typer.echo(f"priced by: {resolved.source.value}{matched if resolved.pricing else ''}")
    if resolved.service_tier.value != "standard" or above:
        typer.echo(f"tier: {tier}" + (f" above {above} input tokens" if above else ""))
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
