"""Every blueprint, in one list."""

from __future__ import annotations

from flask import Flask

from saas.api import api


def register_blueprints(app: Flask) -> None:
    from saas.api.docs import bp as api_docs
    from saas.auth.account import bp as account_views
    from saas.auth.api import me_blp, tokens_blp, users_blp
    from saas.auth.settings_views import bp as settings_views
    from saas.auth.views import bp as auth_views
    from saas.extensions import csrf
    from saas.hooks.api import plugins_blp
    from saas.hooks.views import bp as plugin_views
    from saas.tenancy.console import bp as console_views

    for views in (auth_views, account_views, settings_views, plugin_views, console_views):
        app.register_blueprint(views)
    app.register_blueprint(api_docs)
    for blueprint in (me_blp, users_blp, tokens_blp, plugins_blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
