"""Which settings an outbound rule reads: the app's inside a request, the process's in workers and the CLI."""
from __future__ import annotations

from webapp.settings import Settings, get_settings


def current_settings() -> Settings:
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config["LEARNLOOP"]
    return get_settings()


def base_url(settings: Settings) -> str:
    """The deployment's address without a trailing slash: PUBLIC_URL, else the request's, else localhost."""
    if settings.public_url:
        return settings.public_url
    from flask import has_request_context, request

    if has_request_context():
        return request.url_root.rstrip("/")
    return f"http://localhost:{settings.port}"
