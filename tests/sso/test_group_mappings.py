"""Provider groups mapped to teams and roles: admins edit the mapping, each sign-in applies it."""
from __future__ import annotations

import pytest
from sqlmodel import select

from webapp.models import GroupMapping, Membership, Role, Team, User
from webapp.sso.group_mappings import apply_group_mappings

from ..conftest import csrf_token


@pytest.fixture
def teams(session):
    platform, data = Team(name="Platform", slug="platform"), Team(name="Data", slug="data")
    session.add_all([platform, data])
    session.commit()
    return platform, data


@pytest.fixture
def mapped(session, teams):
    platform, _ = teams
    session.add_all([
        GroupMapping(idp_group="engineering", team_id=platform.id, role=Role.EMPLOYEE),
        GroupMapping(idp_group="engineering-leads", team_id=platform.id, role=Role.LEAD),
        GroupMapping(idp_group="learnloop-admins", role=Role.ADMIN),
    ])
    session.commit()
    return teams


def _state(session, email):
    session.expire_all()
    user = session.exec(select(User).where(User.email == email)).one()
    teams = {team.slug: membership.is_lead for membership, team in session.exec(
        select(Membership, Team).join(Team).where(Membership.user_id == user.id)).all()}
    return user.role, teams


def test_groups_put_people_in_teams_and_roles_at_each_sign_in(sso, provider, subject, auth, session, mapped,
                                                              make_user):
    make_user("first-admin@corp.example", Role.ADMIN)  # so the person's admin role can be taken back
    email = f"{subject}@corp.example"

    def sign_in_with(groups):
        provider.set_user(subject, email=email, email_verified=True, groups=groups)
        assert sso.sign_in(subject).status_code == 303
        state = _state(session, email)
        auth.logout()
        return state

    assert sign_in_with(["engineering"]) == (Role.EMPLOYEE, {"platform": False})
    assert sign_in_with(["engineering", "engineering-leads"]) == (Role.LEAD, {"platform": True})
    assert sign_in_with(["learnloop-admins", "engineering"]) == (Role.ADMIN, {"platform": False})
    assert sign_in_with(["sales"]) == (Role.EMPLOYEE, {})


def test_teams_no_group_maps_to_are_left_as_admins_set_them(sso, provider, subject, auth, session, mapped):
    _, data = mapped
    email = f"{subject}@corp.example"
    provider.set_user(subject, email=email, email_verified=True, groups=["engineering"])
    sso.sign_in(subject)
    auth.logout()
    user = session.exec(select(User).where(User.email == email)).one()
    session.add(Membership(user_id=user.id, team_id=data.id))  # an admin added them by hand
    session.commit()
    provider.set_user(subject, email=email, email_verified=True, groups=[])
    sso.sign_in(subject)
    assert _state(session, email) == (Role.EMPLOYEE, {"data": False})


def test_without_admin_mappings_a_hand_made_admin_stays_admin(session, teams, make_user):
    platform, _ = teams
    session.add(GroupMapping(idp_group="engineering", team_id=platform.id, role=Role.EMPLOYEE))
    admin = make_user("boss@corp.example", Role.ADMIN)
    apply_group_mappings(session, admin, ("engineering",))
    session.commit()
    assert _state(session, "boss@corp.example") == (Role.ADMIN, {"platform": False})


def test_the_last_active_admin_is_not_demoted_by_a_missing_group(session, mapped, make_user):
    admin = make_user("only-admin@corp.example", Role.ADMIN)
    apply_group_mappings(session, admin, ())
    session.commit()
    assert _state(session, "only-admin@corp.example")[0] is Role.ADMIN
    make_user("other-admin@corp.example", Role.ADMIN)
    apply_group_mappings(session, admin, ())
    session.commit()
    assert _state(session, "only-admin@corp.example")[0] is Role.EMPLOYEE


# --- the admin page ----------------------------------------------------------------------------------------

@pytest.fixture
def admin_client(client, auth, make_user):
    make_user("admin@corp.example", Role.ADMIN)
    auth.login("admin@corp.example")
    return client


