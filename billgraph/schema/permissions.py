"""Who may call what. Admin operations need the ADMIN_API_KEY as a bearer token."""

import hmac
from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from billgraph.schema.context import Context
from billgraph.services.errors import ForbiddenError, UnauthenticatedError


class IsAdmin(BasePermission):
    message = "Admin API key required"

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        admin_key = info.context.settings.admin_api_key
        if admin_key is None:
            raise ForbiddenError(
                "Admin operations are disabled: set ADMIN_API_KEY and restart billgraph, "
                "then send it as 'Authorization: Bearer <key>'"
            )
        token = info.context.bearer_token
        if token is None:
            raise UnauthenticatedError("Send the admin key as 'Authorization: Bearer <key>'")
        if not hmac.compare_digest(
            token.encode("utf-8"), admin_key.get_secret_value().encode("utf-8")
        ):
            raise UnauthenticatedError("The admin key is not valid")
        return True
