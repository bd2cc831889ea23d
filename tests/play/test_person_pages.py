"""A page per person: badges earned and locked, levels, points with reasons, reflections. Who may open whose
page follows who meets whom in the product, and a private reflection (a journal) never shows to anyone else."""
from __future__ import annotations

import pytest

from webapp.models import BadgeRule, LeaderboardMode, Reflection, Role, Visibility

from .test_leaderboards import give

SHARED = "Pairing beat debugging alone"
PRIVATE = "I was nervous asking for help"


@pytest.fixture
def ada(world, session):
    """Ada plays in Red with a badge, points and two reflections: one shared with Red, one private."""
    ada = world.player("ada@example.com", team="red", name="Ada Lovelace")
    world.badge(BadgeRule.POINTS_REACHED, {"threshold": 10}, slug="ten", icon="rocket")
    world.badge(BadgeRule.POINTS_REACHED, {"threshold": 1000}, slug="thousand")
    give(world, session, ada, "red", 30, 1)
    from webapp.play.badges import award_badges
    from webapp.play.events import PlayEvent, PlayEventKind

    award_badges(session, [PlayEvent(PlayEventKind.POINTS_RECORDED, ada.id, world.team("red").id, world.challenge.id)])
    for body, visibility in ((SHARED, Visibility.TEAM), (PRIVATE, Visibility.PRIVATE)):
        session.add(Reflection(user_id=ada.id, challenge_id=world.challenge.id, team_id=world.team("red").id,
                               body=body, visibility=visibility))
    session.commit()
    return ada


def _page(client, auth, email, person_id):
    auth.login(email)
    response = client.get(f"/play/people/{person_id}")
    return response.status_code, response.get_data(as_text=True)


def test_a_teammate_sees_badges_levels_points_and_shared_reflections_never_the_journal(world, ada, client, auth):
    world.player("bo@example.com", team="red", name="Bo")
    status, page = _page(client, auth, "bo@example.com", ada.id)
    assert status == 200 and "<h1>" in page and "Ada Lovelace" in page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    badges = page.split('id="badges-title"', 1)[1].split("</section>", 1)[0]
    assert "Ten" in badges and "Earned" in badges and "Thousand" in badges and "Locked" in badges
    assert "Level 1 · " in page and "+30" in page
    assert SHARED in page and PRIVATE not in page and "Journal" not in page


def test_my_own_page_marks_the_private_reflection_as_a_journal(world, ada, client, auth):
    auth.login("ada@example.com")
    assert client.get(f"/play/people/{ada.id}").headers["Location"].endswith("/play/points")
    page = client.get("/play/points").get_data(as_text=True)
    assert SHARED in page and PRIVATE in page and "Journal</strong> (only you see it)" in page


def test_someone_in_the_challenge_from_another_team_sees_the_page_without_red_reflections(world, ada, client, auth):
    world.player("eve@example.com", team="blue", name="Eve")
    status, page = _page(client, auth, "eve@example.com", ada.id)
    assert status == 200 and "Ada Lovelace" in page and "+30" in page
    assert SHARED not in page and PRIVATE not in page


def test_an_admin_sees_the_page_but_not_the_journal_nor_a_teams_reflections(world, ada, make_user, client, auth):
    make_user("root@example.com", role=Role.ADMIN)
    status, page = _page(client, auth, "root@example.com", ada.id)
    assert status == 200 and "Ada Lovelace" in page and PRIVATE not in page and SHARED not in page


def test_a_lead_of_another_team_sees_players_of_a_challenge_their_team_takes_part_in(world, ada, make_user, client, auth):
    make_user("lead@example.com", role=Role.LEAD, team="blue", lead=True)  # not enrolled, Blue takes part
    status, page = _page(client, auth, "lead@example.com", ada.id)
    assert status == 200 and PRIVATE not in page and SHARED not in page


@pytest.mark.parametrize("why", ["outsider", "anonymous board", "hides their name", "unknown"])
def test_people_who_do_not_meet_ada_get_not_found(world, ada, session, make_user, client, auth, why):
    if why == "outsider":
        make_user("out@example.com", team="green")  # a team not in the challenge
        viewer = "out@example.com"
    else:
        world.player("eve@example.com", team="blue", name="Eve")
        viewer = "eve@example.com"
    if why == "anonymous board":
        world.challenge.leaderboard_mode = LeaderboardMode.ANONYMOUS
        session.add(world.challenge)
    if why == "hides their name":
        ada.show_on_leaderboards = False
        session.add(ada)
    session.commit()
    status, page = _page(client, auth, viewer, ada.id if why != "unknown" else 999_999)
    assert status == 404 and "Ada" not in page and PRIVATE not in page


def test_a_teammate_still_sees_a_person_who_hides_their_name_on_boards(world, ada, session, client, auth):
    world.player("bo@example.com", team="red", name="Bo")
    ada.show_on_leaderboards = False
    session.add(ada)
    session.commit()
    status, page = _page(client, auth, "bo@example.com", ada.id)
    assert status == 200 and SHARED in page and PRIVATE not in page


def test_signed_out_visitors_are_sent_to_sign_in(ada, client):
    response = client.get(f"/play/people/{ada.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_board_rows_and_feed_names_link_to_the_persons_page(world, ada, session, client, auth):
    world.player("bo@example.com", team="red", name="Bo")
    auth.login("bo@example.com")
    board = client.get(f"/play/challenges/{world.challenge.id}/leaderboard").get_data(as_text=True)
    assert f'<a href="/play/people/{ada.id}">Ada Lovelace</a>' in board
    assert '<a href="/play/points">Bo (you)</a>' in board
    feed = client.get(f"/play/challenges/{world.challenge.id}/feed").get_data(as_text=True)
    assert f'<a href="/play/people/{ada.id}">Ada Lovelace</a>' in feed
