"""Staff and device bearer tokens: created once, shown once, stored as SHA-256.

A token expires a fixed number of days after it was made (`TokenLifetime`, from `hub.staff_token_days`
and `hub.device_token_days`): computed from `created_at`, so shortening the lifetime in the
configuration ends old tokens too. `rotate` replaces a token by a new one with the same role and name
(the old one is revoked in the same transaction).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.audit import AuditAction
from assistant.domain.staff import TOKEN_PREFIX, Role, token_hash
from assistant.store.audit import record_token_change
from assistant.store.models import StaffTokenRow


@dataclass(frozen=True, slots=True)
class TokenLifetime:
    """Days a token lives after it was made, per kind (0: forever). Devices live longer: a kiosk's token
    is set once at installation, and a lapsed one stops the branch's door."""

    staff_days: int = 30
    device_days: int = 365

    def expires_at(self, role: Role, created_at: datetime) -> datetime | None:
        days = self.device_days if role is Role.DEVICE else self.staff_days
        return created_at + timedelta(days=days) if days > 0 else None


@dataclass(frozen=True, slots=True)
class StoredToken:
    """What the database knows of a token (never the token itself)."""

    id: str
    role: Role
    name: str
    created_at: datetime
    revoked_at: datetime | None

    def expires_at(self, lifetime: TokenLifetime) -> datetime | None:
        return lifetime.expires_at(self.role, self.created_at)

    def valid_at(self, now: datetime, lifetime: TokenLifetime) -> bool:
        expires = self.expires_at(lifetime)
        return self.revoked_at is None and (expires is None or now < expires)


def _stored(row: StaffTokenRow) -> StoredToken:
    return StoredToken(row.id, Role(row.role), row.name, row.created_at, row.revoked_at)


class TokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, role: Role, name: str, at: datetime) -> tuple[str, str]:
        """Returns (token id, the token itself); only the hash is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = uuid.uuid4().hex
        self.session.add(
            StaffTokenRow(id=token_id, token_hash=token_hash(token), role=role.value, name=name, created_at=at)
        )
        await self.session.flush()
        return token_id, token

    async def find(self, token: str) -> StoredToken | None:
        """The token's record (revoked and expired ones too), or None when it was never made here."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = (
            await self.session.execute(select(StaffTokenRow).where(StaffTokenRow.token_hash == token_hash(token)))
        ).scalar_one_or_none()
        return _stored(row) if row else None

    async def role_of(
        self, token: str, now: datetime | None = None, lifetime: TokenLifetime | None = None
    ) -> Role | None:
        """The role of a token that is neither revoked nor (given `now`) expired."""
        found = await self.find(token)
        if found is None or found.revoked_at is not None:
            return None
        if now is not None and not found.valid_at(now, lifetime or TokenLifetime()):
            return None
        return found.role

    async def rotate(self, token_id: str, at: datetime) -> tuple[str, str] | None:
        """A new token with the old one's role and name; the old one is revoked. None: no such active token."""
        row = await self.session.get(StaffTokenRow, token_id)
        if row is None or row.revoked_at is not None:
            return None
        created = await self.create(Role(row.role), row.name, at)
        row.revoked_at = at
        await self.session.flush()
        return created

    async def list(self) -> list[StaffTokenRow]:
        return list((await self.session.execute(select(StaffTokenRow).order_by(StaffTokenRow.created_at))).scalars())

    async def revoke(self, token_id: str, at: datetime) -> bool:
        result = await self.session.execute(
            update(StaffTokenRow).where(StaffTokenRow.id == token_id).values(revoked_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE: CursorResult


async def _audit(
    session: AsyncSession, action: AuditAction, at: datetime, token_id: str, after: dict[str, Any]
) -> None:
    """Every token made, revoked or rotated here is audited, in the same transaction (by the operator)."""

    await record_token_change(session, action, at, token_id, after)


async def issue_token(database_url: str, role: Role, name: str, at: datetime) -> str:
    """Open the database (migrating it if needed), store a new token, return it."""
    from assistant.store.db import create_engine, migrate, session_factory

    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            token_id, token = await TokenRepository(session).create(role, name, at)
            await _audit(session, AuditAction.TOKEN_CREATE, at, token_id, {"role": role.value, "name": name})
    finally:
        await engine.dispose()
    return token


async def rotate_token(database_url: str, token_id: str, at: datetime) -> str:
    """Replace token `token_id` by a new one (same role and name) and return it; LookupError if none is active."""
    from assistant.store.db import create_engine, migrate, session_factory

    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            rotated = await TokenRepository(session).rotate(token_id, at)
            if rotated is not None:
                after = {"revoked": True, "replaced_by": rotated[0]}
                await _audit(session, AuditAction.TOKEN_ROTATE, at, token_id, after)
    finally:
        await engine.dispose()
    if rotated is None:
        raise LookupError(f"no active token with id {token_id!r}")
    return rotated[1]


def _state(row: StaffTokenRow, at: datetime, lifetime: TokenLifetime) -> str:
    stored = _stored(row)
    if stored.revoked_at is not None:
        return "revoked"
    expires = stored.expires_at(lifetime)
    if expires is None:
        return "active, never expires"
    return f"{'expired' if at >= expires else 'active, expires'} {expires:%Y-%m-%d}"


async def token_admin(
    database_url: str, action: str, token_id: str | None, at: datetime, lifetime: TokenLifetime | None = None
) -> list[str]:
    """`list` -> one line per token (never the token itself); `revoke` -> the revoked id."""
    from assistant.store.db import create_engine, migrate, session_factory

    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            repo = TokenRepository(session)
            if action == "revoke":
                if not token_id or not await repo.revoke(token_id, at):
                    raise LookupError(f"no token with id {token_id!r}")
                await _audit(session, AuditAction.TOKEN_REVOKE, at, token_id, {"revoked": True})
                return [f"revoked {token_id}"]
            return [
                f"{row.id}  {row.role:<8} {row.created_at:%Y-%m-%d %H:%M}  "
                f"{_state(row, at, lifetime or TokenLifetime())}  {row.name}"
                for row in await repo.list()
            ]
    finally:
        await engine.dispose()
