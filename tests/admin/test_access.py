"""Every admin route refuses people who are not admins, and every change needs a CSRF token."""
from __future__ import annotations

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from webapp.models import Role


def admin_routes(app) -> list[tuple[str, str]]:
    """(method, url) for every route of the admin blueprint, with arguments filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        values = {}
        for name in rule.arguments:
            converter = rule._converters[name]
            values[name] = sorted(converter.items)[0] if isinstance(converter, AnyConverter) else (
                1 if isinstance(converter, IntegerConverter) else "learning-from-mistakes-week")
        url = rule.build(values, append_unknown=False)[1]
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_the_admin_blueprint_has_the_expected_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert len(endpoints) > 30
    assert {"admin.challenges", "admin.teams", "admin.users", "admin.import_users", "admin.update_mission"} <= endpoints


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.LEAD])
def test_non_admin_gets_403_on_every_admin_route(app, client, auth, make_user, make_challenge, role):
    make_user("admin@example.com", Role.ADMIN, team="platform")
    make_user("person@example.com", role, team="platform", lead=role is Role.LEAD)
    make_challenge("spring", kinds=("learn", "share"))
    auth.login("person@example.com")
    routes = admin_routes(app)
    assert len(routes) > 30
    for method, url in routes:
        if method == "GET":
            response = client.get(url)
        else:
            response = auth.post(url, {"to": "published", "name": "x", "role": "admin", "active": "no"})
        assert response.status_code == 403, (method, url, response.status_code)


def test_signed_out_visitor_is_sent_to_sign_in(app, client):
    for method, url in admin_routes(app):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_admin_reaches_every_page(app, client, admin, make_challenge, session):
    from webapp.models import Badge, BadgeRule, Email, PeopleImport, Team

    challenge = make_challenge("spring")
    session.add(Badge(challenge_id=challenge.id, slug="b", name="B", rule=BadgeRule.POINTS_REACHED, params={"threshold": 5}))
    session.add(Team(name="Platform", slug="platform"))
    session.add(PeopleImport(created_by_id=admin.id, file_name="people.csv", csv_text="email,name,team\n",
                             base_url="http://localhost/"))
    session.add(Email(to="a@example.com", subject="Hi", kind="invitation", text_body="Hi", html_body="<p>Hi</p>",
                      message_id="<1@learnloop>", file_name="0000001-invitation.eml"))
    mail_dir = app.config["LEARNLOOP"].mail_file_dir
    mail_dir.mkdir(parents=True, exist_ok=True)
    (mail_dir / "0000001-invitation.eml").write_bytes(b"Subject: Hi\r\n\r\nHi\r\n")
    session.commit()
    for method, url in admin_routes(app):
        if method == "GET":
            assert client.get(url).status_code in (200, 302), url


def test_admin_post_without_csrf_token_is_refused(client, admin, session):
    response = client.post("/admin/teams", data={"name": "Sneaky"})
    assert response.status_code == 400
    from sqlmodel import select

    from webapp.models import Team

    assert session.exec(select(Team)).first() is None
