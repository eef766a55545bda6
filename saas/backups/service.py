"""Back up one tenant to an encrypted archive, and restore it under its own or a new slug.

A backup reads every row of every tenant table for the tenant (plus the tenant
row and its data keys) from one consistent snapshot. Encrypted values stay
encrypted and data keys stay wrapped by the master keys, so restoring needs the
same master keys (see docs/operations.md).

A restore checks the whole archive first (nothing is written from a damaged or
changed file), then inserts in foreign-key order in one transaction:

* under the archived tenant id when that id is free in this database (the slug
  may differ with ``--as``): rows are written exactly as they were;
* under a new tenant id when the archived one is taken (a copy next to the live
  tenant): keys are re-wrapped, values re-sealed and the trail re-chained for the
  new id (:mod:`saas.backups.rekey`), and candidates erased since the backup —
  their keys destroyed here — are left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from saas.backups.archive import ArchiveError, ArchiveWriter, Manifest, read_manifest, read_rows
from saas.backups.models import BackupRecord
from saas.backups.rekey import Rekeyer
from saas.backups.rows import (
    KEY_TABLE,
    TENANT_TABLE,
    SchemaMismatch,
    dump_row,
    load_row,
    table_named,
    tenant_tables,
)
from saas.crypto.keys import DataKey, keyring
from saas.crypto.rotation import record_operation
from saas.extensions import db
from saas.ids import new_id
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow

SLUG_RE = re.compile(r"^[a-z0-9-]{2,40}$")
_INSERT_BATCH = 500


class RestoreRefused(ValueError):
    """The restore cannot go ahead (slug taken, bad slug, damaged archive); nothing was written."""


@dataclass(frozen=True)
class BackupResult:
    record_id: uuid.UUID
    path: Path
    size: int
    sha256: str
    manifest: Manifest


@dataclass
class RestoreResult:
    tenant_id: uuid.UUID
    slug: str
    new_tenant_id: bool
    counts: dict[str, int] = field(default_factory=dict)
    skipped_erased_candidates: int = 0
    unreadable_values: int = 0
    audit_chain_rebuilt: bool | None = None

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@contextmanager
def _snapshot(tenant_id: uuid.UUID) -> Iterator[sa.Connection]:
    """A read-only connection seeing one consistent state of the database."""
    with tenant_context(tenant_id), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _schema_revision(conn: sa.Connection) -> str | None:
    try:
        with conn.begin_nested():
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa.exc.DBAPIError:
        return None


def write_backup(tenant: Tenant, out: Any) -> Manifest:
    """Write the tenant's archive to the binary stream ``out``; returns its manifest."""
    writer = ArchiveWriter(out, keyring())
    tenants = table_named(TENANT_TABLE)
    with _snapshot(tenant.id) as conn:
        revision = _schema_revision(conn)
        row = conn.execute(sa.select(tenants).where(tenants.c.id == tenant.id)).mappings().one()
        writer.write_row(TENANT_TABLE, dump_row(row))
        for table in tenant_tables():
            stmt = (sa.select(table).where(table.c.tenant_id == tenant.id)
                    .order_by(*table.primary_key.columns))
            for item in conn.execution_options(yield_per=1000).execute(stmt).mappings():
                writer.write_row(table.name, dump_row(item))
    return writer.finish(tenant_id=str(tenant.id), tenant_slug=tenant.slug,
                         created_at=utcnow().isoformat(), schema_revision=revision)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_tenant(tenant: Tenant, path: Path, *, kind: str = "manual",
                  expires_at: dt.datetime | None = None,
                  actor_kind: Any = "system", actor_id: uuid.UUID | None = None) -> BackupResult:
    """Write the tenant's backup to ``path`` (atomically), record and audit it; commits."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with partial.open("xb") as handle:
            manifest = write_backup(tenant, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    size, sha256 = path.stat().st_size, _file_digest(path)
    record = BackupRecord(for_tenant_id=tenant.id, slug=tenant.slug, path=str(path), size=size,
                          sha256=sha256, kind=kind, expires_at=expires_at)
    db.session.add(record)
    db.session.flush()
    record_operation("tenant.backup_created", tenant_id=tenant.id, actor_kind=actor_kind,
                     actor_id=actor_id, target_kind="backup", target_id=record.id,
                     detail={"kind": kind, "size": size, "rows": sum(manifest.counts.values())})
    db.session.commit()
    return BackupResult(record.id, path, size, sha256, manifest)


def check_backup(path: Path) -> Manifest:
    """Decrypt and verify the whole archive (nothing is written); returns its manifest."""
    try:
        with path.open("rb") as handle:
            return read_manifest(handle, keyring())
    except OSError as exc:
        raise RestoreRefused(f"cannot read {path}: {exc.strerror}") from exc
    except ArchiveError as exc:
        raise RestoreRefused(f"{path}: {exc}") from exc


def _destroyed_candidate_keys(tenant_id: uuid.UUID) -> set[uuid.UUID]:
    with tenant_context(tenant_id):
        return set(db.session.scalars(sa.select(DataKey.owner_id).where(
            DataKey.owner_kind == "candidate", DataKey.destroyed_at.is_not(None))))


def restore_tenant(path: Path, *, as_slug: str | None = None) -> RestoreResult:
    """Restore the archive at ``path`` (see the module docstring); commits, or writes nothing."""
    manifest = check_backup(path)
    slug = as_slug or manifest.tenant_slug
    if not SLUG_RE.match(slug):
        raise RestoreRefused(f"--as {slug!r}: a slug is 2-40 characters of a-z, 0-9 and '-'")
    if db.session.scalars(sa.select(Tenant.id).where(Tenant.slug == slug)).first():
        hint = "" if as_slug else "; restore it under a new slug with --as NEW-SLUG"
        raise RestoreRefused(f"a tenant {slug!r} already exists{hint}")
    source_id = uuid.UUID(manifest.tenant_id)
    id_taken = db.session.get(Tenant, source_id) is not None
    target_id = new_id() if id_taken else source_id
    erased = _destroyed_candidate_keys(source_id) if id_taken else set()
    restorer = _Restorer(source_id, target_id, slug, erased)
    try:
        with path.open("rb") as handle, tenant_context(target_id):
            restorer.run(read_rows(handle, keyring()))
        result = restorer.result()
        record_operation("tenant.restored", tenant_id=target_id, target_kind="tenant",
                         target_id=target_id, detail={
                             "rows": result.rows, "new_tenant_id": id_taken,
                             "skipped_erased_candidates": result.skipped_erased_candidates,
                             "from_tenant_id": str(source_id),
                             "backup_created_at": manifest.created_at})
        db.session.commit()
    except (ArchiveError, SchemaMismatch) as exc:
        db.session.rollback()
        raise RestoreRefused(f"{path}: {exc}") from exc
    except BaseException:
        db.session.rollback()
        raise
    return result


class _Restorer:
    """Inserts archived rows table by table, moving them to the target tenant id if needed."""

    def __init__(self, source_id: uuid.UUID, target_id: uuid.UUID, slug: str,
                 erased: set[uuid.UUID]) -> None:
        self.source_id, self.target_id, self.slug, self.erased = source_id, target_id, slug, erased
        self.rekey = Rekeyer(source_id, target_id) if source_id != target_id else None
        self.skipped: dict[str, set[uuid.UUID]] = {}
        self.counts: dict[str, int] = {}
        self._table: sa.Table | None = None
        self._pending: list[dict[str, Any]] = []

    def run(self, rows: Iterator[tuple[str, dict[str, Any]]]) -> None:
        for name, raw in rows:
            table = table_named(name)
            if table is not self._table:
                self._flush()
                self._table = table
            self._pending.append(load_row(table, raw))
            if len(self._pending) >= _INSERT_BATCH and not self._buffers_whole_table(table):
                self._flush()
        self._flush()
        if self.rekey is not None and self.rekey.chain_rebuilt:
            heads = table_named("audit_chain_heads")
            db.session.execute(heads.update().where(heads.c.tenant_id == self.target_id)
                               .values(last_hash=self.rekey.last_hash))

    def result(self) -> RestoreResult:
        return RestoreResult(
            tenant_id=self.target_id, slug=self.slug, new_tenant_id=self.rekey is not None,
            counts=self.counts, skipped_erased_candidates=len(self.skipped.get("candidates", ())),
            unreadable_values=self.rekey.unreadable_values if self.rekey else 0,
            audit_chain_rebuilt=self.rekey.chain_rebuilt if self.rekey else None)

    def _buffers_whole_table(self, table: sa.Table) -> bool:
        """Keys and the audit trail are moved as a whole when the tenant id changes."""
        return self.rekey is not None and table.name in (KEY_TABLE, "audit_events")

    def _flush(self) -> None:
        table, rows = self._table, self._pending
        self._pending = []
        if table is None or not rows:
            return
        if table.name == TENANT_TABLE:
            rows = [{**rows[0], "id": self.target_id, "slug": self.slug}]
        else:
            rows = [row for row in rows if not self._skip(table, row)]
            for row in rows:
                row["tenant_id"] = self.target_id
            if self.rekey is not None:
                if table.name == KEY_TABLE:
                    rows = self.rekey.keys(rows, self.erased)
                elif table.name == "audit_events":
                    rows = self.rekey.audit_events(rows)
                rows = [self.rekey.values(table.name, row) for row in rows]
        if rows:
            db.session.execute(table.insert(), rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def _skip(self, table: sa.Table, row: dict[str, Any]) -> bool:
        """Rows of candidates erased since the backup, and rows that depend on them."""
        if not self.erased:
            return False
        skip = (table.name == "candidates" and row["id"] in self.erased) or (
            row.get("candidate_id") in self.erased)
        for constraint in table.foreign_key_constraints:
            target = constraint.referred_table.name
            local = [c.name for c in constraint.columns if c.name != "tenant_id"]
            if len(local) == 1 and row.get(local[0]) in self.skipped.get(target, ()):
                skip = True
        if skip:
            self.skipped.setdefault(table.name, set()).add(row["id"])
        return skip
