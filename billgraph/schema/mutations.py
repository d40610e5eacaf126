"""GraphQL operations that write. Each resolver: arguments -> service call -> type."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from billgraph.api_names import api_field, api_message
from billgraph.schema.api_key_types import ApiKey, CreateApiKeyInput, CreatedApiKey
from billgraph.schema.budgets import BudgetMutations
from billgraph.schema.bulk_variables import bulk_inputs
from billgraph.schema.catalog_types import CatalogImportReport
from billgraph.schema.context import Context
from billgraph.schema.pagination import parse_id
from billgraph.schema.permissions import CanRecordUsage, IsAdmin
from billgraph.schema.pricing_types import Pricing, PricingInitReport, PricingInput
from billgraph.schema.provider_types import AddProviderInput, ProviderInfo
from billgraph.schema.repricing_types import RepricingReport
from billgraph.schema.scalars import ProviderId
from billgraph.schema.usage_types import (
    RecordUsageBatchResult,
    RecordUsageInput,
    UsageFilter,
    UsageLog,
)
from billgraph.schema.webhooks import WebhookMutations
from billgraph.services import api_keys, pricing_admin, pricing_defaults, repricing, usage
from billgraph.services import providers as provider_service
from billgraph.services.catalog import import_catalog, read_catalog_upload
from billgraph.services.errors import BillingError, InvalidInputError

RequestInfo = Info[Context, Any]


def at_input_index(error: usage.BatchItemError) -> BillingError:
    """Return a batch item's error with its GraphQL path, e.g. field `inputs[3].model`."""
    inner, index = error.error, error.index
    field = api_field(inner)
    path = f"inputs[{index}].{field}" if field else f"inputs[{index}]"
    # The rendered message may hold the caller's values: it goes in as a value.
    return type(inner)("inputs[{index}]: {text}", field=path, index=index, text=api_message(inner))


