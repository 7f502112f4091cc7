"""``ApiKeys``: public API keys, made once and shown once, stored as a SHA-256 hash, checked in
constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select

from halcrm.db.models import ApiKey, Project
from halcrm.db.tx import Tx
from halcrm.domain.errors import NotFound, Unauthorized
from halcrm.services.area import Area, reads, writes
from halcrm.services.crm.records import ApiKeyCreated, ApiKeyRecord
from halcrm.services.ids import new_id

KEY_PREFIX = "hcrm_live_"
# What is kept in clear to tell keys apart in listings: the marker and 6 random characters.
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6
MAX_KEY_LENGTH = 200
# last_used_at is a hint for the founder, not an audit: refreshing it at most this often keeps
# reads from turning into writes.
TOUCH_EVERY = timedelta(minutes=10)


def key_hash(key: str) -> str:
    """The stored form of a key (the keys are random, so a plain SHA-256 is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _record(row: ApiKey) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class ApiKeys(Area):
    """The public API keys of one project (``find`` looks in every project)."""

    @reads
    def all(self, tx: Tx) -> list[ApiKeyRecord]:
        rows = tx.session.scalars(
            select(ApiKey).where(ApiKey.project_pk == self.project(tx).pk).order_by(ApiKey.pk)
        )
        return [_record(r) for r in rows]

    @writes
    def create(self, tx: Tx, name: str | None = None) -> ApiKeyCreated:
        """Makes a public API key; its secret is in this answer and nowhere else."""
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(
            id=new_id("key"),
            project_pk=self.project(tx).pk,
            name=(name or "").strip()[:200] or "API key",
            prefix=secret[:SHOWN_PREFIX_LENGTH],
            key_hash=key_hash(secret),
            created_at=tx.now,
        )
        tx.session.add(row)
        tx.session.flush()
        record = _record(row)
        fields = {f: getattr(record, f) for f in record.__struct_fields__}
        return ApiKeyCreated(**fields, key=secret)

    @writes
    def revoke(self, tx: Tx, key_id: str) -> ApiKeyRecord:
        """Revokes a key for good (revoking twice keeps the first time)."""
        row = tx.session.scalar(
            select(ApiKey).where(ApiKey.project_pk == self.project(tx).pk, ApiKey.id == key_id)
        )
        if row is None:
            raise NotFound(f"no API key with id {key_id!r}")
        if row.revoked_at is None:
            row.revoked_at = tx.now
        return _record(row)

    async def find(self, key: str | None) -> tuple[ApiKeyRecord, str]:
        """The live key matching ``key`` in any project, and that project's id; else
        ``Unauthorized``. Keys are looked up by their clear prefix, then their hashes compared
        in constant time.

        Two transactions: the look-up reads; only a key unused for ``TOUCH_EVERY`` is then
        written (its ``last_used_at``), so most calls never wait for the writer.
        """
        if not key or not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_LENGTH:
            raise Unauthorized("the API key is not valid")
        found = await self._look_up(key)
        if found is None:
            raise Unauthorized("the API key is not valid or has been revoked")
        pk, record, owner = found
        if record.last_used_at is None or self.db.clock() - record.last_used_at > TOUCH_EVERY:
            await self._touch(pk)
        return record, owner

    @reads
    def _look_up(self, tx: Tx, key: str) -> tuple[int, ApiKeyRecord, str] | None:
        digest = key_hash(key)
        stmt = (
            select(ApiKey, Project.id)
            .join(Project, Project.pk == ApiKey.project_pk)
            .where(ApiKey.prefix == key[:SHOWN_PREFIX_LENGTH], ApiKey.revoked_at.is_(None))
        )
        found = None
        for row, owner in tx.session.execute(stmt):
            if hmac.compare_digest(row.key_hash.encode(), digest.encode()):
                found = (row.pk, _record(row), owner)
        return found

    @writes
    def _touch(self, tx: Tx, pk: int) -> None:
        row = tx.session.get(ApiKey, pk)
        if row is not None:
            row.last_used_at = tx.now
