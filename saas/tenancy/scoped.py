"""The scoped mixin every tenant-owned model uses.

Keys are Citus-ready: ``tenant_id`` leads the primary key (and must lead every
unique constraint and foreign key between tenant tables), so the schema can be
distributed by ``tenant_id`` without change.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from saas.ids import new_id


class TenantScoped:
    """Mixin: rows belong to one tenant; queries and writes are scoped automatically."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805
        return mapped_column(
            sa.Uuid,
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
            sort_order=-20,
        )

    @declared_attr
    def id(cls) -> Mapped[uuid.UUID]:  # noqa: N805
        return mapped_column(sa.Uuid, primary_key=True, default=new_id, sort_order=-19)


def tenant_fk(
    columns: list[str], target_table: str, *, ondelete: str | None = "CASCADE"
) -> sa.ForeignKeyConstraint:
    """A foreign key to another tenant table, with ``tenant_id`` leading both sides."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", *columns],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )


def is_tenant_scoped(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, TenantScoped)
