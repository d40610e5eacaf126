"""Scoped API keys: creation (the secret is returned once), authentication, revocation.

A key's secret looks like `bg_1a2b3c4d5e6f_<43 random characters>`. The part before the
second underscore is its prefix, stored in clear so people can tell keys apart and so a
presented secret is found by one indexed look-up. Only a SHA-256 of the whole secret is
stored: the secrets are 256-bit random, so a slow password hash would add nothing.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from billgraph.models import ApiKey, ApiKeyScope
from billgraph.services.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from billgraph.services.model_names import clean_name
from billgraph.services.sql import Params, dialect_of_connection

KEY_MARKER = "bg_"
BREAK_GLASS_NAME = "ADMIN_API_KEY"
MAX_KEY_NAME_LENGTH = 100
MAX_KEY_ID = 2**31 - 1
# last_used_at is a hint for people, not an audit: refresh it at most this often, so
# that a busy ingest key does not write a row on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: an API key (or the break-glass admin key) and what it may do."""

    key_id: int | None
    name: str
    scopes: frozenset[ApiKeyScope]
    user_id: str | None = None
    # Set when the key came from this process's memory instead of the database (see
    # authenticate_for_recording): the write that records usage must then check, in its
    # own statement, that this key is still active.
    unchecked_key_digest: str | None = field(default=None, repr=False, compare=False)

    def may(self, scope: ApiKeyScope) -> bool:
        """Return True when the caller holds `scope`; ADMIN holds every scope."""
        return ApiKeyScope.ADMIN in self.scopes or scope in self.scopes

    def require(self, *scopes: ApiKeyScope) -> None:
        """Raise ForbiddenError unless the caller holds one of `scopes`."""
        if not any(self.may(scope) for scope in scopes):
            needed = " or ".join(scope.value for scope in scopes)
            raise ForbiddenError(f"This operation needs an API key with the {needed} scope")

    @property
    def bound_user_id(self) -> str | None:
        """Return the user a non-admin key is bound to; admins are never narrowed."""
        return None if ApiKeyScope.ADMIN in self.scopes else self.user_id


SYSTEM = Caller(key_id=None, name="billgraph startup", scopes=frozenset({ApiKeyScope.ADMIN}))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _prefix_of(secret: str) -> str | None:
    if not secret.startswith(KEY_MARKER):
        return None
    head, separator, rest = secret[len(KEY_MARKER) :].partition("_")
    if not separator or not head or not rest:
        return None
    return KEY_MARKER + head


def parse_scopes(stored: str) -> frozenset[ApiKeyScope]:
    """Return the scopes of a stored comma-separated list."""
    return frozenset(ApiKeyScope(name) for name in stored.split(",") if name)


async def create_api_key(
    *, name: str, scopes: list[ApiKeyScope], user_id: str | None
) -> tuple[ApiKey, str]:
    """Create a key; return it and its secret, which is never shown again."""
    name = clean_name(name, field="name")
    if len(name) > MAX_KEY_NAME_LENGTH:
        raise InvalidInputError(
            f"{{field}} must be at most {MAX_KEY_NAME_LENGTH} characters", field="name"
        )
    if not scopes:
        raise InvalidInputError("{field} must name at least one scope", field="scopes")
    if user_id is not None:
        user_id = clean_name(user_id, field="user_id")
        if ApiKeyScope.ADMIN in scopes:
            raise InvalidInputError(
                "{field} binds READ and INGEST keys; an ADMIN key sees every user",
                field="user_id",
            )
    prefix = KEY_MARKER + secrets.token_hex(6)
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = await ApiKey.create(
        name=name,
        prefix=prefix,
        secret_sha256=_digest(secret),
        scopes=",".join(sorted({scope.value for scope in scopes})),
        user_id=user_id,
    )
    return key, secret


async def list_api_keys() -> list[ApiKey]:
    """Return every key, newest first (secrets are not stored, so none are returned)."""
    return await ApiKey.all().order_by("-id")


async def count_api_keys() -> int:
    """Return how many keys exist, revoked ones included."""
    return await ApiKey.all().count()


async def revoke_api_key(*, key_id: int, now: datetime) -> ApiKey:
    """Revoke a key at once; revoking a revoked key keeps its first revocation time."""
    _forget(key_id)  # other workers' writes check the key themselves
    key = None
    if key_id <= MAX_KEY_ID:  # larger ids cannot exist (a 32-bit column on PostgreSQL)
        await ApiKey.filter(id=key_id, revoked_at__isnull=True).update(revoked_at=now)
        key = await ApiKey.get_or_none(id=key_id)
    if key is None:
        raise NotFoundError(f"no API key with id {key_id}", field="id")
    return key


