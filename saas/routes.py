"""Every blueprint, in one list."""

from __future__ import annotations

from flask import Flask

from saas.api import api


def register_blueprints(app: Flask) -> None:
    from saas.api.docs import bp as api_docs
    from saas.audit.api import audit_blp
    from saas.audit.views import bp as audit_views
    from saas.auth.account import bp as account_views
    from saas.auth.api import me_blp, tokens_blp, users_blp
    from saas.auth.settings_views import bp as settings_views
    from saas.auth.views import bp as auth_views
    from saas.backups.views import bp as security_views
    from saas.campaigns.api import campaigns_blp
    from saas.campaigns.views import bp as campaign_views
    from saas.candidates.api import candidates_blp
    from saas.candidates.views import bp as candidate_views
    from saas.extensions import csrf
    from saas.hooks.api import plugins_blp
    from saas.hooks.views import bp as plugin_views
    from saas.offers.api import offers_blp
    from saas.offers.views import bp as offer_views
    from saas.openings.api import events_blp, openings_blp
    from saas.openings.views import bp as opening_views
    from saas.outreach.compose_views import bp as outreach_views
    from saas.outreach.outreach_api import outreach_blp
    from saas.outreach.templates_api import templates_blp
    from saas.outreach.templates_views import bp as template_views
    from saas.outreach.webhooks import bp as outreach_webhooks
    from saas.privacy.access_views import bp as privacy_request_views
    from saas.privacy.api import consents_blp
    from saas.privacy.api_requests import privacy_requests_blp
    from saas.privacy.views import bp as privacy_views
    from saas.queue.api import queue_blp
    from saas.queue.views import bp as queue_views
    from saas.segments.api import segments_blp
    from saas.segments.views import bp as segment_views
    from saas.tags.api import candidate_tags_blp, insights_blp, segment_tag_blp, tags_blp
    from saas.tags.views import bp as tag_views
    from saas.tenancy.console import bp as console_views

    for views in (auth_views, account_views, settings_views, plugin_views, console_views,
                  candidate_views, offer_views, queue_views, segment_views, tag_views,
                  privacy_request_views, privacy_views, audit_views, outreach_views,
                  security_views, template_views, campaign_views, opening_views):
        app.register_blueprint(views)
    app.register_blueprint(api_docs)
    csrf.exempt(outreach_webhooks)  # signed with HMAC instead; no session
    app.register_blueprint(outreach_webhooks)
    for blueprint in (me_blp, users_blp, tokens_blp, plugins_blp,
                      tags_blp, candidate_tags_blp, segment_tag_blp, insights_blp, segments_blp,
                      candidates_blp, offers_blp, queue_blp, privacy_requests_blp,
                      consents_blp, audit_blp, outreach_blp, templates_blp, campaigns_blp,
                      openings_blp, events_blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
