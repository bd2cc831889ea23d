"""Odd input never gives a 500: a property-based walk over the application's own URL map.

For every route and method, as each role, Hypothesis sends odd values (integers beyond 64 bits,
Unicode digits, dates near year 1 and 9999, NUL bytes, deeply nested or huge-number YAML) to the
path arguments, to the query names the pages link with and to the form fields the pages show, each
POST with a valid CSRF token. Any 5xx answer fails the test, naming the request.

Deterministic (a fixed seed per role, no example database) and bounded: a few examples per role,
each example one request to every route.
"""
from __future__ import annotations

import io
import re
import zlib
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter

from ..conftest import CSRF_META
from .world import EMAILS, PASSWORD, build_world

ROLES = ("anonymous", "employee", "lead", "admin")
EXAMPLES = 4  # per role; each example is one request to every route (about 340 requests per role)
BIG = ["9223372036854775808", "18446744073709551616", "-9223372036854775809", "9" * 5000, "1" + "0" * 40]
UNICODE_DIGITS = ["²", "³", "١٢", "٣", "𝟡", "Ⅻ", "½", "߁", "1²"]
DATES = ["0001-01-01", "0001-01-01T00:00", "0001-01-01T00:00:00+14:00", "9999-12-31", "9999-12-31T23:59",
         "9999-12-31T23:59:59-12:00", "10000-01-01", "0000-00-00", "2026-02-30", "1-1-1"]
NUL = ["\x00", "a\x00b", "someone@example.com\x00"]
DEEP_YAML = "a: " + "[" * 1000 + "]" * 1000
HUGE_NUMBER_YAML = "slug: x\ntitle: x\nends_at: 2030-01-01\nstarts_at: 2029-12-01\ndaily_point_cap: " + "9" * 5000
ODD = BIG + UNICODE_DIGITS + DATES + NUL + [DEEP_YAML, HUGE_NUMBER_YAML, "-1", "0", "", " ", "1e309", "nan",
                                          "%ff", "../../etc/passwd", "<b>x</b>"]
# Query names the pages read that no page links with (filters typed by hand).
QUERY_NAMES = {"page", "team", "challenge", "q", "status", "start", "end", "old", "new", "phase", "next", "days"}
# Uploads read by the import forms.
FILE_FIELDS = ("file", "csv")


def odd_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD),
        st.integers(min_value=2 ** 63 - 1, max_value=2 ** 256).map(str),
        st.integers(max_value=-(2 ** 63)).map(str),
        st.text(alphabet=st.characters(categories=("Nd", "No")), min_size=1, max_size=4),
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
        st.text(max_size=8).map(lambda text: text + "\x00"),
    )


