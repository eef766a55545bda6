"""PostgreSQL row-level security: the database-side wall between tenants.

Every tenant table gets a policy comparing ``tenant_id`` with the transaction
setting ``app.tenant_id``. The runtime role owns no table and has no
BYPASSRLS, so even raw SQL from the app sees only the current tenant's rows,
and nothing at all when no tenant is set. ``unscoped(reason=...)`` sets
``app.scope = 'all'``, which the policy also admits — the same single,
greppable escape hatch as in the ORM.

The settings are transaction-local (``set_config(..., true)``) and are synced
before each statement, so a pooled connection never carries a tenant over.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from saas.tenancy.context import current_scope

POLICY_NAME = "tenant_isolation"
_INFO_KEY = "rekindle_rls"

# Each setting is read in a scalar subquery, so PostgreSQL evaluates it once per
# statement (an InitPlan) instead of once per row: on a million-row scan that is
# the difference between a plain comparison and two function calls per row.
_PREDICATE = (
    "(tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid) "
    "OR (SELECT current_setting('app.scope', true)) = 'all')"
)


def policy_sql(table: str) -> list[str]:
    """The statements that put ``table`` under tenant row-level security."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
        f"CREATE POLICY {POLICY_NAME} ON {table} USING {_PREDICATE} WITH CHECK {_PREDICATE}",
    ]


def drop_policy_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def grant_runtime_role_sql(role: str) -> list[str]:
    """Create the runtime role if missing and give it row access, nothing more."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"invalid role name {role!r}")
    return [
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            END IF;
        END $$""",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
        # The audit trails are append-only (saas/audit/append_only.py).
        f"""DO $$ BEGIN
            IF to_regclass('public.audit_events') IS NOT NULL THEN
                REVOKE UPDATE, DELETE ON audit_events, platform_audit_events FROM {role};
            END IF;
        END $$""",
    ]


def _desired_settings() -> tuple[str, str]:
    scope = current_scope()
    return (str(scope.tenant_id) if scope.tenant_id else "", "all" if scope.unscoped else "")


def _sync_settings(
    conn: Connection, cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    desired = _desired_settings()
    if conn.info.get(_INFO_KEY) == desired:
        return
    cursor.execute(
        "SELECT set_config('app.tenant_id', %s, true), set_config('app.scope', %s, true)",
        desired,
    )
    conn.info[_INFO_KEY] = desired


def _forget_settings(conn: Connection, *_args: Any) -> None:
    conn.info.pop(_INFO_KEY, None)


def install_rls_sync(engine: Engine) -> None:
    """Keep ``app.tenant_id`` and ``app.scope`` in step with the context (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return
    if event.contains(engine, "before_cursor_execute", _sync_settings):
        return
    event.listen(engine, "before_cursor_execute", _sync_settings)
    for name in ("commit", "rollback", "rollback_savepoint", "begin"):
        event.listen(engine, name, _forget_settings)
