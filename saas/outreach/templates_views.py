"""Template pages: the list by situation, the editor with variable help and a live
preview for a chosen candidate (a form reload, no script), delete, starter templates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import actor, require_permission
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.outreach.models import Template
from saas.outreach.rendering import RenderedMessage
from saas.outreach.template_checks import (
    LINKEDIN_MAX_CHARS,
    MAX_SMS_SEGMENTS,
    SUBJECT_MAX_CHARS,
    WECHAT_MAX_BYTES,
    sms_size,
    validate_template,
)
from saas.outreach.template_forms import TemplateForm
from saas.outreach.template_help import variable_help
from saas.outreach.templates_service import (
    PURPOSES,
    TemplateInvalid,
    TemplateNameTaken,
    create_template,
    delete_template,
    get_template,
    install_starters,
    preview_for,
    recent_candidates,
    templates_in_order,
    update_template,
)
from saas.tags.labels import code_label
from saas.timeutil import utcnow
from saas.web.i18n import LANGUAGE_NAMES, current_locale_tag
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("templates", __name__, url_prefix="/templates", template_folder="templates")
add_nav_item(NavItem("templates.index", _l("Templates"), "template:read", "main", 50))


@dataclass
class Group:
    """One situation on the list page: its templates by name, each with its versions."""

    label: str
    names: dict[str, list[Template]] = field(default_factory=dict)


@dataclass(frozen=True)
class Preview:
    rendered: RenderedMessage
    candidate: Candidate | None
    usage: list[str]


@bp.app_template_filter("channel_label")
def _channel_label(code: str) -> str:
    return code_label("channel", code)


@bp.app_context_processor
def _template_labels() -> dict[str, Any]:
    return {"message_language_names": LANGUAGE_NAMES}


def _template_or_404(template_id: uuid.UUID) -> Template:
    template = get_template(template_id)
    if template is None:
        abort(404)
    return template


@bp.route("")
@require_permission("template:read")
def index() -> ResponseReturnValue:
    groups = {code: Group(str(label)) for code, label in PURPOSES.items()}
    other = Group(_("Other"))
    templates: list[Template] = list(db.session.scalars(templates_in_order()))
    for template in templates:
        group = groups.get(template.purpose or "", other)
        group.names.setdefault(template.name, []).append(template)
    shown = [g for g in [*groups.values(), other] if g.names]
    return render_template("outreach_templates/index.html", groups=shown)


def _candidate_choices() -> list[tuple[str, str]]:
    if not current_user.can("candidate:read"):
        return []
    return [(str(c.id), c.name + (f" · {c.title}" if c.title else ""))
            for c in recent_candidates()]


def _form(template: Template | None = None, *, formdata: bool = True) -> TemplateForm:
    form = TemplateForm() if formdata else TemplateForm(obj=template, formdata=None)
    form.fill_choices(PURPOSES, _candidate_choices())
    if not formdata:
        form.candidate_id.data = request.args.get("candidate_id", "")
        if template is None:
            form.channel.data = request.args.get("channel", "wechat")
            form.locale.data = request.args.get("locale", current_locale_tag())
    return form


def _typed(form: TemplateForm) -> dict[str, Any]:
    return {"name": form.name.data or "", "purpose": form.purpose.data or None,
            "channel": form.channel.data or "", "locale": form.locale.data or "",
            "subject": form.subject.data or None, "body": form.body.data or ""}


def _preview_candidate(candidate_id: str | None) -> Candidate | None:
    if not candidate_id or not current_user.can("candidate:read"):
        return None
    try:
        wanted = uuid.UUID(candidate_id)
    except ValueError:
        return None
    return db.session.scalars(sa.select(Candidate).where(Candidate.id == wanted)).first()


def _usage(rendered: RenderedMessage) -> list[str]:
    """The channel's limits and how much of them the message uses."""
    if rendered.channel == "sms":
        size = sms_size(rendered.body)
        return [_("SMS segments: %(segments)d of at most %(max)d", segments=size.segments,
                  max=MAX_SMS_SEGMENTS),
                _("%(units)d characters, %(encoding)s: %(per)d per segment",
                  units=size.units, encoding="GSM-7" if size.encoding == "gsm7" else "UCS-2",
                  per=size.per_segment)]
    if rendered.channel == "wechat":
        return [_("%(size)d of %(max)d bytes (WeCom text message)",
                  size=len(rendered.body.encode("utf-8")), max=WECHAT_MAX_BYTES)]
    if rendered.channel == "linkedin":
        return [_("%(size)d of %(max)d characters", size=len(rendered.body),
                  max=LINKEDIN_MAX_CHARS)]
    return [_("Subject: %(size)d of %(max)d characters", size=len(rendered.subject or ""),
              max=SUBJECT_MAX_CHARS)]


