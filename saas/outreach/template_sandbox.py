"""The sandbox outreach templates run in: what a template may do, and how much.

Templates are written by tenant users and rendered with candidates' data, so
they run in Jinja's ``ImmutableSandboxedEnvironment`` with more taken away:

- **Plain text, no autoescape.** Every channel's body is plain text (email goes
  out as ``text/plain``), so there is no HTML to escape and nothing to inject.
- **No loader, no reaching out.** ``{% import %}``, ``{% include %}``,
  ``{% extends %}``, ``{% macro %}``, ``{% call %}``, ``{% block %}`` and
  ``{% set %}…{% endset %}`` are refused; so are names starting with ``_``
  (``''.__class__``, ``x['__globals__']``) and every function or method call
  except ``range()`` and ``loop.cycle()`` (``"{0.__class__}".format(x)``,
  ``"x".ljust(10**9)``). :func:`refusals` finds these in the syntax tree with
  their line; a template is compiled only when there are none, and the sandbox
  still checks every attribute and call at run time.
- **Bounded work.** ``StrictUndefined`` (a misspelt name is an error, not an
  empty string); ``None`` prints as nothing; ``range`` stops at
  :data:`MAX_RANGE`; loops nest at most two deep (:mod:`.template_syntax`) and run at
  most :data:`MAX_ITERATIONS` items per rendering; ``*``, ``+``, ``~``, ``**``,
  ``join`` and ``replace`` refuse results past :data:`MAX_OUTPUT` characters
  or :data:`MAX_INT_BITS`-bit numbers; ``%`` on
  text (printf-style formatting) is refused; the output stops at
  :data:`MAX_OUTPUT` characters. Only a short list of filters exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from jinja2 import (
    StrictUndefined,
    Template,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    meta,
    nodes,
    pass_context,
)
from jinja2 import filters as jinja_filters
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from saas.outreach.template_filters import as_local_date, format_message_date, humanize_since
from saas.outreach.template_syntax import (
    Bounded,
    Problem,
    keep_line_ends,
    refusals,
    syntax_problem,
)

MAX_SOURCE = 10_000
MAX_OUTPUT = 20_000
MAX_ITERATIONS = 10_000
MAX_RANGE = 1_000
MAX_EXPONENT = 64
MAX_INT_BITS = 512

_TEMPLATE_FILE = "<template>"


class RenderError(Exception):
    """A template could not be rendered (the problem says why and where)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class TooMuchWork(SecurityError):
    """The rendering would take too long or produce too much."""


@dataclass
class _Rendering:
    """What the filters need to know about the rendering in progress."""

    locale: str
    now: dt.datetime
    tz: dt.tzinfo
    iterations: int = 0
    details: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[_Rendering | None] = ContextVar("outreach_rendering", default=None)


def _rendering() -> _Rendering:
    state = _current.get()
    if state is None:
        raise RuntimeError("templates render through render_source()")
    return state


def _too_much(what: str) -> TooMuchWork:
    return TooMuchWork(what)


# --- filters and the one global ---------------------------------------------------------


def _defined(value: Any) -> Any:
    """A missing value fails here as missing (StrictUndefined raises when read)."""
    if isinstance(value, Undefined):
        str(value)
    return value


@pass_context
def _ago(_context: Context, value: Any) -> str:
    value = _defined(value)
    state = _rendering()
    today = state.now.astimezone(state.tz).date()
    return humanize_since(as_local_date(value, state.tz), today, state.locale)


@pass_context
def _date(_context: Context, value: Any, style: str = "long") -> str:
    value = _defined(value)
    state = _rendering()
    return format_message_date(as_local_date(value, state.tz), state.locale, style)


@pass_context
def _loop_guard(_context: Context, iterable: Any) -> Iterator[Any]:
    """Wraps every ``{% for %}``'s iterable: counts the items of the whole rendering."""
    state = _rendering()
    for item in iterable:
        state.iterations += 1
        if state.iterations > MAX_ITERATIONS:
            raise _too_much(f"loops ran more than {MAX_ITERATIONS} times")
        yield item


def _check_length(text: str) -> str:
    if len(text) > MAX_OUTPUT:
        raise _too_much(f"a text grew past {MAX_OUTPUT} characters")
    return text


@pass_context
def _concat(_context: Context, parts: Iterable[Any]) -> str:
    """``a ~ b``: the parts as text (``None`` as nothing), bounded."""
    return _check_length("".join("" if p is None else str(p) for p in parts))


@pass_context
def _join(_context: Context, value: Iterable[Any], separator: str = "",
          attribute: str | int | None = None) -> str:
    items = list(value)
    if attribute is not None:
        getter = jinja_filters.make_attrgetter(_context.environment, attribute)
        items = [getter(item) for item in items]
    texts = ["" if item is None else str(item) for item in items]
    if sum(map(len, texts)) + len(str(separator)) * max(len(texts) - 1, 0) > MAX_OUTPUT:
        raise _too_much(f"a text grew past {MAX_OUTPUT} characters")
    return str(separator).join(texts)


@pass_context
def _replace(_context: Context, value: Any, old: str, new: str, count: int | None = None) -> str:
    text, old, new = str(value), str(old), str(new)
    occurrences = text.count(old) if count is None else min(text.count(old), count)
    if len(text) + occurrences * (len(new) - len(old)) > MAX_OUTPUT:
        raise _too_much(f"a text grew past {MAX_OUTPUT} characters")
    return text.replace(old, new, -1 if count is None else count)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _too_much(f"range() is limited to {MAX_RANGE} numbers")
    return numbers


