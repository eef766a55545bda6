"""The API's base: bearer auth, problem+json, unknown fields, pagination, OpenAPI."""

from __future__ import annotations

from flask import Flask

from tests.factories import TenantFixture

PROBLEM = "application/problem+json"


def test_me_returns_user_tenant_role_and_permissions(app: Flask, tenant_a: TenantFixture) -> None:
    response = app.test_client().get("/api/v1/me", headers=tenant_a.headers("recruiter"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["email"] == tenant_a.emails["recruiter"]
    assert body["tenant"]["slug"] == tenant_a.slug
    assert body["role"] == "recruiter"
    assert "candidate:read" in body["permissions"]
    assert "candidate:read_compensation" not in body["permissions"]


def test_missing_token_is_a_401_problem(app: Flask) -> None:
    response = app.test_client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == 401


def test_malformed_and_unknown_tokens_are_401(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    for token in ("nonsense", "rk_zz_abc", tenant_a.tokens["recruiter"][:-2] + "xx",
                  "rk_" + "0" * 32 + "_" + "a" * 43):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_session_cookie_does_not_authenticate_the_api(app: Flask, tenant_a: TenantFixture) -> None:
    from tests.factories import login

    client = app.test_client()
    assert login(client, tenant_a).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_route_and_method_are_problems(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    missing = client.get("/api/v1/nothing-here", headers=tenant_a.headers())
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    wrong = client.put("/api/v1/me", headers=tenant_a.headers(), json={})
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM
    assert "GET" in wrong.headers["Allow"]


def test_permission_denied_is_403_problem(app: Flask, tenant_a: TenantFixture) -> None:
    response = app.test_client().get("/api/v1/users", headers=tenant_a.headers("recruiter"))
    assert response.status_code == 403
    assert response.mimetype == PROBLEM


def test_unknown_fields_and_wrong_types_are_422_with_errors(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    response = client.post("/api/v1/users", headers=tenant_a.headers(), json={
        "email": "new@x.example", "name": "New", "role": "recruiter",
        "password": "a-long-enough-password", "tenant_id": "x", "surprise": 1,
    })
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert "surprise" in errors and "tenant_id" in errors
    wrong = client.post("/api/v1/users", headers=tenant_a.headers(), json={
        "email": "not-an-email", "name": 5, "role": "wizard", "password": "short",
    })
    assert wrong.status_code == 422
    assert {"email", "name", "role", "password"} <= set(wrong.get_json()["errors"])
    listed = client.get("/api/v1/users?limit=500", headers=tenant_a.headers()).get_json()
    assert all(u["email"] != "new@x.example" for u in listed["items"])


def test_non_json_body_is_415_and_broken_json_is_400(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    form = client.post("/api/v1/users", headers=tenant_a.headers(), data={"email": "x"})
    assert form.status_code == 415 and form.mimetype == PROBLEM
    broken = client.post(
        "/api/v1/users", headers={**tenant_a.headers(), "Content-Type": "application/json"},
        data="{not json",
    )
    assert broken.status_code == 400 and broken.mimetype == PROBLEM


def test_oversized_body_is_413(app: Flask, tenant_a: TenantFixture) -> None:
    big = '{"name": "' + "x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + '"}'
    response = app.test_client().post(
        "/api/v1/users", headers={**tenant_a.headers(), "Content-Type": "application/json"},
        data=big,
    )
    assert response.status_code == 413
    assert response.mimetype == PROBLEM


def test_cursor_pagination_walks_every_user_once(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    for n in range(5):
        created = client.post("/api/v1/users", headers=tenant_a.headers(), json={
            "email": f"page{n}@x.example", "name": f"Page {n}", "role": "analyst",
            "password": "a-long-enough-password",
        })
        assert created.status_code == 201, created.get_json()
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/users?{query}", headers=tenant_a.headers()).get_json()
        assert len(page["items"]) <= 2
        seen.extend(u["id"] for u in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 9
    bad = client.get("/api/v1/users?cursor=!!!", headers=tenant_a.headers())
    assert bad.status_code == 400
    too_many = client.get("/api/v1/users?limit=501", headers=tenant_a.headers())
    assert too_many.status_code == 422 and "limit" in too_many.get_json()["errors"]


def test_duplicate_user_email_is_409(app: Flask, tenant_a: TenantFixture) -> None:
    response = app.test_client().post("/api/v1/users", headers=tenant_a.headers(), json={
        "email": tenant_a.emails["recruiter"], "name": "Dup", "role": "recruiter",
        "password": "a-long-enough-password",
    })
    assert response.status_code == 409
    assert str(tenant_a.users["recruiter"]) in response.get_json()["detail"]


def test_openapi_document_lists_the_routes(app: Flask) -> None:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/users", "/api/v1/users/{user_id}"} <= set(spec["paths"])
    assert "bearer" in spec["components"]["securitySchemes"]


def test_interactive_docs_page_is_served_without_inline_script(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html and "/api/openapi.json" in html
    assert "<script>" not in html
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.data) > 100_000
    assert client.get("/api/docs/static/docs.js").status_code == 200
