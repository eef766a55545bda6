"""Test data made through the real services."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from saas.auth.models import User
from saas.auth.tokens import create_token
from saas.auth.users import create_user
from saas.crypto.keys import active_key
from saas.extensions import db
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant

PASSWORD = "correct-horse-battery-staple"
ROLES = ("tenant_admin", "recruiter", "hiring_manager", "analyst")


@dataclass
class TenantFixture:
    id: uuid.UUID
    slug: str
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str = "tenant_admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def unique_slug(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_tenant(app: Flask, prefix: str, roles: tuple[str, ...] = ROLES) -> TenantFixture:
    """A tenant with one user (and one API token) per role."""
    with app.app_context():
        tenant = Tenant(slug=unique_slug(prefix), name=f"{prefix.title()} Corp")
        db.session.add(tenant)
        db.session.flush()
        fixture = TenantFixture(id=tenant.id, slug=tenant.slug)
        with tenant_context(tenant.id):
            active_key("tenant", tenant.id, "data")
            active_key("tenant", tenant.id, "blind_index")
            for role in roles:
                email = f"{role}@{tenant.slug}.example"
                user = create_user(email=email, name=role.title(), role=role, password=PASSWORD)
                _token, text = create_token(user, "test")
                fixture.users[role] = user.id
                fixture.emails[role] = email
                fixture.tokens[role] = text
            db.session.flush()
        db.session.commit()
    return fixture


def get_user(app: Flask, fixture: TenantFixture, role: str) -> User:
    with tenant_context(fixture.id):
        user = db.session.get(User, (fixture.id, fixture.users[role]))
    assert user is not None
    return user


def login(client: FlaskClient, fixture: TenantFixture, role: str = "tenant_admin",
          password: str = PASSWORD) -> Any:
    """Sign in through the real form (reads the CSRF token from the page)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={
        "csrf_token": token, "workspace": fixture.slug,
        "email": fixture.emails[role], "password": password,
    })


def csrf_from(html: str) -> str:
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def make_staff(app: Flask, email: str, password: str = PASSWORD) -> uuid.UUID:
    """A platform customer-success account (as ``tenants staff add`` makes one)."""
    from saas.auth.models import StaffUser
    from saas.auth.passwords import hash_password

    with app.app_context():
        staff = StaffUser(email=email.lower(), name=email.split("@")[0],
                          password_hash=hash_password(password))
        db.session.add(staff)
        db.session.commit()
        return staff.id


def staff_login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Sign a staff member in through the console's real form."""
    page = client.get("/console/login")
    return client.post("/console/login", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": email,
        "password": password,
    })


def signed_in_staff(app: Flask) -> FlaskClient:
    """A client signed in to the console as a new customer-success account."""
    email = f"cs-{uuid.uuid4().hex[:8]}@rekindle.example"
    make_staff(app, email)
    client = app.test_client()
    assert staff_login(client, email).status_code == 302
    return client
