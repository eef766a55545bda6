"""Every action code the code records has a label (shown on the audit page and exports)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from saas.audit.labels import ACTION_LABELS, action_choices

ROOT = Path(__file__).resolve().parents[2]
ACTION = re.compile(r"[a-z_]+\.[a-z_]+")
RECORDERS = {"record", "_record", "_audit"}


def _codes(node: ast.expr) -> list[str]:
    """Action codes in a call's first argument: a literal, or either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if ACTION.fullmatch(node.value) else []
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    return []


def recorded_actions() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in [*ROOT.glob("saas/**/*.py"), *ROOT.glob("plugins/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            if name in RECORDERS:
                for code in _codes(node.args[0]):
                    found.setdefault(code, str(path.relative_to(ROOT)))
    return found


def test_every_recorded_action_has_a_label() -> None:
    found = recorded_actions()
    assert {"auth.login", "candidate.created", "audit.exported"} <= set(found)
    missing = {code: where for code, where in found.items() if code not in ACTION_LABELS}
    assert not missing, f"add labels in saas/audit/labels.py for: {missing}"


def test_action_choices_are_every_label_sorted(app: object) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    with app.test_request_context():
        choices = action_choices()
    assert [code for code, _ in choices] != list(ACTION_LABELS)  # sorted by label, not code
    assert {code for code, _ in choices} == set(ACTION_LABELS)
    labels = [label.lower() for _, label in choices]
    assert labels == sorted(labels)
