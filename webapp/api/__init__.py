"""The JSON API under /api/v1 (OpenAPI document and docs page included) and the pages that manage tokens."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, render_template

from ..security import csrf, limiter
from ..web import reads_only
from .auth import authenticate, rate_limit_key
from .routes import bp
from .token_pages import bp as token_pages

docs = Blueprint("api_docs", __name__, url_prefix="/api/v1")

# No cookie authenticates the API, only a bearer token (auth.authenticate), so there is no session for a
# forged cross-site request to ride on: the API's routes need no CSRF token.
csrf.exempt(bp)
bp.before_request(authenticate)
limiter.shared_limit(lambda: current_app.config["LEARNLOOP"].api_rate_limit, scope="api", key_func=rate_limit_key)(bp)


@docs.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of the API."""
    return jsonify(current_app.api_doc)


@docs.get("/docs")
def docs_page():
    """The interactive page (Swagger UI, served from our own files) to read and try the API."""
    return render_template("api/docs.html")


def init_app(app: Flask) -> None:
    app.register_api(bp)
    # The API's GET routes read only, like the pages they mirror: no transaction, and PostgreSQL refuses a write.
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{bp.name}.") and "POST" not in rule.methods:
            reads_only(app.view_functions[rule.endpoint])
    app.register_blueprint(docs)
    app.register_blueprint(token_pages)
