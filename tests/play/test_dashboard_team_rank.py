"""The dashboard shows my team's place with the same ranking as the team board."""
from __future__ import annotations

from webapp.main.dashboard import dashboard_for
from webapp.play.leaderboards import team_standings

from .test_leaderboards import give


def test_dashboard_team_rank_is_the_boards(world, session):
    ada = world.player("ada@example.com", team="red")
    bo = world.player("bo@example.com", team="blue")
    give(world, session, ada, "red", 10, 1)
    give(world, session, bo, "blue", 30, 2)
    [(challenge, row, teams)] = dashboard_for(session, ada).team_ranks
    board = {r.team_id: r for r in team_standings(session, world.challenge.id)}
    assert challenge.id == world.challenge.id and teams == 2
    assert row == board[world.team("red").id] and row.rank == 2
