"""Odd input gets a clear 400, 404 or 422 and changes nothing: ids beyond 64 bits, Unicode digits,
dates near year 1 or 9999, deep or huge YAML, NUL characters. Each of these was a 500 with a traceback."""
from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from webapp.inputs import IdConverter, page_number, parse_day, whole_number
from webapp.models import Challenge, Team

from ..conftest import CSRF_META

# An attack drill over every form and path (some 150 cases, each with its app): in `make test`, not the developer's loop.
pytestmark = pytest.mark.slow
from .world import EMAILS, PASSWORD, build_world

BEYOND_64_BITS = str(2 ** 63)
UNICODE_DIGITS = ("²", "١", "𝟡")


@pytest.fixture
def world(session):
    return build_world(session).ids


def signed_in(app, role: str):
    """A client signed in as `role` of the world, and a CSRF token of its session."""
    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": EMAILS[role], "password": PASSWORD, "csrf_token": token}).status_code == 303
    return client, CSRF_META.search(client.get("/dashboard").get_data(as_text=True)).group(1)


def row_counts(session) -> dict[str, int]:
    session.expire_all()
    return {table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables}


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- the parsers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["²", "١٢", "𝟡", "-1", "1.5", "", " ", "1e3", BEYOND_64_BITS, "9" * 5000, "\x00"])
def test_whole_number_takes_only_ascii_digits_that_fit_64_bits(text):
    assert whole_number(text) is None


def test_whole_number_reads_plain_numbers_within_bounds():
    assert whole_number(" 42 ") == 42 and whole_number(str(2 ** 63 - 1)) == 2 ** 63 - 1
    assert whole_number("7", minimum=1, maximum=5) is None


def test_page_number_is_one_when_absent_and_refuses_anything_odd():
    from werkzeug.exceptions import NotFound

    assert page_number({}) == 1 and page_number({"page": "3"}) == 3
    for odd in ("0", "²", BEYOND_64_BITS, "abc"):
        with pytest.raises(NotFound):
            page_number({"page": odd})


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "2026-02-30", "soon"])
def test_parse_day_refuses_dates_outside_the_sane_range(text):
    with pytest.raises(ValueError):
        parse_day(text)


# --- ids in paths -----------------------------------------------------------------------------------------

def test_every_id_in_a_path_beyond_64_bits_is_not_found(app, session, world):
    """Every route with an id, as the admin (who passes every role check): 404, never a 500."""
    client, token = signed_in(app, "admin")
    before = row_counts(session)
    checked = 0
    for rule in app.url_map.iter_rules():
        int_arguments = [name for name, converter in rule._converters.items() if isinstance(converter, IdConverter)]
        if not int_arguments:
            continue
        values = {name: world.get(name, 1) for name in rule.arguments}
        values.update({"item_type": "completion", "action": "retire", "change": "role", "table": "teams",
                       "what": "resend"})
        for name in int_arguments:
            path = rule.build({**values, name: 2 ** 63}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={"csrf_token": token})
                assert response.status_code == 404, f"{method} {path}: {response.status_code}"
                checked += 1
    assert checked > 50
    assert row_counts(session) == before


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_unicode_digits_in_a_path_are_not_an_id(app, world, digit):
    client, _ = signed_in(app, "admin")
    assert client.get(f"/admin/challenges/{world['challenge_id']}").status_code == 200
    # "١" is the Arabic-Indic one: int() reads it as 1, so it used to open challenge 1.
    assert client.get(f"/admin/challenges/{digit}").status_code == 404


# --- numbers in query strings and forms -------------------------------------------------------------------

