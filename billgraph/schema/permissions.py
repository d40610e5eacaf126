"""Who may call what: every operation needs an API key holding its scope (ADMIN holds all)."""

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from billgraph.models import ApiKeyScope
from billgraph.schema.context import Context
from billgraph.services.api_keys import Caller


class _HasScope(BasePermission):
    scope: ClassVar[ApiKeyScope]

    async def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        # authenticate() raises UNAUTHENTICATED; require() raises FORBIDDEN.
        caller = await self.caller(info.context)
        caller.require(self.scope)
        return True

    async def caller(self, context: Context) -> Caller:
        return await context.caller()


class CanRead(_HasScope):
    scope = ApiKeyScope.READ


class CanIngest(_HasScope):
    scope = ApiKeyScope.INGEST


class CanRecordUsage(_HasScope):
    """INGEST, for the mutations whose write checks the key itself (Context.recording_caller)."""

    scope = ApiKeyScope.INGEST

    async def caller(self, context: Context) -> Caller:
        return await context.recording_caller()


class IsAdmin(_HasScope):
    scope = ApiKeyScope.ADMIN
