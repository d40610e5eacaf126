"""The providers table: list, add, rename and re-map providers, audited like prices.

A change bumps the pricing revision in its transaction, so every worker's PricingCache
reloads the providers with the prices (see services/pricing.py).
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billgraph.models import (
    PricingAudit,
    PricingAuditAction,
    ProviderManager,
    ProviderRow,
)
from billgraph.services.api_keys import Caller
from billgraph.services.errors import ConflictError, InvalidInputError, NotFoundError
from billgraph.services.model_names import clean_name
from billgraph.services.pricing_cache import bump_pricing_revision
from billgraph.services.provider_ids import BUILTIN_PROVIDERS, provider_id
from billgraph.services.sql import Params, dialect_of_connection

MAX_DISPLAY_NAME = 100


async def list_providers() -> list[ProviderRow]:
    """Return every registered provider, ordered by id."""
    return await ProviderRow.all().order_by("id")


async def ensure_builtin_providers() -> list[str]:
    """Insert the built-in providers that are missing (at startup); return those inserted.
    Safe when several workers start at once; the caches reload when any was missing."""
    async with in_transaction() as connection:
        inserted = await seed_builtin_providers(connection)
        if inserted:
            await bump_pricing_revision(connection)
    return inserted


async def seed_builtin_providers(connection: BaseDBAsyncClient) -> list[str]:
    """Insert the built-in providers that are missing (an emptied table gets all ten) in
    one statement; return those inserted."""
    params = Params(dialect_of_connection(connection))
    now = params.dialect.moment(datetime.now(UTC))
    rows = ", ".join(
        f"({params.add(str(slug))}, {params.add(name)}, "
        f"{params.add(str(source) if source else None)}, "
        f"{params.add(ProviderManager.BUILTIN.value)}, {params.add(now)}, {params.add(now)})"
        for slug, name, source in BUILTIN_PROVIDERS
    )
    inserted = await connection.execute_query_dict(
        "INSERT INTO providers (id, display_name, priced_from, managed_by, created_at, "  # noqa: S608
        f"updated_at) VALUES {rows} ON CONFLICT (id) DO NOTHING RETURNING id",
        params.values,
    )
    return sorted(str(row["id"]) for row in inserted)


def _display_name(value: str) -> str:
    name = clean_name(value, field="display_name")
    if len(name) > MAX_DISPLAY_NAME:
        raise InvalidInputError(
            "{field} must be at most {length} characters",
            field="display_name",
            length=MAX_DISPLAY_NAME,
        )
    return name


def _values(row: ProviderRow) -> dict[str, Any]:
    return {
        "displayName": row.display_name,
        "pricedFrom": row.priced_from,
        "managedBy": row.managed_by.value,
    }


async def _audit(
    connection: BaseDBAsyncClient,
    *,
    action: PricingAuditAction,
    actor: Caller,
    row: ProviderRow,
    old_values: dict[str, Any] | None,
) -> None:
    await PricingAudit.create(
        using_db=connection,
        action=action,
        provider=row.id,
        model_name="",
        model_key="",
        api_key_id=actor.key_id,
        api_key_name=actor.name,
        old_values=old_values,
        new_values=_values(row),
    )


async def _check_priced_from(
    connection: BaseDBAsyncClient, slug: str, priced_from: str | None
) -> str | None:
    """Return the checked pricedFrom: None for "its own prices"; one hop, never a chain."""
    if priced_from is None:
        return None
    target = provider_id(priced_from, field="priced_from")
    if target == slug:
        return None
    row = await ProviderRow.filter(id=target).using_db(connection).first()
    if row is None:
        raise NotFoundError("no provider {provider!r}", field="priced_from", provider=target)
    if row.priced_from is not None:
        raise InvalidInputError(
            "{target} is itself priced from {source}; use {field} {source!r}",
            field="priced_from",
            target=target,
            source=row.priced_from,
        )
    if await ProviderRow.filter(priced_from=slug).using_db(connection).exists():
        raise InvalidInputError(
            "other providers are priced from {provider}; re-map them first",
            field="priced_from",
            provider=slug,
        )
    return target


async def add_provider(
    *, id: str, display_name: str, priced_from: str | None, actor: Caller
) -> ProviderRow:
    """Register a provider (ADMIN-managed); CONFLICT when the id exists. Audited."""
    slug = provider_id(id, field="id")
    name = _display_name(display_name)
    async with in_transaction() as connection:
        if await ProviderRow.filter(id=slug).using_db(connection).exists():
            raise ConflictError("provider {provider!r} already exists", field="id", provider=slug)
        target = await _check_priced_from(connection, slug, priced_from)
        row = await ProviderRow.create(
            using_db=connection,
            id=slug,
            display_name=name,
            priced_from=target,
            managed_by=ProviderManager.ADMIN,
        )
        await _audit(
            connection,
            action=PricingAuditAction.PROVIDER_ADD,
            actor=actor,
            row=row,
            old_values=None,
        )
        await bump_pricing_revision(connection)
    return row


async def _locked(connection: BaseDBAsyncClient, slug: str) -> ProviderRow:
    row = await ProviderRow.filter(id=slug).select_for_update().using_db(connection).first()
    if row is None:
        raise NotFoundError("no provider {provider!r}", field="id", provider=slug)
    return row


async def rename_provider(*, id: str, display_name: str, actor: Caller) -> ProviderRow:
    """Change a provider's display name. Audited."""
    slug = provider_id(id, field="id")
    name = _display_name(display_name)

    async def rename(_connection: BaseDBAsyncClient, row: ProviderRow) -> None:
        row.display_name = name

    return await _change(slug, rename, action=PricingAuditAction.PROVIDER_RENAME, actor=actor)


async def remap_provider(*, id: str, priced_from: str | None, actor: Caller) -> ProviderRow:
    """Set the provider whose prices price `id`'s models (None: its own), for usage recorded
    from now on (re-pricing applies it to past logs). Audited; every worker sees it."""
    slug = provider_id(id, field="id")

    async def remap(connection: BaseDBAsyncClient, row: ProviderRow) -> None:
        row.priced_from = await _check_priced_from(connection, slug, priced_from)

    return await _change(slug, remap, action=PricingAuditAction.PROVIDER_REMAP, actor=actor)


async def _change(
    slug: str,
    change: Callable[[BaseDBAsyncClient, ProviderRow], Awaitable[None]],
    *,
    action: PricingAuditAction,
    actor: Caller,
) -> ProviderRow:
    """Apply `change` to a locked provider row, save it, audit it, tell every worker."""
    async with in_transaction() as connection:
        row = await _locked(connection, slug)
        before = _values(row)
        await change(connection, row)
        await row.save(using_db=connection)
        await _audit(connection, action=action, actor=actor, row=row, old_values=before)
        await bump_pricing_revision(connection)
    return row


async def register_providers(
    connection: BaseDBAsyncClient, slugs: set[str], *, managed_by: ProviderManager
) -> list[str]:
    """Register the providers of `slugs` that are missing (display name = id); return those
    added, sorted. Call inside the transaction of the change that meets them."""
    rows = await ProviderRow.filter(id__in=sorted(slugs)).using_db(connection)
    existing = {row.id for row in rows}
    added = sorted(slugs - existing)
    if added:
        await ProviderRow.bulk_create(
            [ProviderRow(id=slug, display_name=slug, managed_by=managed_by) for slug in added],
            using_db=connection,
        )
    return added
