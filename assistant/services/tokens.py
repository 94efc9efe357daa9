"""Staff and device tokens as the web layer checks them: one indexed read per request.

The token's lifetime rules (`TokenLifetime`) and what is stored of it (`StoredToken`) are the store's
values (`assistant.store.tokens`), named here so `assistant.web.auth` reaches them through the use cases.
Creating, rotating and revoking tokens is the `lobby token` command's.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.store.tokens import StoredToken, TokenLifetime, TokenRepository


async def find_token(sessions: async_sessionmaker[AsyncSession], token: str) -> StoredToken | None:
    """The token's record (revoked and expired ones too), or None when it was never made here. Read on
    every request, in its own transaction, so a revocation counts at once in every hub process."""
    async with sessions.begin() as session:
        return await TokenRepository(session).find(token)


__all__ = ["StoredToken", "TokenLifetime", "find_token"]
