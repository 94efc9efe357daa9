"""Staff and device bearer tokens: created once, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.audit import AuditAction
from assistant.domain.staff import Role
from assistant.store.models import StaffTokenRow

TOKEN_PREFIX = "lby_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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

    async def role_of(self, token: str) -> Role | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = (
            await self.session.execute(
                select(StaffTokenRow).where(
                    StaffTokenRow.token_hash == token_hash(token), StaffTokenRow.revoked_at.is_(None)
                )
            )
        ).scalar_one_or_none()
        return Role(row.role) if row else None

    async def list(self) -> list[StaffTokenRow]:
        return list((await self.session.execute(select(StaffTokenRow).order_by(StaffTokenRow.created_at))).scalars())

    async def revoke(self, token_id: str, at: datetime) -> bool:
        result = await self.session.execute(
            update(StaffTokenRow).where(StaffTokenRow.id == token_id).values(revoked_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def _audit(
    session: AsyncSession, action: AuditAction, at: datetime, token_id: str, after: dict[str, Any]
) -> None:
    """Every token made, revoked or rotated here is audited, in the same transaction (by the operator)."""
    from assistant.store.audit import record_token_change  # it reads tokens: imported late, no cycle

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


async def token_admin(database_url: str, action: str, token_id: str | None, at: datetime) -> list[str]:
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
                f"{'revoked' if row.revoked_at else 'active '}  {row.name}"
                for row in await repo.list()
            ]
    finally:
        await engine.dispose()
