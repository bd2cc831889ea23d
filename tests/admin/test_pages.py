"""The admin pages: forms answer bad input beside the field and change nothing; htmx gets fragments."""
from __future__ import annotations

from sqlmodel import select

from webapp.models import Challenge, Membership, Mission, Role, Team, User

from .conftest import counts

HX = {"HX-Request": "true"}


def challenge_form(**changes) -> dict:
    data = {"slug": "autumn", "title": "Autumn", "starts_at": "2027-09-01T09:00", "ends_at": "2027-09-08T09:00"}
    data.update(changes)
    return data


def test_create_challenge_then_edit_it(client, session, admin, auth):
    response = auth.post("/admin/challenges", challenge_form(), page="/admin/challenges")
    assert response.status_code == 303
    challenge = session.exec(select(Challenge)).one()
    assert challenge.status.value == "draft" and challenge.starts_at.hour == 9
    url = f"/admin/challenges/{challenge.id}"
    edited = auth.post(url, challenge_form(title="Autumn of learning", description="**Bold** plans",
                                           reflection_cadence="daily", summary_cadence="weekly",
                                           leaderboard_mode="relative", daily_point_cap="40"), page=url, headers=HX)
    assert edited.status_code == 200 and "Saved." in edited.get_data(as_text=True)
    session.expire_all()
    challenge = session.get(Challenge, challenge.id)
    assert (challenge.title, challenge.leaderboard_mode.value, challenge.daily_point_cap) == ("Autumn of learning", "relative", 40)


def test_end_before_start_is_shown_beside_the_end_and_changes_nothing(client, session, admin, auth):
    before = counts(session)
    response = auth.post("/admin/challenges", challenge_form(ends_at="2027-08-01T09:00"), page="/admin/challenges",
                         headers=HX)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="new-ends_at-error">must be after the start' in page
    assert 'value="autumn"' in page
    assert "<html" not in page  # htmx gets the form fragment only
    assert counts(session) == before


def test_duplicate_and_malformed_slugs_are_refused(client, session, admin, auth, make_challenge):
    make_challenge("autumn")
    before = counts(session)
    taken = auth.post("/admin/challenges", challenge_form(), page="/admin/challenges")
    assert taken.status_code == 422 and "already exists" in taken.get_data(as_text=True)
    bad = auth.post("/admin/challenges", challenge_form(slug="Autumn Fun!"), page="/admin/challenges")
    assert bad.status_code == 422 and "lowercase letters" in bad.get_data(as_text=True)
    assert counts(session) == before


def test_mission_row_swaps_to_an_edit_form_and_back(client, session, admin, auth, make_challenge):
    challenge = make_challenge(kinds=("learn",))
    mission = session.exec(select(Mission)).one()
    form = client.get(f"/admin/missions/{mission.id}/edit", headers=HX).get_data(as_text=True)
    assert form.lstrip().startswith(f'<tr id="mission-{mission.id}">') and "Save mission" in form
    row = client.get(f"/admin/missions/{mission.id}", headers=HX).get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="mission-{mission.id}">') and "Edit" in row
    assert client.get(f"/admin/missions/{mission.id}/edit").get_data(as_text=True).count("<html") == 1  # no-JS page


def test_points_out_of_range_are_refused_beside_the_field(client, session, admin, auth, make_challenge):
    challenge = make_challenge(kinds=("learn",))
    mission = session.exec(select(Mission)).one()
    data = {"slug": "m0", "title": "Mission 0", "kind": "learn", "points": "1001", "max_completions": "1",
            "cooldown_hours": "0"}
    response = auth.post(f"/admin/missions/{mission.id}", data, page=f"/admin/challenges/{challenge.id}", headers=HX)
    assert response.status_code == 422
    assert f'id="m{mission.id}-points-error">Input should be less than or equal to 1000' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Mission, mission.id).points == 10


def test_add_mission_with_duplicate_slug_is_refused(client, session, admin, auth, make_challenge):
    challenge = make_challenge(kinds=("learn",))
    url = f"/admin/challenges/{challenge.id}"
    data = {"slug": "m0", "title": "Again", "kind": "share", "points": "5", "evidence_required": "on"}
    response = auth.post(f"{url}/missions", data, page=url, headers=HX)
    assert response.status_code == 422 and "already has a mission with the slug" in response.get_data(as_text=True)
    ok = auth.post(f"{url}/missions", dict(data, slug="share-it"), page=url, headers=HX)
    assert ok.status_code == 200 and 'id="missions-section"' in ok.get_data(as_text=True)
    assert [m.slug for m in session.exec(select(Mission).order_by(Mission.position))] == ["m0", "share-it"]


