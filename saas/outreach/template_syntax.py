"""A template's syntax tree: what is refused before anything runs, and the rewrite
that bounds the work of what is left (see :mod:`saas.outreach.template_sandbox`).

Refused, each with its line: the tags that reach for other templates or define
code (``import``, ``from``, ``include``, ``extends``, ``macro``, ``call``,
``block``, ``set … endset``), names starting with ``_``, every call except
``range()`` and ``loop.cycle()``, recursive loops and loops nested more than
:data:`MAX_LOOP_DEPTH` deep. :class:`Bounded` routes every loop's items and
every ``~`` through counting filters of the sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from jinja2 import TemplateSyntaxError, nodes
from jinja2.visitor import NodeTransformer

MAX_LOOP_DEPTH = 2


@dataclass(frozen=True)
class Problem:
    """Something wrong with a template or its rendering, with the template line if known."""

    code: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return self.message


_FORBIDDEN_TAGS: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Extends, "extends"), (nodes.Include, "include"), (nodes.Import, "import"),
    (nodes.FromImport, "from … import"), (nodes.Macro, "macro"), (nodes.CallBlock, "call"),
    (nodes.Block, "block"), (nodes.AssignBlock, "set … endset"),
)


def _callee(node: nodes.Expr) -> str:
    """``format``, ``x.y.format``: how a called expression reads in the template."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_callee(node.node)}.{node.attr}"
    if isinstance(node, nodes.Const):
        return repr(node.value)[:30]
    return "…"


def _allowed_call(node: nodes.Call) -> bool:
    target = node.node
    return (isinstance(target, nodes.Name) and target.name == "range") or (
        isinstance(target, nodes.Getattr) and target.attr == "cycle"
        and isinstance(target.node, nodes.Name) and target.node.name == "loop")


def _node_refusal(node: nodes.Node) -> Problem | None:
    line = node.lineno
    for kind, tag in _FORBIDDEN_TAGS:
        if isinstance(node, kind):
            return Problem("forbidden_tag", _(
                "Line %(line)d: {%% %(tag)s %%} is not available in message templates.",
                line=line, tag=tag), line)
    name = None
    if isinstance(node, nodes.Getattr):
        name = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and \
            isinstance(node.arg.value, str):
        name = node.arg.value
    if name is not None and name.startswith("_"):
        return Problem("private_name", _(
            "Line %(line)d: names starting with an underscore (%(name)s) are not available.",
            line=line, name=name), line)
    if isinstance(node, nodes.Call) and not _allowed_call(node):
        return Problem("call", _(
            "Line %(line)d: calling functions or methods (%(name)s) is not available; "
            "use the variables and filters listed in the help.",
            line=line, name=_callee(node.node)), line)
    if isinstance(node, nodes.For) and node.recursive:
        return Problem("recursive_loop", _(
            "Line %(line)d: recursive loops are not available.", line=line), line)
    return None


def refusals(ast: nodes.Template) -> list[Problem]:
    """Everything in the template that reaches outside the sandbox, with its line."""
    found = [p for node in ast.find_all(nodes.Node) if (p := _node_refusal(node))]
    found += _deep_loops(ast, 0)
    return sorted(found, key=lambda p: (p.line or 0, p.code))


def _deep_loops(node: nodes.Node, depth: int) -> list[Problem]:
    found: list[Problem] = []
    for child in node.iter_child_nodes():
        inner = depth + 1 if isinstance(child, nodes.For) else depth
        if inner > MAX_LOOP_DEPTH and isinstance(child, nodes.For):
            found.append(Problem("deep_loops", _(
                "Line %(line)d: loops can be nested at most %(depth)d deep.",
                line=child.lineno, depth=MAX_LOOP_DEPTH), child.lineno))
        found += _deep_loops(child, inner)
    return found


class Bounded(NodeTransformer):
    """Counts every loop's items and bounds every ``~`` (see the filters above)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "loop_guard", [], [], None, None,
                                 lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "concat_guard",
                            [], [], None, None, lineno=node.lineno)


_TAG_ONLY_LINE = re.compile(r"^[ \t]*(?:(?:\{%.*?%\}|\{#.*?#\})[ \t]*)+$")
_TAG_AT_END = re.compile(r"(?<![-+])%\}$")


def keep_line_ends(source: str) -> str:
    """A line that holds only tags disappears; any other line keeps its line break.

    ``trim_blocks`` drops the newline after every block tag, which would glue
    ``- {{ o.title }}{% if o.team %}, {{ o.team }}{% endif %}`` to the next line;
    such a tag gets Jinja's ``+%}`` (keep the newline) instead. Lines stay where
    they are, so line numbers in problems are the author's.
    """
    lines = source.split("\n")
    for index, line in enumerate(lines[:-1]):
        if not _TAG_ONLY_LINE.match(line):
            lines[index] = _TAG_AT_END.sub("+%}", line)
    return "\n".join(lines)


def syntax_problem(exc: TemplateSyntaxError) -> Problem:
    line = exc.lineno or 1
    return Problem("syntax", _("Line %(line)d: %(message)s", line=line,
                               message=exc.message or _("the template cannot be read")), line)