# SDL order: the budgets' fields, the webhooks', then these (strawberry takes a
# type's fields base by base in the order the bases are listed).
@strawberry.type
class Mutation(BudgetMutations, WebhookMutations):
    @strawberry.mutation(
        description="Price and record one LLM call, exactly once per requestId.",
        permission_classes=[CanRecordUsage],
    )
    async def record_usage(self, info: RequestInfo, input: RecordUsageInput) -> UsageLog:
        log = await usage.record_usage(
            usage=input.to_service(),
            now=info.context.now(),
            environment_prices=info.context.environment_prices,
            cache=info.context.pricing_cache,
            caller=await info.context.recording_caller(),
        )
        return UsageLog.from_model(log)

    @strawberry.mutation(
        description=(
            "Record up to 1000 calls in one transaction, each exactly once; a bad item "
            "rejects the batch and its error names the item's index and field."
        ),
        permission_classes=[CanRecordUsage],
    )
    async def record_usage_batch(
        self,
        info: RequestInfo,
        inputs: list[RecordUsageInput],
    ) -> RecordUsageBatchResult:
        try:
            checked = bulk_inputs(info, "inputs")
            result = await usage.record_usage_batch(
                usages=checked or [item.to_service() for item in inputs],
                now=info.context.now(),
                environment_prices=info.context.environment_prices,
                cache=info.context.pricing_cache,
                caller=await info.context.recording_caller(),
            )
        except usage.BatchItemError as error:
            raise at_input_index(error) from None
        return RecordUsageBatchResult.from_service(result)

    @strawberry.mutation(
        description="Upsert the environment-managed default prices (admin).",
        permission_classes=[IsAdmin],
    )
    async def initialize_pricing(self, info: RequestInfo) -> PricingInitReport:
        report = await pricing_defaults.initialize_default_pricing(
            environment_prices=info.context.environment_prices,
            now=info.context.now(),
            actor=await info.context.caller(),
        )
        return PricingInitReport.from_service(report)

    @strawberry.mutation(
        description=(
            "Set a model's prices from effectiveFrom on, as an ADMIN-managed version; usage "
            "before that keeps its prices (admin). Without effectiveFrom the version starts "
            "just after the change commits (PRICE_SETTLE_SECONDS later), a moment every "
            "worker honours."
        ),
        permission_classes=[IsAdmin],
    )
    async def upsert_pricing(self, info: RequestInfo, input: PricingInput) -> Pricing:
        row = await pricing_admin.upsert_pricing(
            provider=input.provider,
            model_name=input.model_name,
            prices=input.to_service(),
            effective_from=input.effective_from,
            now=info.context.now(),
            actor=await info.context.caller(),
            settle=info.context.price_settle,
            tiers=input.tiers_to_service(),
        )
        return Pricing.from_model(row)

    @strawberry.mutation(
        description=(
            "Delete a model's price versions (all, or the one starting at effectiveFrom); "
            "logs they priced keep their costs (admin)."
        ),
        permission_classes=[IsAdmin],
    )
    async def delete_pricing(
        self,
        info: RequestInfo,
        provider: ProviderId,
        model_name: str,
        effective_from: datetime | None = None,
    ) -> bool:
        await pricing_admin.delete_pricing(
            provider=provider,
            model_name=model_name,
            effective_from=effective_from,
            actor=await info.context.caller(),
        )
        return True

    @strawberry.mutation(
        description=(
            "Register a provider, optionally priced from another provider's rows; audited (admin)."
        ),
        permission_classes=[IsAdmin],
    )
    async def add_provider(self, info: RequestInfo, input: AddProviderInput) -> ProviderInfo:
        row = await provider_service.add_provider(
            id=input.id,
            display_name=input.display_name,
            priced_from=input.priced_from,
            actor=await info.context.caller(),
        )
        return ProviderInfo.from_model(row)

    @strawberry.mutation(
        description="Change how a provider is shown; audited (admin).",
        permission_classes=[IsAdmin],
    )
    async def rename_provider(
        self, info: RequestInfo, id: ProviderId, display_name: str
    ) -> ProviderInfo:
        row = await provider_service.rename_provider(
            id=id, display_name=display_name, actor=await info.context.caller()
        )
        return ProviderInfo.from_model(row)

    @strawberry.mutation(
        description=(
            "Price a provider's models from another provider's rows (null: its own), for "
            "usage recorded from now on in every worker; repriceUsage applies it to past "
            "logs. Audited (admin)."
        ),
        permission_classes=[IsAdmin],
    )
    async def remap_provider(
        self, info: RequestInfo, id: ProviderId, priced_from: ProviderId | None
    ) -> ProviderInfo:
        row = await provider_service.remap_provider(
            id=id, priced_from=priced_from, actor=await info.context.caller()
        )
        return ProviderInfo.from_model(row)

    @strawberry.mutation(
        description="Create an API key; its secret is in the answer and never again (admin).",
        permission_classes=[IsAdmin],
    )
    async def create_api_key(self, info: RequestInfo, input: CreateApiKeyInput) -> CreatedApiKey:
        key, secret = await api_keys.create_api_key(
            name=input.name, scopes=input.scopes, user_id=input.user_id
        )
        return CreatedApiKey(api_key=ApiKey.from_model(key), secret=secret)

    @strawberry.mutation(
        description="Revoke an API key; it stops working at once, in every worker (admin).",
        permission_classes=[IsAdmin],
    )
    async def revoke_api_key(self, info: RequestInfo, id: strawberry.ID) -> ApiKey:
        key_id = parse_id(str(id))
        if key_id is None:
            raise InvalidInputError("id is not an API key id", field="id")
        key = await api_keys.revoke_api_key(key_id=key_id, now=info.context.now())
        return ApiKey.from_model(key)

    @strawberry.mutation(
        description=(
            "Import a price catalog in LiteLLM's model_prices_and_context_window.json format, "
            "sent as the file's text so every price keeps its exact digits. "
            "dryRun (the default) only reports; applying writes CATALOG-managed versions "
            "from effectiveFrom (default now) in one transaction, never over ADMIN or "
            "ENVIRONMENT-managed prices, audited (admin)."
        ),
        permission_classes=[IsAdmin],
    )
    async def import_pricing_catalog(
        self,
        info: RequestInfo,
        catalog: str | None = None,
        catalog_gzip_base64: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "The catalog file gzip-compressed and base64-encoded, instead of catalog: "
                    "LiteLLM's 3.4 MB file is about 0.5 MB this way, within the request size "
                    "limit (e.g. `gzip -c file.json | base64 -w0`)."
                )
            ),
        ] = None,
        dry_run: bool = True,
        effective_from: datetime | None = None,
    ) -> CatalogImportReport:
        report = await import_catalog(
            catalog=read_catalog_upload(text=catalog, gzip_base64=catalog_gzip_base64),
            dry_run=dry_run,
            effective_from=effective_from or info.context.now(),
            actor=await info.context.caller(),
        )
        return CatalogImportReport.from_service(report)

    @strawberry.mutation(
        description=(
            "Recompute the matching logs with the prices in effect at their time, for when a "
            "price was entered wrong. dryRun (the default) only reports; applying keeps every "
            "log's previous costs in the audit trail and updates the rollups (admin). Logs are "
            "walked in chunks by id, each chunk its own transaction; afterId resumes after "
            "the lastId of an interrupted run, and running it again changes nothing."
        ),
        permission_classes=[IsAdmin],
    )
    async def reprice_usage(
        self,
        info: RequestInfo,
        filter: UsageFilter,
        dry_run: bool = True,
        after_id: strawberry.ID | None = None,
    ) -> RepricingReport:
        resume_after = parse_id(str(after_id)) if after_id is not None else None
        if after_id is not None and resume_after is None:
            raise InvalidInputError("afterId is not a usage log id", field="afterId")
        report = await repricing.reprice_usage(
            usage_filter=filter.to_service(),
            dry_run=dry_run,
            after_id=resume_after,
            environment_prices=info.context.environment_prices,
            cache=info.context.pricing_cache,
            actor=await info.context.caller(),
        )
        return RepricingReport.from_service(report)
