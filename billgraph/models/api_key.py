"""The `api_keys` table: scoped keys, stored as hashes of their secrets."""

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(
        max_length=32, unique=True, description="the visible start of the secret"
    )
    secret_sha256 = fields.CharField(max_length=64, description="hex SHA-256 of the whole secret")
    scopes = fields.CharField(max_length=64, description="comma-separated ApiKeyScope names")
    user_id = fields.CharField(
        max_length=255, null=True, description="when set, the key sees only this user's usage"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"
