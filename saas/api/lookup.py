"""Looking up the object in the URL before the request body is read.

flask-smorest validates the body before the view runs, so without this an
unknown field sent to another tenant's object would be a 422 — which tells the
caller the id exists. ``found_first`` runs the lookup (which aborts with 404)
first: another tenant's id is always *not found*, whatever is sent.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def found_first(lookup: Callable[[uuid.UUID], object], param: str) -> Callable[[F], F]:
    """Decorate a view (above ``@blp.arguments``) to run ``lookup(kwargs[param])`` first."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            lookup(kwargs[param])
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate
