"""Error pages for 400, 403, 404, 405, 413 and 500, as whole pages or as fragments for htmx."""
from __future__ import annotations

import logging

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .web import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than Learnloop accepts."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    500: ("Something went wrong", "An unexpected error happened on our side. It has been logged."),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def error_response(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, (f"Error {code}", "The request failed."))
    return render("errors/error.html", block="error", status=code, code=code, title=title, message=detail or message)


def _csrf_error(error: CSRFError):
    return error_response(400, "The form had expired or was not sent from Learnloop. Reload the page and try again.")


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return error_response(error.code)


def _unexpected_error(error: Exception):
    log.exception("unhandled error", exc_info=error)
    from .web import g

    session = g.get("db")
    if session is not None:
        session.rollback()
    return error_response(InternalServerError.code)
