"""Learnloop's web application: create_app() wires settings, database, security, blueprints and CLI."""
from __future__ import annotations

import logging

from flask import Flask

from .api.app import LearnloopApp
from .settings import Settings, load_settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app. Raises SettingsError, naming the variable, when the environment is invalid."""
    settings = settings or load_settings()
    app = LearnloopApp(__name__, instance_path=str(settings_instance_dir()))
    app.config.update(
        SECRET_KEY=settings.secret_key_value(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        LEARNLOOP=settings,
    )
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import admin, api, auth, credentials, errors, icons, inputs, library, main, monitoring, navigation
    from . import operations
    from . import profiles, security, sso, web
    from .notifications import routes as notification_routes
    from .cli import register_cli
    from .play import routes as play_routes
    from .reflection.routes import bp as reflection_bp
    from .summaries.routes import bp as summaries_bp
    from .summaries.team_routes import bp as team_lessons_bp

    web.init_app(app)
    navigation.init_app(app)
    icons.init_app(app)
    security.init_app(app)
    inputs.init_app(app)
    errors.init_app(app)
    sso.client.init_app(app)
    profiles.init_app(app)
    for blueprint in (auth.bp, main.bp, play_routes.bp, reflection_bp, team_lessons_bp, summaries_bp, library.bp,
                      monitoring.bp, admin.bp, operations.bp, sso.bp, profiles.bp, credentials.bp,
                      notification_routes.bp):
        app.register_blueprint(blueprint)
    api.init_app(app)
    from .outbound.routes import bp as outbound_bp

    app.register_blueprint(outbound_bp)
    register_cli(app)
    if settings.outbox_pump:
        _run_outbox_pump(app, settings)
    return app


def _run_outbox_pump(app: Flask, settings: Settings) -> None:
    """Each serving process moves committed jobs on at once (see workers.pump)."""
    from .jobs import start_pump, wake_pump_on_commit

    wake_pump_on_commit()
    app.before_request(lambda: start_pump(settings))


def settings_instance_dir():
    from .settings import INSTANCE_DIR

    return INSTANCE_DIR