def _preview(draft: Template, candidate_id: str | None) -> Preview:
    candidate = _preview_candidate(candidate_id)
    rendered = preview_for(draft, candidate, sender=current_user, now=utcnow())
    return Preview(rendered, candidate, _usage(rendered))


def _show_errors(form: TemplateForm, problems: Any) -> None:
    for problem in problems:
        target = getattr(form, problem.field, None) or form.body
        target.errors = [*target.errors, problem.message]


def _render_editor(form: TemplateForm, template: Template | None, preview: Preview | None,
                   status: int = 200) -> ResponseReturnValue:
    locale = form.locale.data or current_locale_tag()
    return render_template(
        "outreach_templates/edit.html", form=form, template=template, preview=preview,
        variables=variable_help(locale if locale in LANGUAGE_NAMES else "en"),
    ), status


def _draft(form: TemplateForm) -> Template:
    """The typed template, not saved (for the preview)."""
    return Template(**_typed(form))


def _submit(form: TemplateForm, template: Template | None) -> ResponseReturnValue:
    """Preview what is typed, or save it."""
    if not form.validate():
        return _render_editor(form, template, None, 422)
    typed = _typed(form)
    if request.form.get("action") == "preview":
        problems = validate_template(typed["channel"], typed["locale"], typed["subject"],
                                     typed["body"])
        if problems:
            _show_errors(form, problems)
            return _render_editor(form, template, None, 422)
        return _render_editor(form, template, _preview(_draft(form), form.candidate_id.data))
    if not current_user.can("template:write"):
        abort(403)
    kind, actor_id = actor()
    try:
        if template is None:
            template = create_template(typed, actor_kind=kind, actor_id=actor_id)
        else:
            update_template(template, typed, actor_kind=kind, actor_id=actor_id)
    except TemplateInvalid as exc:
        db.session.rollback()
        _show_errors(form, exc.problems)
        return _render_editor(form, _reloaded(template), None, 422)
    except TemplateNameTaken:
        db.session.rollback()
        form.name.errors = [*form.name.errors, _(
            "Another template already has this name for this channel and language.")]
        return _render_editor(form, _reloaded(template), None, 422)
    template_id = template.id
    db.session.commit()
    flash(_("Template “%(name)s” is saved.", name=typed["name"]), "success")
    return redirect(url_for("templates.show", template_id=template_id,
                            candidate_id=form.candidate_id.data or None))


def _reloaded(template: Template | None) -> Template | None:
    """The saved template after a rollback (None for a new one)."""
    return get_template(template.id) if template is not None and template.id else None


@bp.route("/new")
@require_permission("template:write")
def new() -> ResponseReturnValue:
    return _render_editor(_form(formdata=False), None, None)


@bp.route("/new", methods=["POST"])
@require_permission("template:write")
def create() -> ResponseReturnValue:
    return _submit(_form(), None)


@bp.route("/<uuid:template_id>")
@require_permission("template:read")
def show(template_id: uuid.UUID) -> ResponseReturnValue:
    template = _template_or_404(template_id)
    form = _form(template, formdata=False)
    return _render_editor(form, template, _preview(template, form.candidate_id.data))


@bp.route("/<uuid:template_id>", methods=["POST"])
@require_permission("template:read")
def save(template_id: uuid.UUID) -> ResponseReturnValue:
    return _submit(_form(), _template_or_404(template_id))


@bp.route("/<uuid:template_id>/delete", methods=["POST"])
@require_permission("template:write")
def delete(template_id: uuid.UUID) -> ResponseReturnValue:
    template = _template_or_404(template_id)
    name = template.name
    kind, actor_id = actor()
    delete_template(template, actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    flash(_("Template “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("templates.index"))


@bp.route("/starters", methods=["POST"])
@require_permission("template:write")
def starters() -> ResponseReturnValue:
    kind, actor_id = actor()
    result = install_starters(actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    flash(_("Starter templates added: %(created)d (already there: %(kept)d).",
            created=result.created, kept=result.kept), "success")
    return redirect(url_for("templates.index"))

