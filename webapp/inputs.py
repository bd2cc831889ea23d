"""What Learnloop accepts from a request before any rule sees it: ids and whole numbers both databases
can store, dates in a sane range, and text without NUL characters. Odd input gets a clear 400 or 404."""
from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask, request
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter, ValidationError

# The largest value of a 64-bit signed integer column (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2 ** 63 - 1
# ASCII digits only: str.isdigit() and int() also take "²" or "٣", and the first makes int() raise.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")
# A challenge, a dashboard filter or a template start outside these years is a typing mistake, and
# dates near year 1 or 9999 overflow as soon as a time zone or a day is added.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_PAGE = 100_000


class UnacceptableInput(BadRequest):
    """A 400 whose description is written for the person who sent the request (the error page shows it)."""


class NoSuchPage(NotFound):
    """A 404 whose description is written for the person who sent the request."""


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to 2**63 - 1, so a larger id is simply not found (404)."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:
            # Not "try the next rule": that would find the same path under another method and answer 405.
            raise NotFound() from None


def whole_number(text: str | None, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`text` as a whole number from `minimum` to `maximum`, or None (not ASCII digits, or out of range)."""
    text = (text or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def page_number(args) -> int:
    """The `page` query value (1 when absent). Raises NoSuchPage unless it is a whole number from 1 to MAX_PAGE."""
    text = args.get("page")
    if text is None or text == "":
        return 1
    page = whole_number(text, 1, MAX_PAGE)
    if page is None:
        raise NoSuchPage(f"There is no page “{text[:20]}” of this list; pages are numbered from 1.")
    return page


def date_problem(value: date | datetime | None) -> str | None:
    """Why `value` is not a date Learnloop takes (outside EARLIEST_DATE..LATEST_DATE), or None."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date in the sane range. Raises ValueError with a message for the person who typed it."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("Enter a date as YYYY-MM-DD.") from None
    if problem := date_problem(day):
        raise ValueError(f"The date {problem}.")
    return day


# The sign-in view counts the attempt against the throttle first and then calls `refuse_nul_characters`
# itself, so odd input costs a guess like any other.
COUNTS_BEFORE_CHECKING = {"auth.login"}


def refuse_nul_characters_before_the_view() -> None:
    if request.endpoint not in COUNTS_BEFORE_CHECKING:
        refuse_nul_characters()


def refuse_nul_characters() -> None:
    """A NUL character in a query value, form field, file name or path part is refused (before every view).

    PostgreSQL cannot store it in text (the insert failed with a traceback) and no form has a use for it.
    """
    values = [*request.args.items(multi=True), *request.form.items(multi=True),
              *((name, upload.filename or "") for name, upload in request.files.items(multi=True)),
              *((name, value) for name, value in (request.view_args or {}).items() if isinstance(value, str))]
    if any("\x00" in name or "\x00" in value for name, value in values):
        raise UnacceptableInput("What you sent contains a NUL character (\\0), which Learnloop does not accept "
                                "in text. Nothing was saved; remove it and try again.")


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered: their `<int:...>` rules are bound to the converter then."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_characters_before_the_view)
    # Date inputs carry the same range as min and max, so a browser says so before sending.
    app.jinja_env.globals["date_range"] = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
