"""RFC 9457 problem details: every API error, including 401/403/404/405/500."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)
PROBLEM_TYPE_BASE = "https://rekindle.dev/problems/"


def problem(
    status: int,
    *,
    title: str,
    detail: str | None = None,
    type_: str | None = None,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into ``{"field.sub": [messages]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_body"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            flat.update(flatten_errors(value, f"{prefix}[{index}]"))
    else:
        flat[prefix or "_body"] = [str(messages)]
    return flat


def _validation_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    messages = data.get("messages") or data.get("errors") or {}
    if isinstance(messages, Mapping) and set(messages) <= {"json", "query", "form", "path"}:
        merged: dict[str, list[str]] = {}
        for part in messages.values():
            merged.update(flatten_errors(part))
        return merged
    return flatten_errors(messages)


_DETAILS = {
    400: "The request could not be understood.",
    401: "Authentication is required: send 'Authorization: Bearer <token>'.",
    403: "Your role does not allow this action.",
    404: "No such resource.",
    405: "This method is not allowed on this resource.",
    413: "The request body is too large.",
    415: "Send the body as JSON (Content-Type: application/json).",
    422: "The request body has invalid or unknown fields.",
    429: "Too many requests; slow down and retry later.",
}


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _validation_errors(data) if status in (400, 422) and data else None
    detail = data.get("message") or (
        error.description if status not in (404, 405, 500) else _DETAILS.get(status)
    )
    headers = dict(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    # ``abort(..., extra={"position": 3})`` adds members to the problem body.
    extra = dict(data.get("extra") or {})
    return problem(
        status,
        title=error.name,
        detail=detail or _DETAILS.get(status),
        errors=errors,
        headers=headers,
        **extra,
    )


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def unexpected_problem(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=error)
    return http_problem(InternalServerError())
