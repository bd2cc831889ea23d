"""Request plumbing shared by every blueprint: one DB session per request, page-or-fragment rendering."""
from __future__ import annotations

import logging

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, flash, g, has_request_context, redirect, render_template, request
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from .db import get_engine
from .problems import Invalid
from .text import render_markdown, render_model_markdown

log = logging.getLogger(__name__)
T = TypeVar("T")


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session)
    app.after_request(_vary_on_htmx)
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))
    app.jinja_env.filters["model_markdown"] = lambda text: Markup(render_model_markdown(text or ""))
    app.jinja_env.globals["is_htmx"] = is_htmx


def db() -> Session:
    """The request's session, opened on first use and closed at teardown; read-only for a `reads_only` view."""
    if "db" not in g:
        settings = current_app.config["LEARNLOOP"]
        g.db = Session(get_engine(settings.database_url, read_only=_view_reads_only()), expire_on_commit=False)
    return g.db


def reads_only(view):
    """Mark a GET view whose request never writes: its session (the user loader's too) reads without a
    transaction, and on PostgreSQL the database refuses any write made in it."""
    view.reads_only = True
    return view


def _view_reads_only() -> bool:
    if not has_request_context() or request.method not in ("GET", "HEAD") or request.endpoint is None:
        return False
    return getattr(current_app.view_functions.get(request.endpoint), "reads_only", False)


def _close_session(_exc) -> None:
    session = g.pop("db", None)
    if session is None:
        return
    try:
        session.close()
    except DBAPIError:
        # The database went away after the response was produced (a restart): that response stands, and
        # closing must not turn it into an error. Drop the dead connection instead of rolling it back.
        log.warning("database connection lost before the request's session closed", exc_info=True)
        session.invalidate()


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a boosted navigation wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(template: str, block: str | None = None, status: int = 200, **context):
    """The one place that decides page or fragment: htmx requests get `block`, others the page."""
    if block and is_htmx():
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def see_other(location: str):
    """Redirect after a successful POST: 303 for a plain form, HX-Redirect (a full navigation) for htmx."""
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


def form_post(change: Callable[[], T], refused: Callable[[Invalid], Any], done: Callable[[T], Any]):
    """The skeleton of a form's POST: `change` parses, validates and writes; when a rule refuses (Invalid) nothing
    is kept and `refused(error)` answers (the form again with its errors, 422); otherwise the change is committed
    and `done(result)` answers (a redirect, or the refreshed fragment for htmx)."""
    session = db()
    try:
        result = change()
    except Invalid as error:
        session.rollback()
        return refused(error)
    session.commit()
    return done(result)


def saved(message: str, location: str):
    """After a plain form's change: say what happened on the next page, and go there (303)."""
    flash(message, "success")
    return redirect(location, code=303)


def _vary_on_htmx(response):
    response.vary.add("HX-Request")
    return response
