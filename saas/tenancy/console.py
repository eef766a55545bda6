"""The platform console for customer-success staff: tenants, and manifests to apply.

Staff sign in at ``/console/login`` (not the tenant sign-in), see every tenant
with its plan, status and enabled plugins, open one, and create or update one
from a manifest. Every cross-tenant action is audited with ``actor_kind="staff"``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.utils import secure_filename

from saas import audit
from saas.auth.current import require_permission
from saas.auth.forms import ROLE_LABELS, StaffLoginForm
from saas.auth.login import staff_sign_in
from saas.auth.permissions import TENANT_ROLES
from saas.extensions import limiter
from saas.tags.labels import code_label
from saas.tenancy.console_forms import PLAN_LABELS, STATUS_LABELS, ManifestForm
from saas.tenancy.console_queries import find_tenant, tenant_detail, tenant_rows
from saas.tenancy.manifests import (
    ApplyResult,
    ManifestError,
    apply_validated,
    validate_manifest_text,
)
from saas.tenancy.models import Tenant
from saas.tenancy.starter_manifest import example_manifest, starter_manifest
from saas.web.navigation import NavItem, add_nav_item
from saas.web.redirects import safe_next

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")

add_nav_item(NavItem("console.apply", _l("Apply a manifest"), "platform:tenants:write",
                     "platform", 10))

TYPED_NAME = "manifest"  # stands for the file in "file: key: problem" lines


@bp.before_request
def _staff_sign_in_first() -> ResponseReturnValue | None:
    """Anyone not signed in goes to the staff sign-in, not the tenant one."""
    if request.endpoint != "console.login" and not current_user.is_authenticated:
        return redirect(url_for("console.login", next=request.full_path))
    return None


def _account_key() -> str:
    return f"staff-login-account:{request.form.get('email', '').strip().lower()}"


def _failed(response: object) -> bool:
    return getattr(response, "status_code", 200) != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        staff = current_user.kind == "staff"
        return redirect(url_for("console.tenants" if staff else "web.home"))
    form = StaffLoginForm()
    if form.validate_on_submit():
        if staff_sign_in(form.email.data, form.password.data) is not None:
            return redirect(safe_next(request.args.get("next"), "console.tenants"))
        form.password.errors = []
        flash(_("Wrong email or password."), "error")
    return render_template("console/login.html", form=form)


@bp.route("")
@require_permission("platform:tenants:read")
def tenants() -> ResponseReturnValue:
    return render_template(
        "console/tenants.html", tenants=tenant_rows(), plan_labels=PLAN_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.route("/tenants/<string:slug>")
@require_permission("platform:tenants:read")
def tenant(slug: str) -> ResponseReturnValue:
    found = _tenant_or_404(slug)
    audit.record(
        "staff.tenant_viewed", actor_kind="staff", actor_id=current_user.id,
        target_kind="tenant", target_id=found.id, tenant_id=found.id, commit=True,
    )
    return render_template(
        "console/tenant.html", tenant=found, detail=tenant_detail(found), roles=TENANT_ROLES,
        role_labels=ROLE_LABELS, plan_labels=PLAN_LABELS, status_labels=STATUS_LABELS,
        channel_names=[code_label("channel", c) for c in found.policy.get("channel_order", [])],
    )


@bp.route("/apply", methods=["GET", "POST"])
@require_permission("platform:tenants:write")
def apply() -> ResponseReturnValue:
    form = ManifestForm()
    if request.method == "GET":
        slug = request.args.get("slug", "").strip()
        form.manifest.data = starter_manifest(_tenant_or_404(slug)) if slug \
            else example_manifest()
        return _render_apply(form)
    if not form.validate_on_submit():
        return _render_apply(form, status=422)
    name = TYPED_NAME
    if form.upload.data:
        name = secure_filename(form.upload.data.filename or "") or TYPED_NAME
        try:
            form.manifest.data = form.upload.data.read().decode("utf-8")
        except UnicodeDecodeError:
            form.upload.errors.append(_("The file is not UTF-8 text."))
            return _render_apply(form, status=422)
    text = form.manifest.data or ""
    if not text.strip():
        form.manifest.errors.append(_("Paste a manifest or upload a .toml file."))
        return _render_apply(form, status=422)
    try:
        manifest = validate_manifest_text(name, text)
    except ManifestError as exc:
        audit.record(
            "tenant.apply_rejected", outcome="failure", actor_kind="staff",
            actor_id=current_user.id, detail={"problems": len(exc.problems)}, commit=True,
        )
        return _render_apply(form, problems=exc.problems, status=422)
    results = apply_validated([manifest], actor_kind="staff", actor_id=current_user.id)
    for result in results:
        flash(_outcome_message(result), "success")
    return redirect(url_for("console.tenant", slug=results[0].slug))


def _render_apply(
    form: ManifestForm, problems: list[str] | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template("console/apply.html", form=form, problems=problems or []), status


def _outcome_message(result: ApplyResult) -> str:
    if result.outcome == "created":
        message = _("Tenant %(slug)s is created.", slug=result.slug)
    elif result.outcome == "updated":
        message = _("Tenant %(slug)s is updated: %(changes)s.", slug=result.slug,
                    changes=", ".join(result.changes))
    else:
        message = _("Tenant %(slug)s already matched the manifest; nothing changed.",
                    slug=result.slug)
    return str(message)


def _tenant_or_404(slug: str) -> Tenant:
    found = find_tenant(slug)
    if found is None:
        abort(404)
    return found
