"""Error pages for 400, 403, 404, 405, 413 and 500, as whole pages or as fragments for htmx (problem details for
the API). A rule's `NotFound` (webapp.problems) becomes the 404 here, so no route catches it to abort."""
from __future__ import annotations

import logging

from flask import Flask, current_app
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException, InternalServerError

from .inputs import NoSuchPage, UnacceptableInput
from .problems import NotFound
from .api.problems import is_api_request, problem
from .web import is_htmx, render

log = logging.getLogger(__name__)

REQUEST_FAILED_HEADER = "X-Request-Failed"
MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    401: ("You are signed out", "Your session has ended. Copy what you typed (it is still here), sign in "
                                "again, and send it."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than Learnloop accepts."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    503: ("Temporarily unavailable", "Learnloop cannot reach its database right now. Nothing you saw accepted "
                                     "is lost; please try again in a moment."),
    500: ("Something went wrong", "An unexpected error happened on our side. It has been logged."),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(DataError, _value_out_of_range)
    app.register_error_handler(OverflowError, _value_out_of_range)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def error_response(code: int, detail: str | None = None, headers: dict | None = None):
    if is_api_request():  # the JSON API answers every error as RFC 9457 problem details
        return problem(code, detail, headers=headers)
    title, message = MESSAGES.get(code, (f"Error {code}", "The request failed."))
    body, status = render("errors/error.html", block="error", status=code, code=code, title=title,
                          message=detail or message)
    response = current_app.make_response((body, status))
    if is_htmx():
        # The page puts this panel beside the form that sent the request instead of in its place, so what
        # the person typed stays there to send again (static/js/app.js).
        response.headers[REQUEST_FAILED_HEADER] = str(code)
    return response


def _csrf_error(error: CSRFError):
    return error_response(400, "The form had expired or was not sent from Learnloop. Reload the page and try again.")


def _not_found(error: NotFound):
    return error_response(404, error.detail)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None and is_api_request():  # an API view's own problem (abort(problem(...)))
        return error.response
    # Allow (405) and the like travel with the error; the API's problem keeps them.
    headers = dict(error.get_headers()) if is_api_request() else None
    return error_response(error.code, error.description if isinstance(error, (UnacceptableInput, NoSuchPage)) else None,
                          headers)


def _value_out_of_range(error: Exception):
    """A value the database (or a date) cannot hold reached a query: the input was odd, not the server.

    The routes refuse such values first (webapp.inputs); this is the net under them, so a value they miss
    still gets a clear 400 and changes nothing, and the log names it without a traceback.
    """
    log.warning("value out of range refused with 400: %s", getattr(error, "orig", None) or error)
    _rollback_request_session()
    _skip_loading_the_user()
    return error_response(400, "A value you sent is out of the range Learnloop can store (a number too large, "
                               "a date too far away, or a character it does not accept). Nothing was saved.")


def _database_unavailable(error: DBAPIError):
    """The database went away (restart, failover): answer at once with 503, the pool reconnects later."""
    log.warning("database unavailable: %s", getattr(error, "orig", None) or error)
    _rollback_request_session()
    _skip_loading_the_user()
    return error_response(503)


def _skip_loading_the_user() -> None:
    """The page layout asks who is signed in; after a database failure that question must not query it
    (the user may not be loaded yet, or was expired by the rollback), so these pages show no menu."""
    from flask import g

    from .security import login_manager

    g._login_user = login_manager.anonymous_user()


def _is_database_outage(error: Exception) -> bool:
    if isinstance(error, (OperationalError, InterfaceError, PendingRollbackError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _rollback_request_session() -> None:
    from flask import g

    session = g.get("db")
    if session is not None:
        # Detach first: a rollback expires loaded objects, and the error page must be able to read
        # the signed-in user's name and role without another query.
        session.expunge_all()
        try:
            session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone too; the session is discarded anyway
            log.debug("rollback after a failed request also failed", exc_info=True)


def _unexpected_error(error: Exception):
    if _is_database_outage(error):
        return _database_unavailable(error)
    log.exception("unhandled error", exc_info=error)
    _rollback_request_session()
    _skip_loading_the_user()
    return error_response(InternalServerError.code)