async def authenticate(*, token: str | None, admin_api_key: str | None, now: datetime) -> Caller:
    """Return the caller a bearer token belongs to, or raise UnauthenticatedError.

    Every request reads the key's row (one indexed SELECT, no write), so a revocation
    takes effect at once in every worker. Secrets are compared in constant time.
    """
    if token is None:
        raise UnauthenticatedError("Send an API key as 'Authorization: Bearer <key>'")
    if _is_break_glass(token, admin_api_key):
        return Caller(key_id=None, name=BREAK_GLASS_NAME, scopes=frozenset({ApiKeyScope.ADMIN}))
    prefix = _prefix_of(token)
    key = await _key_with_prefix(prefix) if prefix else None
    if key is None or not hmac.compare_digest(_digest(token), key["secret_sha256"]):
        raise UnauthenticatedError("The API key is not valid")
    if key["revoked"]:
        raise UnauthenticatedError("The API key has been revoked")
    last_used_at = _as_datetime(key["last_used_at"])
    if last_used_at is None or last_used_at < now - LAST_USED_RESOLUTION:
        # Only when the stored hint is stale: a busy key writes once a minute, not per call.
        await ApiKey.filter(
            Q(id=key["id"])
            & (Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION))
        ).update(last_used_at=now)
    caller = Caller(
        key_id=key["id"],
        name=key["name"],
        scopes=parse_scopes(key["scopes"]),
        user_id=key["user_id"],
    )
    _remember(prefix, key["secret_sha256"], caller, now)
    return caller


def _is_break_glass(token: str, admin_api_key: str | None) -> bool:
    return admin_api_key is not None and hmac.compare_digest(
        token.encode("utf-8"), admin_api_key.encode("utf-8")
    )


async def _key_with_prefix(prefix: str) -> dict[str, Any] | None:
    # Plain SQL: this runs on every request, where the ORM's query building cost more
    # CPU than the query (benchmarks/README.md, single recordUsage).
    connection = ApiKey._meta.db
    params = Params(dialect_of_connection(connection))
    rows = await connection.execute_query_dict(
        "SELECT id, name, secret_sha256, scopes, user_id, last_used_at, "  # noqa: S608
        f"revoked_at IS NOT NULL AS revoked FROM api_keys WHERE prefix = {params.add(prefix)}",
        params.values,
    )
    return rows[0] if rows else None


def _as_datetime(value: datetime | str | None) -> datetime | None:
    """Return a stored timestamp as a datetime (SQLite returns Tortoise's ISO text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class _RememberedKey:
    secret_sha256: str
    caller: Caller
    checked_at: datetime


# Keys this process authenticated, by prefix. A key's name, scopes and user never change;
# only its revocation does, and every write through authenticate_for_recording checks
# that in its own statement. Bounded: past the limit it starts over.
_remembered: dict[str, _RememberedKey] = {}
_MAX_REMEMBERED = 10_000


def _remember(prefix: str | None, secret_sha256: str, caller: Caller, now: datetime) -> None:
    if prefix is None:
        return
    if len(_remembered) >= _MAX_REMEMBERED:
        _remembered.clear()
    _remembered[prefix] = _RememberedKey(secret_sha256, caller, now)


def _forget(key_id: int) -> None:
    for prefix in [p for p, known in _remembered.items() if known.caller.key_id == key_id]:
        _remembered.pop(prefix, None)


async def authenticate_for_recording(
    *, token: str | None, admin_api_key: str | None, now: datetime
) -> Caller:
    """Like authenticate, for a request that only records usage: a key this process
    authenticated in the last minute is taken from memory, with no query. The caller
    then carries the key's digest, and the write that stores the usage checks in its
    own statement that the key is still active (services/usage_writer.py), so a revoked
    key still records nothing, in every worker, from the moment it is revoked.
    """
    if token is not None and not _is_break_glass(token, admin_api_key):
        prefix = _prefix_of(token)
        known = _remembered.get(prefix) if prefix is not None else None
        # Once a minute a key goes through authenticate, which keeps last_used_at fresh.
        if known is not None and known.checked_at > now - LAST_USED_RESOLUTION:
            digest = _digest(token)
            if hmac.compare_digest(digest, known.secret_sha256):
                return replace(known.caller, unchecked_key_digest=digest)
    return await authenticate(token=token, admin_api_key=admin_api_key, now=now)


async def key_is_active(caller: Caller) -> bool:
    """Return True when the caller's key is still there and not revoked (one query)."""
    if caller.key_id is None:
        return True
    connection = ApiKey._meta.db
    params = Params(dialect_of_connection(connection))
    rows = await connection.execute_query_dict(
        f"SELECT 1 AS active FROM api_keys WHERE id = {params.add(caller.key_id)} "  # noqa: S608
        f"AND secret_sha256 = {params.add(caller.unchecked_key_digest)} "
        "AND revoked_at IS NULL",
        params.values,
    )
    if not rows:
        _forget(caller.key_id)
    return bool(rows)
