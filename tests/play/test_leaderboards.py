"""Leaderboards: teams normalised by active members; individuals in full, anonymous and relative modes."""
from __future__ import annotations

import pytest

from webapp.models import LeaderboardMode, PointReason
from webapp.play.leaderboards import BoardCache, individual_board, individual_standings, team_standings
from webapp.play.ledger import record_points


def give(world, session, user, team, amount, source_id):
    record_points(session, user_id=user.id, team_id=world.team(team).id, challenge_id=world.challenge.id,
                  amount=amount, reason=PointReason.ADJUSTMENT, source_type="test", source_id=source_id)
    session.commit()


def test_small_team_is_not_outscored_by_headcount(world, session):
    big = [world.player(f"big{n}@example.com", team="red") for n in range(4)]
    small = world.player("solo@example.com", team="blue")
    for number, user in enumerate(big):
        give(world, session, user, "red", 20, number)  # 80 points, 4 active: 20 each
    give(world, session, small, "blue", 30, 99)  # 30 points, 1 active
    rows = team_standings(session, world.challenge.id)
    assert [(r.rank, r.name, r.points, r.active_members, r.score) for r in rows] == [
        (1, "Blue", 30, 1, 30.0), (2, "Red", 80, 4, 20.0)]


def test_enrolled_members_without_points_are_not_active(world, session):
    ada = world.player("ada@example.com", team="red")
    world.player("idle@example.com", team="red")
    give(world, session, ada, "red", 10, 1)
    red = next(row for row in team_standings(session, world.challenge.id) if row.name == "Red")
    # 10 points over 2 members, times (1 + 1/2) / 2 for one of the two active.
    assert (red.active_members, red.members, float(red.score)) == (1, 2, 3.8)


def test_team_with_no_active_members_scores_zero(world, session):
    world.player("ada@example.com", team="red")
    rows = team_standings(session, world.challenge.id)
    assert {(row.name, row.score, row.active_members) for row in rows} == {("Red", 0.0, 0), ("Blue", 0.0, 0)}
    assert [row.rank for row in rows] == [1, 1]  # a tie shares its rank


@pytest.fixture
def five_players(world, session):
    players = []
    for number, points in enumerate([50, 40, 30, 20, 10]):
        user = world.player(f"p{number}@example.com", team="red", name=f"Player {number}")
        give(world, session, user, "red", points, number)
        players.append(user)
    return players


def test_full_board_shows_everyone_by_points(world, session, five_players):
    rows = individual_board(individual_standings(session, world.challenge.id), LeaderboardMode.FULL, five_players[2].id)
    assert [(r.rank, r.name, r.points, r.is_me) for r in rows] == [
        (1, "Player 0", 50, False), (2, "Player 1", 40, False), (3, "Player 2", 30, True),
        (4, "Player 3", 20, False), (5, "Player 4", 10, False)]


def test_anonymous_board_hides_names_except_mine(world, session, five_players):
    rows = individual_board(individual_standings(session, world.challenge.id), LeaderboardMode.ANONYMOUS,
                            five_players[2].id)
    assert [r.name for r in rows] == ["Anonymous participant"] * 2 + ["Player 2"] + ["Anonymous participant"] * 2
    assert [r.points for r in rows] == [50, 40, 30, 20, 10]
    assert all(r.user_id == 0 and r.team == "" and r.team_id == 0 for r in rows if not r.is_me)  # no team colour either
    assert [r.team_id != 0 for r in rows] == [False, False, True, False, False]


def test_relative_board_shows_me_and_my_neighbours_only(world, session, five_players):
    standings = individual_standings(session, world.challenge.id)
    last = individual_board(standings, LeaderboardMode.RELATIVE, five_players[4].id)
    assert [r.name for r in last] == ["Player 2", "Player 3", "Player 4"]
    first = individual_board(standings, LeaderboardMode.RELATIVE, five_players[0].id)
    assert [r.name for r in first] == ["Player 0", "Player 1", "Player 2"]


def test_relative_board_is_empty_for_someone_not_playing(world, session, five_players, make_user):
    outsider = make_user("admin@example.com")
    assert individual_board(individual_standings(session, world.challenge.id), LeaderboardMode.RELATIVE,
                            outsider.id) == []