def test_admin_maps_a_group_to_a_team_and_sees_it(admin_client, session, teams):
    platform, _ = teams
    token = csrf_token(admin_client, "/admin/sso/groups")
    response = admin_client.post("/admin/sso/groups", data={"idp_group": " engineering ", "team_id": str(platform.id),
                                                            "role": "lead", "csrf_token": token})
    assert response.status_code == 303
    page = admin_client.get("/admin/sso/groups").get_data(as_text=True)
    assert "<code>engineering</code>" in page and "lead of the team" in page
    session.expire_all()
    [mapping] = session.exec(select(GroupMapping)).all()
    assert (mapping.idp_group, mapping.team_id, mapping.role) == ("engineering", platform.id, Role.LEAD)


@pytest.mark.parametrize(("form", "field_message"), [
    ({"idp_group": "", "team_id": "", "role": "employee"}, "is required"),
    ({"idp_group": "eng", "team_id": "", "role": "employee"}, "choose the team this group"),
    ({"idp_group": "eng", "team_id": "", "role": "lead"}, "choose the team this group"),
    ({"idp_group": "eng", "team_id": "9999", "role": "employee"}, "choose a team from the list"),
    ({"idp_group": "eng", "team_id": "", "role": "owner"}, "choose member, lead or admin"),
])
def test_bad_mapping_is_refused_beside_the_field_and_changes_nothing(admin_client, session, teams, form,
                                                                     field_message):
    token = csrf_token(admin_client, "/admin/sso/groups")
    response = admin_client.post("/admin/sso/groups", data={**form, "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_message in page
    assert f'value="{form["idp_group"]}"' in page  # the input is kept
    session.expire_all()
    assert session.exec(select(GroupMapping)).all() == []


def test_a_bad_mapping_sent_by_htmx_comes_back_as_the_form_with_its_error(admin_client, session, teams):
    """The form posts with htmx: its fragment alone is rendered (it was a 500 when the block lacked its macros)."""
    token = csrf_token(admin_client, "/admin/sso/groups")
    response = admin_client.post("/admin/sso/groups", data={"idp_group": "eng", "team_id": "", "role": "employee",
                                                            "csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<form id="mapping-form"')
    assert "choose the team this group" in fragment and 'name="csrf_token"' in fragment


def test_the_same_mapping_twice_is_refused(admin_client, session, teams):
    platform, _ = teams
    data = {"idp_group": "engineering", "team_id": str(platform.id), "role": "employee"}
    token = csrf_token(admin_client, "/admin/sso/groups")
    assert admin_client.post("/admin/sso/groups", data={**data, "csrf_token": token}).status_code == 303
    again = admin_client.post("/admin/sso/groups", data={**data, "csrf_token": token})
    assert again.status_code == 422
    assert "already mapped" in again.get_data(as_text=True)


def test_admin_removes_a_mapping(admin_client, session, mapped):
    mapping = session.exec(select(GroupMapping).where(GroupMapping.idp_group == "engineering")).one()
    token = csrf_token(admin_client, "/admin/sso/groups")
    assert admin_client.post(f"/admin/sso/groups/{mapping.id}/remove", data={"csrf_token": token}).status_code == 303
    session.expire_all()
    assert "engineering" not in {row.idp_group for row in session.exec(select(GroupMapping)).all()}
    assert admin_client.post("/admin/sso/groups/99999/remove", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(("claims", "groups", "verified"), [
    ({"groups": ["a", "b"], "email_verified": True}, ("a", "b"), True),
    ({"groups": "a", "email_verified": "true"}, ("a",), True),
    ({"groups": {"odd": "shape"}, "email_verified": "yes"}, (), False),
    ({}, (), False),
])
def test_provider_claims_are_read_defensively(claims, groups, verified):
    from webapp.sso.identities import ProviderIdentity

    identity = ProviderIdentity.from_claims({"iss": "https://idp.example", "sub": "42", "email": " A@B.example",
                                             **claims})
    assert (identity.groups, identity.email_verified, identity.email) == (groups, verified, "a@b.example")
