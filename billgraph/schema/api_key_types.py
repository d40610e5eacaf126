"""GraphQL types of API keys."""

from datetime import datetime
from typing import Self

import strawberry

from billgraph import models
from billgraph.schema.enums import ApiKeyScope
from billgraph.services.api_keys import parse_scopes


@strawberry.type(description="An API key. Its secret is shown once, when it is created.")
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The visible start of the secret.")
    scopes: list[ApiKeyScope]
    user_id: str | None = strawberry.field(
        description="When set, the key sees and records only this user's usage."
    )
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="Refreshed at most once a minute.")
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, key: models.ApiKey) -> Self:
        return cls(
            id=strawberry.ID(str(key.id)),
            name=key.name,
            prefix=key.prefix,
            scopes=sorted(parse_scopes(key.scopes)),
            user_id=key.user_id,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type(description="A new API key and its secret: store the secret now.")
class CreatedApiKey:
    api_key: ApiKey
    secret: str = strawberry.field(description="Send as 'Authorization: Bearer <secret>'.")


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[ApiKeyScope]
    user_id: str | None = strawberry.field(
        default=None, description="Bind the key to one user's usage (READ and INGEST keys)."
    )
