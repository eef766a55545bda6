"""Privacy pages: consent on the candidate page, do not contact, legal hold, the retention
policy (``/settings/privacy``), candidates due for erasure, and the public unsubscribe page.

The candidate page includes ``privacy/_candidate_consent.html``; its forms post
here and come back to ``candidates.show``. An invalid consent or legal-hold form
is shown again on a page of its own, with the errors next to the fields (422).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import actor, require_permission
from saas.candidates.models import Candidate
from saas.candidates.services import get_candidate, tenant_users, update_candidate
from saas.extensions import db, limiter
from saas.privacy.consent import (
    ConsentInvalid,
    channel_statuses,
    current_withdrawal,
    history,
    record_consent,
    record_withdrawal,
)
from saas.privacy.consent_forms import (
    BASIS_LABELS,
    STATE_LABELS,
    VIA_LABELS,
    ConsentForm,
    LegalHoldForm,
    RetentionForm,
    WithdrawForm,
    channel_heading,
    channel_name,
)
from saas.privacy.retention import (
    WARNING_DAYS,
    clear_legal_hold,
    notice_of,
    notices_count,
    notices_page,
    retention_months,
    set_legal_hold,
    set_retention_months,
)
from saas.privacy.unsubscribe import read_token, record_link_withdrawal, token_tenant
from saas.tenancy.context import tenant_context
from saas.tenancy.models import LOCALES, Tenant
from saas.web.dashboard import Tile, add_tile
from saas.web.i18n import BABEL_LOCALES, SESSION_LOCALE, current_tenant
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("privacy", __name__, template_folder="templates")
HISTORY_SHOWN = 20

add_nav_item(NavItem("privacy.settings", _l("Privacy"), "settings:read", "settings", 40))


@bp.app_template_global("candidate_privacy")
def candidate_privacy(candidate: Candidate) -> dict[str, Any]:
    """What the partial shows: the retention notice, and consent (None without consent:read)."""
    consent = None
    if current_user.can("consent:read"):
        records = history(candidate.id)
        consent = {
            "channels": channel_statuses(candidate),
            "history": list(reversed(records))[:HISTORY_SHOWN],
            "more_history": len(records) > HISTORY_SHOWN,
            "consent_form": ConsentForm(formdata=None),
        }
    return {"notice": notice_of(candidate.id), "consent": consent}


@bp.app_context_processor
def _privacy_labels() -> dict[str, Any]:
    return {"consent_basis_labels": BASIS_LABELS, "consent_state_labels": STATE_LABELS,
            "consent_via_labels": VIA_LABELS, "consent_channel_name": channel_name,
            "consent_channel_heading": channel_heading}


def _candidate_or_404(candidate_id: uuid.UUID) -> Candidate:
    candidate = get_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def _back(candidate: Candidate, anchor: str = "consent") -> ResponseReturnValue:
    return redirect(url_for("candidates.show", candidate_id=candidate.id) + "#" + anchor)


@bp.route("/candidates/<uuid:candidate_id>/consents", methods=["GET", "POST"])
@require_permission("consent:write")
def record(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = ConsentForm()
    if form.validate_on_submit():
        kind, actor_id = actor()
        try:
            record_consent(candidate, channel=form.channel.data, basis=form.basis.data,
                           source=form.source.data.strip(), given_at=form.given_at(),
                           expires_at=form.expires_at(), wording=form.wording.data.strip(),
                           actor_kind=kind, actor_id=actor_id)
        except ConsentInvalid as exc:
            db.session.rollback()
            for name, messages in exc.errors.items():
                target = form.given_time if name == "given_at" else form.expires_on \
                    if name == "expires_at" else form[name]
                target.errors = [*target.errors, *messages]
        else:
            db.session.commit()
            flash(_("Consent for %(channel)s is recorded.",
                    channel=channel_name(form.channel.data)), "success")
            return _back(candidate)
    return render_template("privacy/consent_form.html", candidate=candidate, form=form), \
        422 if form.is_submitted() else 200


@bp.route("/candidates/<uuid:candidate_id>/consents/withdraw", methods=["POST"])
@require_permission("consent:write")
def withdraw(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Choose the channel to withdraw."), "error")
        return _back(candidate)
    kind, actor_id = actor()
    _row, created = record_withdrawal(candidate, channel=form.channel.data, via="page",
                                      actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    name = channel_name(form.channel.data)
    flash(_("Consent for %(channel)s is withdrawn; only a new consent from the candidate "
            "can lift it.", channel=name) if created
          else _("Consent for %(channel)s was already withdrawn.", channel=name), "success")
    return _back(candidate)


@bp.route("/candidates/<uuid:candidate_id>/do-not-contact", methods=["GET", "POST"])
@require_permission("candidate:write")
def do_not_contact(candidate_id: uuid.UUID) -> ResponseReturnValue:
    """A confirmation page, then (POST) the status and an all-channel withdrawal."""
    candidate = _candidate_or_404(candidate_id)
    if request.method == "GET":
        return render_template("privacy/do_not_contact.html", candidate=candidate)
    kind, actor_id = actor()
    record_withdrawal(candidate, channel="all", via="page", source="do_not_contact",
                      actor_kind=kind, actor_id=actor_id)
    update_candidate(candidate, {"status": "do_not_contact"}, actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    flash(_("%(name)s will not be contacted on any channel.", name=candidate.name), "success")
    return _back(candidate)


@bp.route("/candidates/<uuid:candidate_id>/legal-hold", methods=["GET", "POST"])
@require_permission("candidate:erase")
def legal_hold(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = LegalHoldForm()
    if not form.is_submitted() and candidate.legal_hold_reason:
        form.reason.data = candidate.legal_hold_reason
    if form.validate_on_submit():
        kind, actor_id = actor()
        set_legal_hold(candidate, form.reason.data.strip(), actor_kind=kind, actor_id=actor_id)
        db.session.commit()
        flash(_("%(name)s is on legal hold: retention will not erase them.",
                name=candidate.name), "success")
        return _back(candidate, "retention")
    return render_template("privacy/legal_hold.html", candidate=candidate, form=form), \
        422 if form.is_submitted() else 200


@bp.route("/candidates/<uuid:candidate_id>/legal-hold/clear", methods=["POST"])
@require_permission("candidate:erase")
def legal_hold_clear(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    kind, actor_id = actor()
    if clear_legal_hold(candidate, actor_kind=kind, actor_id=actor_id):
        db.session.commit()
        flash(_("The legal hold is lifted."), "success")
    return _back(candidate, "retention")


@bp.route("/settings/privacy", methods=["GET", "POST"])
@require_permission("settings:read")
def settings() -> ResponseReturnValue:
    tenant = current_tenant()
    if tenant is None:
        abort(404)
    form = RetentionForm()
    if not form.is_submitted():
        form.retention_months.data = retention_months(tenant)
    elif not current_user.can("settings:write"):
        abort(403)
    elif form.validate():
        kind, actor_id = actor()
        if set_retention_months(tenant, form.retention_months.data,
                                actor_kind=kind, actor_id=actor_id):
            db.session.commit()
        months = retention_months(tenant)
        flash(_("Candidates are erased after %(n)d months without contact.", n=months)
              if months else _("Retention is off: candidates are kept until someone erases "
                               "them."), "success")
        return redirect(url_for("privacy.settings"))
    return render_template("privacy/settings.html", form=form, due=notices_count(),
                           warning_days=WARNING_DAYS), 422 if form.is_submitted() else 200


@bp.route("/retention")
@require_permission("candidate:read")
def due() -> ResponseReturnValue:
    """Candidates the retention policy will erase soon, soonest first."""
    owners = {u.id: u.name for u in tenant_users()}
    return render_template("privacy/due.html", rows=notices_page(), total=notices_count(),
                           owners=owners)


def _due_tile() -> Tile:
    mine = notices_count(current_user.id)
    note = _("%(n)d of yours", n=mine) if mine else ""
    return Tile(_("Candidates to be erased soon"), notices_count(), url_for("privacy.due"), note)


add_tile("candidate:read", _due_tile)


# --- the public unsubscribe page ---------------------------------------------------------


def _unsubscribe_limit() -> str:
    return str(current_app.config.get("UNSUBSCRIBE_LIMIT", "30 per minute"))


@bp.route("/u/<token>", methods=["GET", "POST"])
@limiter.limit(_unsubscribe_limit)
def unsubscribe(token: str) -> ResponseReturnValue:
    """No sign-in: the token names the tenant, the candidate and the channel."""
    tenant_id = token_tenant(token)
    tenant = db.session.get(Tenant, tenant_id) if tenant_id is not None else None
    if tenant is None:
        abort(404)
    with tenant_context(tenant.id):
        target = read_token(token)
        candidate = get_candidate(target.candidate_id) if target is not None else None
        if target is None or candidate is None or candidate.status == "erased":
            abort(404)
        form = WithdrawForm(data={"channel": target.channel})
        done = False
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            channel = "all" if form.channel.data == "all" else target.channel
            record_link_withdrawal(candidate, channel)
            db.session.commit()
            done = True
        else:
            done = current_withdrawal(candidate.id, target.channel) is not None
        # The candidate's language, unless the visitor picked one with the footer switch.
        picked = session.get(SESSION_LOCALE)
        locale = picked if picked in LOCALES else candidate.locale or tenant.locale or "en"
        with force_locale(BABEL_LOCALES.get(locale, "en")):
            return render_template(
                "privacy/unsubscribe.html", token=token, company=tenant.name,
                channel=target.channel, channel_label=channel_name(target.channel, locale),
                done=done, page_lang=locale)