def test_move_buttons_reorder_missions(client, session, admin, auth, make_challenge):
    challenge = make_challenge(kinds=("learn", "share"))
    second = session.exec(select(Mission).where(Mission.slug == "m1")).one()
    response = auth.post(f"/admin/missions/{second.id}/move", {"direction": "up"}, page=f"/admin/challenges/{challenge.id}")
    assert response.status_code == 303
    session.expire_all()
    assert [m.slug for m in session.exec(select(Mission).order_by(Mission.position))] == ["m1", "m0"]


def test_teams_members_and_leads(client, session, admin, auth, make_user):
    ada = make_user("ada@example.com")
    assert auth.post("/admin/teams", {"name": "  "}, page="/admin/teams").status_code == 422
    assert auth.post("/admin/teams", {"name": "Data Science"}, page="/admin/teams").status_code == 303
    team = session.exec(select(Team)).one()
    assert team.slug == "data-science"
    assert auth.post("/admin/teams", {"name": "data science"}, page="/admin/teams").status_code == 422
    url = f"/admin/teams/{team.id}"
    missing = auth.post(f"{url}/members", {"email": "nobody@example.com"}, page=url, headers=HX)
    assert missing.status_code == 422 and "There is no user with the email" in missing.get_data(as_text=True)
    auth.post(f"{url}/members", {"email": "ada@example.com"}, page=url)
    auth.post(f"{url}/members/{ada.id}/lead", {"lead": "yes"}, page=url)
    session.expire_all()
    assert session.get(User, ada.id).role is Role.LEAD
    assert session.exec(select(Membership)).one().is_lead
    auth.post(f"{url}/members/{ada.id}/lead", {"lead": "no"}, page=url)
    session.expire_all()
    assert session.get(User, ada.id).role is Role.EMPLOYEE
    auth.post(url, {"name": "Data"}, page=url)
    auth.post(f"{url}/members/{ada.id}/remove", page=url)
    session.expire_all()
    assert session.get(Team, team.id).name == "Data" and session.exec(select(Membership)).first() is None


def test_admin_lead_stays_admin(session, make_user):
    from webapp.people.teams import add_member, create_team

    boss = make_user("boss@example.com", Role.ADMIN)
    add_member(session, create_team(session, "Ops"), boss, lead=True)
    assert boss.role is Role.ADMIN


def test_users_create_change_role_deactivate(client, session, admin, auth):
    bad = auth.post("/admin/users", {"email": "not-an-email", "name": "X", "role": "employee", "password": "long enough"},
                    page="/admin/users")
    assert bad.status_code == 422 and "is not an email address" in bad.get_data(as_text=True)
    auth.post("/admin/users", {"email": "new@example.com", "name": "New", "role": "employee", "password": "long enough"},
              page="/admin/users")
    user = session.exec(select(User).where(User.email == "new@example.com")).one()
    auth.post(f"/admin/users/{user.id}/role", {"role": "lead"}, page="/admin/users")
    auth.post(f"/admin/users/{user.id}/active", {"active": "no"}, page="/admin/users")
    session.expire_all()
    user = session.get(User, user.id)
    assert (user.role, user.is_active) == (Role.LEAD, False)
    own = auth.post(f"/admin/users/{admin.id}/active", {"active": "no"}, page="/admin/users")
    assert own.status_code == 422 and "your own account" in own.get_data(as_text=True)
    demote = auth.post(f"/admin/users/{admin.id}/role", {"role": "employee"}, page="/admin/users")
    assert demote.status_code == 422


def test_deactivated_user_cannot_sign_in(client, session, admin, auth, make_user):
    other = make_user("gone@example.com")
    auth.post(f"/admin/users/{other.id}/active", {"active": "no"}, page="/admin/users")
    auth.logout()
    response = auth.login("gone@example.com")
    assert response.status_code != 303 or "/dashboard" not in response.headers.get("Location", "")


def test_user_search_returns_the_table_fragment(client, admin, make_user):
    make_user("zed@example.com", name="Zed Zebra")
    page = client.get("/admin/users?q=zebra", headers=HX).get_data(as_text=True)
    assert page.lstrip().startswith('<div id="user-table">') and "zed@example.com" in page
    assert "admin@example.com" not in page


def test_challenges_nav_entry_for_admins_only(client, admin, auth, make_user):
    assert 'href="/admin/challenges"' in client.get("/dashboard").get_data(as_text=True)
    make_user("e@example.com")
    auth.logout()
    auth.login("e@example.com")
    assert 'href="/admin/challenges"' not in client.get("/dashboard").get_data(as_text=True)