@pytest.mark.parametrize("value", [BEYOND_64_BITS, "99999999999999999999", *UNICODE_DIGITS])
@pytest.mark.parametrize("path", ["/admin/users", "/library", "/review"])
def test_an_odd_page_number_is_not_found(app, world, path, value):
    client, _ = signed_in(app, "admin")
    response = client.get(path, query_string={"page": value})
    assert response.status_code == 404
    assert "There is no page" in text_of(response) and "pages are numbered from 1" in text_of(response)
    fragment = client.get(path, query_string={"page": value}, headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "<html" not in text_of(fragment)


@pytest.mark.parametrize("value", [BEYOND_64_BITS, *UNICODE_DIGITS])
@pytest.mark.parametrize("name", ["team", "challenge"])
def test_an_odd_library_filter_is_shown_beside_the_field(app, world, name, value):
    client, _ = signed_in(app, "employee")
    response = client.get("/library", query_string={name: value})
    assert response.status_code == 422
    assert f"Choose a {name} from the list." in text_of(response)


@pytest.mark.parametrize("value", [BEYOND_64_BITS, *UNICODE_DIGITS])
def test_an_odd_team_on_the_dashboard_is_not_found(app, world, value):
    client, _ = signed_in(app, "admin")
    assert client.get("/monitoring/", query_string={"team": value}).status_code == 404
    assert client.get(f"/monitoring/challenges/{world['challenge_id']}", query_string={"team": value}).status_code == 404


@pytest.mark.parametrize("value", ["²", BEYOND_64_BITS, "9" * 5000])
def test_an_odd_rating_in_a_self_assessment_is_refused_and_stores_nothing(app, session, world, value):
    client, token = signed_in(app, "employee")
    skill = world.get("skill_id") or _skill_id(session, world)
    path = f"/challenges/{world['challenge_id']}/self-assessment?phase=before"
    before = row_counts(session)
    response = client.post(path, data={f"skill-{skill}": value, "csrf_token": token})
    assert response.status_code == 422 and "Choose a rating from 1 to 5." in text_of(response)
    assert row_counts(session) == before


def _skill_id(session, world) -> int:
    from webapp.models import Skill

    return session.exec(select(Skill.id).where(Skill.challenge_id == world["challenge_id"])).one()


@pytest.mark.parametrize("value", ["²", BEYOND_64_BITS])
def test_an_odd_revision_in_a_review_is_a_bad_request(app, session, world, value):
    client, token = signed_in(app, "lead")
    before = row_counts(session)
    response = client.post(f"/review/summaries/{world['summary_id']}/approve", data={"revision": value, "csrf_token": token})
    assert response.status_code == 400
    assert row_counts(session) == before


@pytest.mark.parametrize("value", ["²", BEYOND_64_BITS])
def test_an_odd_team_for_a_challenge_is_refused_beside_the_field(app, session, world, value):
    client, token = signed_in(app, "admin")
    before = row_counts(session)
    response = client.post(f"/admin/challenges/{world['challenge_id']}/teams", data={"team_id": value, "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Choose a team." in text_of(response)
    assert row_counts(session) == before


@pytest.mark.parametrize(("field", "value"), [("daily_point_cap", "²"), ("daily_point_cap", "9" * 5000),
                                              ("daily_point_cap", BEYOND_64_BITS)])
def test_an_odd_number_in_the_challenge_form_is_refused(app, session, world, field, value):
    client, token = signed_in(app, "admin")
    before = row_counts(session)
    response = client.post("/admin/challenges", data={
        "slug": "odd", "title": "Odd", "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-08T09:00", field: value,
        "csrf_token": token})
    assert response.status_code == 422
    assert row_counts(session) == before


@pytest.mark.parametrize("value", ["²", "-²", BEYOND_64_BITS])
def test_an_odd_badge_threshold_is_refused(app, session, world, value):
    client, token = signed_in(app, "admin")
    before = row_counts(session)
    response = client.post(f"/admin/challenges/{world['challenge_id']}/badges", data={
        "slug": "odd", "name": "Odd", "rule": "points_reached", "threshold": value, "csrf_token": token})
    assert response.status_code == 422
    assert row_counts(session) == before


def test_the_badge_rules_read_only_ascii_whole_numbers():
    from webapp.challenges.badge_rules import _as_int

    assert [_as_int(value) for value in ("12", "-3", "²", "-²", "1²", BEYOND_64_BITS)] == [12, -3, None, None, None, None]


# --- dates ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("starts_at", "ends_at"), [
    ("0001-01-01T00:00", "0001-01-08T00:00"),
    ("9999-12-24T00:00", "9999-12-31T23:59"),
    ("1999-12-31T09:00", "2000-01-07T09:00"),
])
def test_a_challenge_outside_the_sane_years_is_refused(app, session, world, starts_at, ends_at):
    client, token = signed_in(app, "admin")
    before = row_counts(session)
    response = client.post("/admin/challenges", data={"slug": "far-away", "title": "Far away", "starts_at": starts_at,
                                                      "ends_at": ends_at, "csrf_token": token})
    assert response.status_code == 422
    assert "must be between 2000-01-01 and 2100-12-31" in text_of(response)
    assert row_counts(session) == before


def test_editing_a_challenge_to_year_one_is_refused(app, session, world):
    client, token = signed_in(app, "admin")
    challenge = session.get(Challenge, world["challenge_id"])
    response = client.post(f"/admin/challenges/{challenge.id}", data={
        "slug": challenge.slug, "title": challenge.title, "starts_at": "0001-01-01T00:00",
        "ends_at": "0001-01-05T00:00", "csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "must be between" in text_of(response)
    session.expire_all()
    assert session.get(Challenge, challenge.id).starts_at.year > 2000


@pytest.mark.parametrize("starts_on", ["0001-01-01", "9999-12-31"])
def test_a_template_starting_near_year_one_or_9999_starts_next_monday_instead(app, session, world, starts_on):
    client, token = signed_in(app, "admin")
    response = client.post("/admin/challenges/templates/new-tool-exploration",
                           data={"starts_on": starts_on, "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "must be between 2000-01-01 and 2100-12-31" in text_of(response)
    assert "The draft starts next Monday instead." in text_of(response)
    created = session.exec(select(Challenge).where(Challenge.slug != "only-a")).one()
    assert 2000 < created.starts_at.year < 2101


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-12-31", "9999-12-31"),
                                            ("2026-01-01", "9999-12-31")])
def test_dashboard_dates_near_year_one_or_9999_are_shown_as_errors(app, world, start, end):
    client, _ = signed_in(app, "admin")
    for path in ("/monitoring/", f"/monitoring/challenges/{world['challenge_id']}"):
        response = client.get(path, query_string={"start": start, "end": end})
        assert response.status_code == 422, path
        assert "The date must be between 2000-01-01 and 2100-12-31." in text_of(response)


def test_date_inputs_tell_the_browser_the_range(app, world):
    client, _ = signed_in(app, "admin")
    dashboard = text_of(client.get("/monitoring/"))
    assert dashboard.count('min="2000-01-01" max="2100-12-31"') == 2
    challenges = text_of(client.get("/admin/challenges"))
    assert 'type="date" min="2000-01-01" max="2100-12-31"' in challenges
    assert challenges.count('min="2000-01-01T00:00"') == 2
    assert text_of(client.get(f"/admin/challenges/{world['challenge_id']}")).count('max="2100-12-31T23:59"') == 2


# --- YAML -------------------------------------------------------------------------------------------------

def _import_yaml(client, token, text: str):
    return client.post("/admin/challenges/import", data={
        "file": (io.BytesIO(text.encode()), "challenge.yaml"), "csrf_token": token})


YAML_HEAD = "format: 1\nslug: odd\ntitle: Odd\nstarts_at: 2030-01-01T09:00:00Z\nends_at: 2030-01-08T09:00:00Z\n"


@pytest.mark.parametrize(("text", "message"), [
    ("missions: " + "[" * 1000 + "]" * 1000, "the values nest more than 20 levels deep"),
    (YAML_HEAD + "daily_point_cap: " + "9" * 5000, "a number with 5,000 digits (at most 18)"),
    (YAML_HEAD.replace("2030-01-01T09:00:00Z", "0001-01-01 00:00:00+14:00"), "must be between 2000-01-01 and 2100-12-31"),
    (YAML_HEAD.replace("2030-01-08T09:00:00Z", "9999-12-31 23:59:59-12:00"), "must be between 2000-01-01 and 2100-12-31"),
    (YAML_HEAD.replace("2030-01-01T09:00:00Z", "0000-01-01"), "year 0 is out of range"),
    (YAML_HEAD + "".join(f"k{i:x}:\n" for i in range(36_500)), "the file holds more than 20,000 values"),
    (YAML_HEAD + "".join(f"k{i}: 1\n" for i in range(101)), "a mapping with 106 keys (at most 100)"),
    (YAML_HEAD + "title2: \x00\n", "unacceptable character #x0000"),
])
def test_an_odd_yaml_file_is_refused_with_a_clear_message(app, session, world, text, message):
    client, token = signed_in(app, "admin")
    before = row_counts(session)
    response = _import_yaml(client, token, text)
    assert response.status_code == 422
    assert message in text_of(response)
    assert row_counts(session) == before


def test_a_yaml_file_with_many_problems_lists_fifty_and_counts_the_rest(app, world):
    client, token = signed_in(app, "admin")
    missions = "".join(f"  - {{slug: m{i}, title: M, kind: learn, points: 1, u1: 1, u2: 2}}\n" for i in range(60))
    response = _import_yaml(client, token, YAML_HEAD + "missions:\n" + missions)
    assert response.status_code == 422
    assert text_of(response).count("unknown key") == 50 and "and 70 more problems" in text_of(response)


# --- NUL characters ---------------------------------------------------------------------------------------

def test_a_nul_character_in_the_sign_in_form_is_a_bad_request_without_a_traceback(app, world, caplog):
    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    with caplog.at_level(logging.WARNING):
        for data in ({"email": "lead@a.example\x00", "password": PASSWORD}, {"email": "x@y.z", "password": "a\x00b"}):
            response = client.post("/login", data={**data, "csrf_token": token})
            assert response.status_code == 400
            assert "contains a NUL character" in text_of(response)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(("path", "data"), [
    ("/admin/teams", {"name": "Nul\x00team"}),
    ("/admin/users", {"email": "nul@example.com", "display_name": "N\x00l", "password": "long enough password",
                      "role": "employee"}),
    ("/admin/challenges", {"slug": "nul", "title": "Nul\x00", "starts_at": "2030-01-01T09:00",
                           "ends_at": "2030-01-08T09:00"}),
    ("/admin/challenges/import", {"yaml": YAML_HEAD + "description: a\x00b\n"}),
])
def test_a_nul_character_in_any_admin_text_field_stores_nothing(app, session, world, path, data):
    client, token = signed_in(app, "admin")
    before = row_counts(session)
    response = client.post(path, data={**data, "csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "contains a NUL character" in text_of(response) and "<html" not in text_of(response)
    assert row_counts(session) == before


def test_a_nul_character_in_a_mission_evidence_or_a_query_is_refused(app, session, world):
    client, token = signed_in(app, "employee")
    before = row_counts(session)
    response = client.post(f"/play/missions/{world['mission_id']}/complete", data={
        "evidence_text": "I read\x00 it", "idempotency_key": "nul-1", "csrf_token": token})
    assert response.status_code == 400
    assert client.get("/library", query_string={"q": "a\x00"}).status_code == 400
    assert row_counts(session) == before


def test_completing_a_mission_that_does_not_exist_without_a_key_is_not_found(app, session, world):
    """Found by the walk of the URL map: the missing key was refused first, then the refusal page looked
    for the mission's challenge and failed."""
    client, token = signed_in(app, "employee")
    before = row_counts(session)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post("/play/missions/0/complete", data={"csrf_token": token}, headers=headers)
        assert response.status_code == 404
    assert row_counts(session) == before


def test_a_nul_character_inside_an_uploaded_csv_is_never_stored(app, session, world):
    """File contents are not form fields: the import decides (refuse the row or the file), but never a 500."""
    from webapp.models import User

    client, token = signed_in(app, "admin")
    csv = "email,name,team\nnul@example.com,Na\x00me,team-a\n".encode()
    response = client.post("/admin/users/import", data={"file": (io.BytesIO(csv), "people.csv"), "csrf_token": token})
    assert response.status_code < 500
    session.expire_all()
    assert not [user for user in session.exec(select(User)) if "\x00" in user.display_name + user.email]


def test_a_nul_character_in_a_path_is_refused(app, world):
    client, token = signed_in(app, "admin")
    assert client.post("/admin/challenges/templates/a%00b", data={"csrf_token": token}).status_code == 400


# --- the net under the parsers ----------------------------------------------------------------------------

def test_a_value_the_database_cannot_hold_is_a_bad_request_not_a_server_error(own_app, session, world, caplog):
    """A route that forgot to check a number still answers 400 and stores nothing: SQLite raises OverflowError
    for an integer beyond 64 bits, PostgreSQL a DataError for text it cannot store."""
    @own_app.post("/unchecked/<path:raw>")
    def unchecked(raw):
        from sqlalchemy.exc import DataError

        from webapp.web import db

        db().add(Team(name="Unchecked", slug="unchecked"))
        db().flush()
        if raw == "overflow":
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        raise DataError("INSERT ...", {}, Exception("value out of range"))

    client, token = signed_in(own_app, "admin")
    before = row_counts(session)
    with caplog.at_level(logging.WARNING):
        for raw in ("overflow", "data"):
            response = client.post(f"/unchecked/{raw}", data={"csrf_token": token})
            assert response.status_code == 400
            assert "out of the range Learnloop can store" in text_of(response)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert row_counts(session) == before
