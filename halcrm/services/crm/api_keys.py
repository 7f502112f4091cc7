"""Public API keys: made once and shown once, stored as a SHA-256 hash, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select

from halcrm.db.models import ApiKey, Project
from halcrm.db.tx import Tx
from halcrm.db.writer import Database
from halcrm.domain.errors import NotFound, Unauthorized
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


async def create(db: Database, project_id: str, name: str | None = None) -> ApiKeyCreated:
    """Makes a key for the project and answers it with its secret."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)

    def work(tx: Tx) -> ApiKeyCreated:
        project = tx.project(project_id)
        row = ApiKey(
            id=new_id("key"),
            project_pk=project.pk,
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

    return await db.write(work)


async def list_keys(db: Database, project_id: str) -> list[ApiKeyRecord]:
    def work(tx: Tx) -> list[ApiKeyRecord]:
        project = tx.project(project_id)
        rows = tx.session.scalars(
            select(ApiKey).where(ApiKey.project_pk == project.pk).order_by(ApiKey.pk)
        )
        return [_record(r) for r in rows]

    return await db.read(work)


async def revoke(db: Database, project_id: str, key_id: str) -> ApiKeyRecord:
    """Revokes a key for good (revoking twice keeps the first time)."""

    def work(tx: Tx) -> ApiKeyRecord:
        project = tx.project(project_id)
        row = tx.session.scalar(
            select(ApiKey).where(ApiKey.project_pk == project.pk, ApiKey.id == key_id)
        )
        if row is None:
            raise NotFound(f"no API key with id {key_id!r}")
        if row.revoked_at is None:
            row.revoked_at = tx.now
        return _record(row)

    return await db.write(work)


async def authenticate(db: Database, project_id: str | None, given: str | None) -> ApiKeyRecord:
    """The live key matching ``given`` (of ``project_id``, when named), else ``Unauthorized``.

    Keys are looked up by their clear prefix, then their hashes compared in constant time.
    """
    return (await find_key(db, project_id, given))[0]


async def find_key(
    db: Database, project_id: str | None, given: str | None
) -> tuple[ApiKeyRecord, str]:
    """``authenticate``, answering the key's project id too (a key names its project)."""
    if not given or not given.startswith(KEY_PREFIX) or len(given) > MAX_KEY_LENGTH:
        raise Unauthorized("the API key is not valid")
    digest = key_hash(given)

    def work(tx: Tx) -> tuple[int, ApiKeyRecord, str] | None:
        stmt = (
            select(ApiKey, Project.id)
            .join(Project, Project.pk == ApiKey.project_pk)
            .where(ApiKey.prefix == given[:SHOWN_PREFIX_LENGTH], ApiKey.revoked_at.is_(None))
        )
        if project_id is not None:
            stmt = stmt.where(Project.id == project_id)
        found = None
        for row, owner in tx.session.execute(stmt):
            if hmac.compare_digest(row.key_hash.encode(), digest.encode()):
                found = (row.pk, _record(row), owner)
        return found

    found = await db.read(work)
    if found is None:
        raise Unauthorized("the API key is not valid or has been revoked")
    pk, record, owner = found
    if record.last_used_at is None or db.clock() - record.last_used_at > TOUCH_EVERY:
        await _touch(db, pk)
    return record, owner


async def _touch(db: Database, pk: int) -> None:
    def work(tx: Tx) -> None:
        row = tx.session.get(ApiKey, pk)
        if row is not None:
            row.last_used_at = tx.now

    await db.write(work)