_KEPT_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "first", "int", "last", "length", "list",
    "lower", "map", "max", "min", "reject", "rejectattr", "reverse", "round", "select",
    "selectattr", "sort", "string", "sum", "title", "trim", "truncate", "unique", "upper",
    "wordcount",
)
FILTERS: Mapping[str, Callable[..., Any]] = {
    **{name: jinja_filters.FILTERS[name] for name in _KEPT_FILTERS},
    "ago": _ago,
    "date": _date,
    "join": _join,
    "replace": _replace,
}
# Used only by the rewritten syntax tree (see _Bounded); harmless when named directly.
_GUARD_FILTERS = {"loop_guard": _loop_guard, "concat_guard": _concat}
GLOBALS = {"range": _range}


def _finalize(value: Any) -> Any:
    return "" if value is None else value


class MessageEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with the limits above (see the module docstring)."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if isinstance(left, str):
                raise SecurityError("formatting text with % is not available")
            return left % right
        if operator == "**":
            if not isinstance(right, int | float) or abs(right) > MAX_EXPONENT or (
                    isinstance(left, int) and left.bit_length() * abs(right) > MAX_INT_BITS):
                raise _too_much(f"numbers are limited to {MAX_INT_BITS} bits")
            return left**right
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int) and \
                        len(sequence) * times > MAX_OUTPUT:
                    raise _too_much(f"a text grew past {MAX_OUTPUT} characters")
            if isinstance(left, int) and isinstance(right, int) and \
                    left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _too_much(f"numbers are limited to {MAX_INT_BITS} bits")
            return left * right
        result = left + right
        if isinstance(result, str | list | tuple) and len(result) > MAX_OUTPUT:
            raise _too_much(f"a text grew past {MAX_OUTPUT} characters")
        return result

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Only ``range()`` and ``loop.cycle()`` can be called."""
        allowed = obj is _range or (
            inspect.ismethod(obj) and isinstance(obj.__self__, LoopContext)
            and obj.__name__ == "cycle")
        if not allowed:
            raise SecurityError(f"{obj!r} cannot be called in a message template")
        return context.call(obj, *args, **kwargs)


@functools.cache
def environment() -> MessageEnvironment:
    env = MessageEnvironment(
        autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        finalize=_finalize, keep_trailing_newline=False, auto_reload=False,
    )
    env.filters = {**FILTERS, **_GUARD_FILTERS}
    env.globals = dict(GLOBALS)
    return env


def parse(source: str) -> nodes.Template:
    """The syntax tree (raises ``TemplateSyntaxError`` with the line)."""
    return environment().parse(keep_line_ends(source))


@functools.lru_cache(maxsize=512)
def variables_used(source: str) -> frozenset[str]:
    """The top-level variables a template text reads (none when it does not parse:
    rendering it will say why)."""
    try:
        return frozenset(meta.find_undeclared_variables(parse(source)))
    except TemplateSyntaxError:
        return frozenset()


@functools.lru_cache(maxsize=512)
def compile_source(source: str) -> Template:
    """A template ready to render; raises :class:`RenderError` when it is refused."""
    if len(source) > MAX_SOURCE:
        raise RenderError(Problem("too_long_source", _(
            "A template can be at most %(max)d characters long.", max=MAX_SOURCE)))
    try:
        ast = parse(source)
    except TemplateSyntaxError as exc:
        raise RenderError(syntax_problem(exc)) from exc
    refused = refusals(ast)
    if refused:
        raise RenderError(refused[0])
    ast = Bounded().visit(ast)
    ast.set_environment(environment())
    try:
        return environment().from_string(ast)
    except TemplateSyntaxError as exc:  # an unknown filter or test
        raise RenderError(syntax_problem(exc)) from exc


def _template_line(exc: BaseException) -> int | None:
    """The template line where a rendering failed (Jinja rewrites the traceback)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def _runtime_problem(exc: Exception) -> Problem:
    line = _template_line(exc)
    where = _("Line %(line)d: ", line=line) if line else ""
    if isinstance(exc, TooMuchWork):
        return Problem("too_much_work", where + _(
            "the template does too much work (%(detail)s).", detail=str(exc)), line)
    if isinstance(exc, SecurityError):
        return Problem("sandbox", where + _(
            "the template tried something the sandbox does not allow."), line)
    if isinstance(exc, UndefinedError):
        match = _UNDEFINED.search(str(exc))
        name = next((g for g in match.groups() if g), "") if match else ""
        if str(exc).startswith("'None' has no attribute"):
            return Problem("undefined", where + _(
                "“%(name)s” is missing: the value it belongs to is empty here (wrap it in "
                "{%% if … %%}).", name=name), line)
        return Problem("undefined", where + _(
            "“%(name)s” does not exist here.", name=name or str(exc)), line)
    return Problem("render_failed", where + _(
        "the template could not be rendered (%(detail)s).", detail=str(exc)), line)


def render_source(source: str, context: Mapping[str, Any], *, locale: str,
                  now: dt.datetime, tz: dt.tzinfo) -> str:
    """Render one template text; raises :class:`RenderError` (with a line when known)."""
    template = compile_source(source)
    token = _current.set(_Rendering(locale=locale, now=now, tz=tz))
    try:
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(dict(context)):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise RenderError(Problem("too_long_output", _(
                    "The message would be longer than %(max)d characters.", max=MAX_OUTPUT)))
            chunks.append(chunk)
        return "".join(chunks)
    except RenderError:
        raise
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
            AttributeError, RecursionError) as exc:
        raise RenderError(_runtime_problem(exc)) from exc
    finally:
        _current.reset(token)