def test_board_page_polls_and_shows_the_mode(world, session, client, auth, five_players):
    world.challenge.leaderboard_mode = LeaderboardMode.ANONYMOUS
    session.add(world.challenge)
    session.commit()
    auth.login("p1@example.com")
    page = client.get(f"/play/challenges/{world.challenge.id}/leaderboard").get_data(as_text=True)
    assert 'hx-trigger="every 10s"' in page and "Player 1 (you)" in page and "Player 0" not in page
    fragment = client.get(f"/play/challenges/{world.challenge.id}/leaderboard", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="boards"')


def test_cached_board_shows_new_points_at_the_next_refresh(world, session, five_players):
    cache = BoardCache()
    compute = lambda: team_standings(session, world.challenge.id)  # noqa: E731
    before = cache.get(session, "teams", world.challenge.id, compute)
    assert cache.get(session, "teams", world.challenge.id, compute) is before
    give(world, session, five_players[0], "red", 5, 100)
    after = cache.get(session, "teams", world.challenge.id, compute)
    assert after is not before and after[0].points == before[0].points + 5


def test_points_written_by_another_process_show_once_the_marker_is_looked_up_again(world, session, five_players):
    """Another web process or a worker adds points without this process knowing: the cached board
    notices once its marker is older than `marker_ttl`, not later."""
    from sqlalchemy import text

    cache = BoardCache(marker_ttl=60)
    compute = lambda: team_standings(session, world.challenge.id)  # noqa: E731
    before = cache.get(session, "teams", world.challenge.id, compute)
    red = world.team("red")
    # Plain SQL on its own connection: no ORM event of this process sees it, as with another process.
    with session.get_bind().begin() as elsewhere:
        elsewhere.execute(text(
            "INSERT INTO point_event (user_id, team_id, challenge_id, amount, reason, source_type, source_id, "
            "created_at) VALUES (:user, :team, :challenge, 7, 'adjustment', 'elsewhere', 1, CURRENT_TIMESTAMP)"),
            {"user": five_players[0].id, "team": red.id, "challenge": world.challenge.id})
    assert cache.get(session, "teams", world.challenge.id, compute) is before  # marker still fresh: cached
    session.rollback()  # a new transaction, so PostgreSQL shows the newer snapshot
    cache.marker_ttl = 0  # as if the marker's time had run out
    after = cache.get(session, "teams", world.challenge.id, compute)
    assert next(r.points for r in after if r.name == "Red") == next(r.points for r in before if r.name == "Red") + 7


def test_a_person_who_hides_their_name_is_anonymous_to_others_but_not_to_themselves(world, session, five_players):
    hider = five_players[1]
    hider.show_on_leaderboards = False
    session.add(hider)
    session.commit()
    standings = individual_standings(session, world.challenge.id)
    seen_by_other = individual_board(standings, LeaderboardMode.FULL, five_players[0].id)
    assert [r.name for r in seen_by_other] == ["Player 0", "Anonymous participant", "Player 2", "Player 3", "Player 4"]
    assert seen_by_other[1].user_id == 0 and seen_by_other[1].team == "" and seen_by_other[1].points == 40
    assert seen_by_other[1].team_id == 0 and seen_by_other[0].team_id != 0  # the team's colour would give it away
    seen_by_self = individual_board(standings, LeaderboardMode.FULL, hider.id)
    assert seen_by_self[1].name == "Player 1" and seen_by_self[1].is_me


def test_hiding_my_name_on_my_profile_shows_on_the_board_at_once(world, app, client, auth, five_players):
    from ..conftest import PASSWORD, csrf_token

    board = f"/play/challenges/{world.challenge.id}/leaderboard"
    watcher = app.test_client()
    watcher.post("/login", data={"email": "p0@example.com", "password": PASSWORD, "csrf_token": csrf_token(watcher)})
    assert "Player 1" in watcher.get(board).get_data(as_text=True)  # computed and cached
    auth.login("p1@example.com")
    response = client.post("/profile", data={"display_name": "Player 1", "timezone": "UTC",
                                             "csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 303
    page = watcher.get(board).get_data(as_text=True)
    assert "Player 1" not in page and "Anonymous participant" in page
    assert "Player 1 (you)" in client.get(board).get_data(as_text=True)


def _highlighted_team(page: str) -> list[str]:
    """Names of the team-board rows marked as the viewer's (highlighted, pinned, announced)."""
    import re

    board = page.split('id="team-board"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-team="\d+" class="me pinned" aria-current="true">.*?</tr>', board, re.S)
    return [re.search(r"</span>([^<]+)<span class=\"your-team\"[^>]*> \(your team\)</span>", row).group(1)
            for row in rows]


def test_my_team_is_highlighted_and_pinned_also_from_the_board_cache(world, app, client, auth):
    """The team board is rendered once for everyone and cached: each viewer still sees their own team marked."""
    from ..conftest import PASSWORD, csrf_token

    red, blue = world.player("red@example.com", team="red"), world.player("blue@example.com", team="blue")
    give(world, world.session, red, "red", 30, 1)
    give(world, world.session, blue, "blue", 10, 2)
    board = f"/play/challenges/{world.challenge.id}/leaderboard"
    auth.login("red@example.com")
    assert _highlighted_team(client.get(board).get_data(as_text=True)) == ["Red"]  # computes and caches
    other = app.test_client()
    other.post("/login", data={"email": "blue@example.com", "password": PASSWORD, "csrf_token": csrf_token(other)})
    cache = app.extensions["learnloop_board_cache"]
    cached = dict(cache._entries)
    assert _highlighted_team(other.get(board).get_data(as_text=True)) == ["Blue"]
    assert _highlighted_team(other.get(board, headers={"HX-Request": "true"}).get_data(as_text=True)) == ["Blue"]
    assert cache._entries == cached  # served from the cache, not recomputed
    assert _highlighted_team(client.get(board).get_data(as_text=True)) == ["Red"]


def test_tied_teams_share_the_place_and_the_medal_on_the_podium(world, session, client, auth):
    import re

    red, blue = world.player("red@example.com", team="red"), world.player("blue@example.com", team="blue")
    give(world, session, red, "red", 20, 1)
    give(world, session, blue, "blue", 20, 2)
    auth.login("red@example.com")
    page = client.get(f"/play/challenges/{world.challenge.id}/leaderboard").get_data(as_text=True)
    podium = page.split('class="podium"', 1)[1].split("</ol>", 1)[0]
    places = re.findall(r'data-slot="(\d)" data-medal="(\d)"><span class="place">(.*?)</span><span class="team', podium)
    assert [(slot, medal) for slot, medal, _ in places] == [("1", "1"), ("2", "1")]
    assert all("#trophy" in label and "(tied)" in label for _, _, label in places)
