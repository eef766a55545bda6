"""The erasure page: the name typed to confirm, errors next to the field, legal hold."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.extensions import db
from tests.candidates.test_api import count, in_tenant
from tests.candidates.test_pages import signed_in, token
from tests.factories import TenantFixture
from tests.privacy.test_erasure import make_person


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_erasure_page_needs_the_name_typed(
    app: Flask, tenant_a: TenantFixture, locale: str
) -> None:
    person = make_person(app, tenant_a)
    url = f"/candidates/{person.id}/erase"
    client = signed_in(app, tenant_a, "tenant_admin", locale)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'<html lang="{locale}">' in html
    assert 'name="confirm"' in html and "<script>" not in html and " style=" not in html
    for typed in ("", "Somebody else"):
        wrong = client.post(url, data={"csrf_token": token(client, url), "confirm": typed})
        html = wrong.get_data(as_text=True)
        assert wrong.status_code == 422
        assert 'id="confirm-error"' in html and 'aria-invalid="true"' in html
        if typed:
            assert f'value="{typed}"' in html  # what was typed is kept
    assert count(app, tenant_a, Candidate) == 1
    assert client.post(url, data={"confirm": person.name}).status_code == 400  # no CSRF
    done = client.post(url, data={"csrf_token": token(client, url), "confirm": person.name})
    assert done.status_code == 302 and done.headers["Location"].endswith("/candidates")
    assert count(app, tenant_a, Candidate) == 0
    assert client.get(f"/candidates/{person.id}").status_code == 404
    assert client.get(url).status_code == 404


def test_erasure_page_is_for_tenant_admins(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    url = f"/candidates/{person.id}/erase"
    for role in ("recruiter", "hiring_manager"):
        client = signed_in(app, tenant_a, role)
        assert client.get(url).status_code == 403
        csrf = token(client, f"/candidates/{person.id}")
        assert client.post(url, data={"csrf_token": csrf, "confirm": person.name}
                           ).status_code == 403
    assert count(app, tenant_a, Candidate) == 1


def test_a_legal_hold_keeps_the_candidate(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    with in_tenant(app, tenant_a):
        candidate = db.session.scalars(sa.select(Candidate)).one()
        candidate.legal_hold_at = dt.datetime.now(dt.UTC)
        db.session.commit()
    client = signed_in(app, tenant_a, "tenant_admin")
    profile = f"/candidates/{person.id}"
    assert "Under legal hold" in client.get(profile).get_data(as_text=True)
    url = f"{profile}/erase"
    page = client.get(url).get_data(as_text=True)
    assert "under legal hold" in page and 'name="confirm"' not in page
    refused = client.post(url, data={"csrf_token": token(client, profile),
                                     "confirm": person.name})
    assert refused.status_code == 302 and refused.headers["Location"].endswith(profile)
    assert "nothing can erase them" in client.get(profile).get_data(as_text=True)
    deleted = client.post(f"{profile}/delete", data={"csrf_token": token(client, profile)})
    assert deleted.status_code == 302
    assert count(app, tenant_a, Candidate) == 1
