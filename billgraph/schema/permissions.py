"""Who may call what: every operation needs an API key holding its scope (ADMIN holds all)."""

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from billgraph.models import ApiKeyScope
from billgraph.schema.context import Context


class _HasScope(BasePermission):
    scope: ClassVar[ApiKeyScope]

    async def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        # authenticate() raises UNAUTHENTICATED; require() raises FORBIDDEN.
        caller = await info.context.caller()
        caller.require(self.scope)
        return True


class CanRead(_HasScope):
    scope = ApiKeyScope.READ


class CanIngest(_HasScope):
    scope = ApiKeyScope.INGEST


class CanRecordUsage(BasePermission):
    """INGEST, for the mutations whose write checks the key itself (Context.recording_caller)."""

    async def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        caller = await info.context.recording_caller()
        caller.require(ApiKeyScope.INGEST)
        return True


class IsAdmin(_HasScope):
    scope = ApiKeyScope.ADMIN
