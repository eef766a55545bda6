"""Exporting the current tenant's trail (as filtered on the page) to CSV or JSON.

Both files carry each event's ``seq``, ``prev_hash`` and ``hash``, so a copy
can be checked against the trail later. The CSV is safe to open in a
spreadsheet (``saas.exports.csv_safe``). Every export is itself audited
(``audit.exported``, with the format, the count and the names of the filters
used — never their values).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from saas.audit.search import AuditFilter, actor_names, count_events, event_document, iter_events
from saas.audit.service import ActorKind, record
from saas.exports import write_csv
from saas.timeutil import utcnow

ExportFormat = Literal["csv", "json"]
MAX_EXPORT_EVENTS = 100_000
BATCH = 1000
CSV_HEADER = (
    "seq", "occurred_at", "action", "action_label", "outcome", "actor_kind", "actor_id",
    "actor_name", "target_kind", "target_id", "address", "detail", "prev_hash", "hash", "id",
)


class ExportTooLarge(ValueError):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} events match; at most {MAX_EXPORT_EVENTS} per export")
        self.count = count


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    mimetype: str
    events: int


def _documents(search: AuditFilter) -> Iterator[dict[str, Any]]:
    batch: list[Any] = []
    for event in iter_events(search, BATCH):
        batch.append(event)
        if len(batch) == BATCH:
            names = actor_names(batch)
            yield from (event_document(e, names) for e in batch)
            batch = []
    names = actor_names(batch)
    yield from (event_document(e, names) for e in batch)


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def export_trail(search: AuditFilter, fmt: ExportFormat, *, actor_kind: ActorKind,
                 actor_id: uuid.UUID | None) -> ExportFile:
    """The file for ``search`` (raises ExportTooLarge); records ``audit.exported``.

    The caller commits.
    """
    count = count_events(search)
    if count > MAX_EXPORT_EVENTS:
        raise ExportTooLarge(count)
    documents = _documents(search)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        rows = ([doc[name] for name in CSV_HEADER] for doc in documents)
        content = write_csv(rows, CSV_HEADER)
        mimetype = "text/csv; charset=utf-8"
    else:
        events = [{k: _json_value(v) for k, v in doc.items()} for doc in documents]
        content = json.dumps({"exported_at": utcnow().isoformat(), "events": events},
                             ensure_ascii=False, indent=1).encode("utf-8")
        mimetype = "application/json"
    record("audit.exported", actor_kind=actor_kind, actor_id=actor_id,
           detail={"format": fmt, "events": count, "filters": search.used()})
    return ExportFile(content, f"audit-trail-{stamp}.{fmt}", mimetype, count)