class _Fields(HTMLParser):
    """Names (and shown values) of the form fields, and the query names of the links, on a page."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, set[str]] = {}
        self.queries: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            self.fields.setdefault(attrs["name"], set()).add(attrs.get("value") or "")
        if tag == "option" and attrs.get("value") is not None:
            self.fields.setdefault("_option", set()).add(attrs["value"])
        if tag == "a" and "?" in (attrs.get("href") or ""):
            self.queries.update(re.findall(r"[?&;]([\w-]+)=", attrs["href"].replace("&amp;", "&")))


def _sign_in(app, role: str):
    client = app.test_client()
    page = client.get("/login")
    if role != "anonymous":
        token = CSRF_META.search(page.get_data(as_text=True)).group(1)
        answer = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 303, role
        page = client.get("/dashboard")
    return client, CSRF_META.search(page.get_data(as_text=True)).group(1)


def _valid_url(rule, ids: dict) -> str | None:
    values = {}
    for argument in rule.arguments:
        value = FIXED.get(argument, ids.get(argument))
        if value is None:
            return None
        values[argument] = value
    return rule.build(values, append_unknown=False)[1]


FIXED = {"item_type": "completion", "action": "retire", "change": "role", "name": "new-tool-exploration",
         "table": "teams", "filename": "css/app.css"}


_HARVESTED: list[tuple[list[str], set[str]]] = []


def _harvest(app, ids: dict) -> tuple[list[str], set[str]]:
    """The form field names and query names the app's pages use, read from every page as each role
    (once a run: the pages are the same on both databases)."""
    if _HARVESTED:
        return _HARVESTED[0]
    parser = _Fields()
    for role in ("employee", "lead", "admin"):
        client, _ = _sign_in(app, role)
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint != "static" and (url := _valid_url(rule, ids)):
                response = client.get(url)
                if response.mimetype == "text/html":  # pictures and downloads hold no fields
                    parser.feed(response.get_data(as_text=True))
    names = sorted(set(parser.fields) - {"csrf_token", "_option"})
    _HARVESTED.append((names, parser.queries | QUERY_NAMES))
    return _HARVESTED[0]


def _arguments(rule, ids: dict):
    """A strategy for the rule's path arguments: valid ids, odd values, or the values an any() allows."""
    strategies = {}
    for argument in rule.arguments:
        converter = rule._converters[argument]
        if isinstance(converter, AnyConverter):
            strategies[argument] = st.sampled_from(sorted(converter.items))
            continue
        valid = FIXED.get(argument, ids.get(argument))
        choices = [odd_text()] + ([st.just(str(valid))] if valid is not None else [])
        strategies[argument] = st.one_of(*choices)
    return st.fixed_dictionaries(strategies)


def _path(rule, values: dict) -> str:
    """The rule's path with `values` put in as they are (percent-encoded), even where the converter would refuse."""
    from urllib.parse import quote

    def put(match):
        return quote(values[match.group(1)], safe="")

    path = re.sub(r"<any\([^)]*\):(\w+)>", put, rule.rule)
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", put, path)


def _routes(app):
    return [(rule, method) for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_odd_values_on_every_route_never_give_a_server_error(app, session, role):
    world = build_world(session).ids
    ids = dict(world)
    ids.update({"summary_id": world["summary_id"], "number": 1})
    field_names, query_names = _harvest(app, ids)
    routes = _routes(app)
    assert len(routes) > 60 and len(field_names) > 20, "the walk found too little to be a walk"
    state = {"client": None}
    failures: list[str] = []

    # A fixed seed per role (not derandomize, which would give every role the same values): the same
    # requests on every run, no example database, no shrinking (the failures below name each request).
    @seed(zlib.crc32(role.encode()))
    @settings(max_examples=EXAMPLES, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def every_route(data):
        for rule, method in routes:
            if state["client"] is None:
                state["client"] = _sign_in(app, role)
            client, token = state["client"]
            path = _path(rule, data.draw(_arguments(rule, ids), label=f"{rule.rule} arguments"))
            query = data.draw(st.dictionaries(st.sampled_from(sorted(query_names)), odd_text(), max_size=3),
                              label="query")
            form = {}
            if method == "POST":
                form = data.draw(st.dictionaries(st.sampled_from(field_names), odd_text(), max_size=6), label="form")
                for name in FILE_FIELDS:
                    if data.draw(st.booleans(), label=f"{name} upload"):
                        content = data.draw(st.sampled_from([DEEP_YAML, HUGE_NUMBER_YAML, "a,b\n\x00,²\n"]))
                        form[name] = (io.BytesIO(content.encode()), "odd.yaml")
                form["csrf_token"] = token
            answer = client.open(path, method=method, query_string=query, data=form,
                                 headers={"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {})
            if answer.status_code >= 500:
                failures.append(f"{role} {method} {path} query={query!r:.300} form={_short(form)}: "
                                f"{answer.status_code}")
            if rule.endpoint in ("auth.logout", "admin.change_user") or rule.rule == "/login":
                state["client"] = None  # the request may have ended this role's session: sign in again

    every_route()
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(sorted(set(failures))[:40])


def _short(form: dict) -> str:
    return repr({name: (value if isinstance(value, str) else "<file>") for name, value in form.items()
                 if name != "csrf_token"})[:300]
