"""Leaderboards per challenge: teams normalised by their size, and individuals in the admin's mode.

"Active" member: someone enrolled with the team who has at least one point event in the challenge
with that team (points are only earned while enrolled, so the ledger alone tells). A team's score is
its points per member (everyone in the team, so a small team is not outscored by headcount) times a
participation factor, (1 + share of members active) / 2. Neither part can fall when a teammate joins
the challenge or earns points, so bringing people in never hurts the team (dividing by active members
did: a newcomer's first 10 points dropped their team from 5th to 6th). Totals are aggregated in SQL;
Python only ranks the aggregated rows.
"""
from __future__ import annotations

import threading
from time import monotonic
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time

from markupsafe import Markup
from sqlalchemy import event, func
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from ..db import AfterCommit
from ..models import (Challenge, ChallengeTeam, Enrolment, LeaderboardMode, Membership, PointEvent, Team, User,
                      utcnow)

TOP_ROWS = 20  # full and anonymous boards show the top of the board, plus your own row
NEIGHBOURS = 2  # relative board: this many above and below you


@dataclass(frozen=True)
class TeamRow:
    rank: int
    team_id: int
    name: str
    points: int
    active_members: int
    score: float  # points per member x participation factor, to one decimal
    members: int = 0  # people in the team (at least the active ones)
    previous_rank: int | None = None  # at the start of today (UTC): the board's movement since yesterday


@dataclass(frozen=True)
class PersonRow:
    rank: int
    user_id: int
    name: str  # already hidden ("Anonymous participant") where the mode says so
    team: str
    points: int
    is_me: bool
    previous_rank: int | None = None
    team_id: int = 0  # 0 where the mode hides who it is


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    name: str
    team: str
    points: int
    shows_name: bool = True  # the person's own choice (profile); the board's mode may hide names anyway
    previous_rank: int | None = None
    team_id: int = 0


class Standings(list[Standing]):
    """Standings best first, with each person's index, so finding a viewer's row is a look-up, not a scan
    of the whole board (a thousand rows, on every request)."""

    def __init__(self, rows):
        super().__init__(rows)
        self.index_of = {row.user_id: index for index, row in enumerate(self)}


def team_standings(session: Session, challenge_id: int, before: datetime | None = None) -> list[TeamRow]:
    """`before`: the board as it stood then (points recorded earlier only)."""
    when = [PointEvent.created_at < before] if before is not None else []
    per_member = (select(PointEvent.team_id, PointEvent.user_id, func.sum(PointEvent.amount).label("points"))
                  .where(PointEvent.challenge_id == challenge_id, *when)
                  .group_by(PointEvent.team_id, PointEvent.user_id).subquery())
    per_team = (select(per_member.c.team_id, func.sum(per_member.c.points).label("points"),
                       func.count().label("active"))
                .group_by(per_member.c.team_id).subquery())
    sizes = select(Membership.team_id, func.count().label("members")).group_by(Membership.team_id).subquery()
    rows = session.exec(
        select(Team.id, Team.name, func.coalesce(per_team.c.points, 0), func.coalesce(per_team.c.active, 0),
               func.coalesce(sizes.c.members, 0))
        .join(ChallengeTeam, ChallengeTeam.team_id == Team.id)
        .outerjoin(per_team, per_team.c.team_id == Team.id)
        .outerjoin(sizes, sizes.c.team_id == Team.id)
        .where(ChallengeTeam.challenge_id == challenge_id)).all()
    scored = []
    for team_id, name, points, active, members in rows:
        members = max(int(members), int(active))  # someone who left the team still counts where they played
        scored.append((team_id, name, int(points), int(active), fair_score(int(points), int(active), members), members))
    scored.sort(key=lambda row: (-row[4], -row[2], row[1]))
    return [TeamRow(rank, *row) for rank, row in _ranked(scored, key=lambda row: row[4])]


def fair_score(points: int, active: int, members: int) -> float:
    """Points per member times (1 + share of members active) / 2; 0 for a team with no members."""
    if members <= 0:
        return 0.0
    return round(points / members * (1 + active / members) / 2, 1)


def individual_standings(session: Session, challenge_id: int, before: datetime | None = None) -> Standings:
    """Every enrolled person with their points (0 if none yet), best first; `before`: as it stood then."""
    when = [PointEvent.created_at < before] if before is not None else []
    totals = (select(PointEvent.user_id, func.sum(PointEvent.amount).label("points"))
              .where(PointEvent.challenge_id == challenge_id, *when).group_by(PointEvent.user_id).subquery())
    points = func.coalesce(totals.c.points, 0)
    rows = session.exec(
        select(Enrolment.user_id, User.display_name, Team.name, points, User.show_on_leaderboards, Enrolment.team_id)
        .join(User, User.id == Enrolment.user_id).join(Team, Team.id == Enrolment.team_id)
        .outerjoin(totals, totals.c.user_id == Enrolment.user_id)
        .where(Enrolment.challenge_id == challenge_id)
        .order_by(points.desc(), User.display_name)).all()
    return Standings(Standing(rank, user_id, name, team, int(total), shows_name, team_id=team_id)
                     for rank, (user_id, name, team, total, shows_name, team_id) in _ranked(rows, key=lambda row: row[3]))


def individual_board(standings: Standings, mode: LeaderboardMode, viewer_id: int) -> list[PersonRow]:
    """What `viewer_id` may see of the standings under the challenge's leaderboard mode."""
    mine = standings.index_of.get(viewer_id)
    if mode == LeaderboardMode.RELATIVE:
        if mine is None:
            return []
        shown = standings[max(0, mine - NEIGHBOURS): mine + NEIGHBOURS + 1]
    else:
        shown = standings[:TOP_ROWS]
        if mine is not None and mine >= TOP_ROWS:
            shown = [*shown, standings[mine]]
    rows = []
    for row in shown:
        is_me = row.user_id == viewer_id
        hidden = (mode == LeaderboardMode.ANONYMOUS or not row.shows_name) and not is_me
        rows.append(PersonRow(rank=row.rank, user_id=row.user_id if not hidden else 0,
                              name="Anonymous participant" if hidden else row.name,
                              team="" if hidden else row.team, points=row.points, is_me=is_me,
                              previous_rank=row.previous_rank, team_id=0 if hidden else row.team_id))
    return rows


def viewer_team_id(people: list[PersonRow]) -> int | None:
    """The viewer's team in the challenge, from their own row of the individual board (None: not playing)."""
    return next((row.team_id for row in people if row.is_me), None)


def mark_my_team(team_board: Markup, team_id: int | None) -> Markup:
    """Highlight and pin the viewer's team in the rendered team board. The board is rendered once for
    everyone (and cached), so each row carries its team id and an empty "(your team)" tag; only the
    viewer's own row is switched on here, per request."""
    if not team_id:
        return team_board
    return Markup(str(team_board)
                  .replace(f'<tr data-team="{team_id}">', f'<tr data-team="{team_id}" class="me pinned" aria-current="true">')
                  .replace(f'<span class="your-team" data-team="{team_id}" hidden>',
                           f'<span class="your-team" data-team="{team_id}">')
                  .replace(f'<li class="podium-team" data-team="{team_id}"',
                           f'<li class="podium-team mine" data-team="{team_id}"'))


def _ranked(rows, key):
    """Competition ranking (1, 2, 2, 4) over rows already sorted best first."""
    rank, previous = 0, object()
    for position, row in enumerate(rows, start=1):
        if key(row) != previous:
            rank, previous = position, key(row)
        yield rank, row


class BoardCache:
    """Per-process memo of computed standings, reused while no point or enrolment was added.

    The marker is the newest ledger and enrolment ids (primary-key look-ups), so a new point shows
    on the next refresh; the age limit covers a transaction that commits an older id late. Under
    load the marker itself is looked up at most once per `marker_ttl` seconds in a process, unless
    this process wrote points or enrolments since: one's own completion shows at once, another
    process's within that second (the page polls every ten).
    """

    def __init__(self, max_age: float = 10.0, max_entries: int = 256, marker_ttl: float = 1.0):
        self.max_age = max_age
        self.max_entries = max_entries
        self.marker_ttl = marker_ttl
        self._entries: dict[tuple, tuple[tuple, float, object]] = {}
        self._marker: tuple[tuple, float, int] | None = None  # (marker, looked up at, local writes then)
        self._lock = threading.Lock()

    def marker(self, session: Session) -> tuple:
        """What the cached boards were computed from: look it up once per request, pass it to `get`."""
        now, writes = monotonic(), _local_writes.count
        known = self._marker
        if known is not None and known[2] == writes and now - known[1] < self.marker_ttl:
            return known[0]
        marker = tuple(session.exec(select(select(func.max(PointEvent.id)).scalar_subquery(),
                                           select(func.max(Enrolment.id)).scalar_subquery())).one())
        self._marker = (marker, now, writes)
        return marker

    def get(self, session: Session, name: str, challenge_id: int, compute: Callable[[], object],
            marker: tuple | None = None):
        marker = self.marker(session) if marker is None else marker
        key = (name, challenge_id)
        now = monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] == marker and now - entry[1] < self.max_age:
            return entry[2]
        value = compute()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (marker, now, value)
        return value


    def forget(self) -> None:
        """Drop every computed board: something the ledger marker does not see (a person's choice to hide
        their name) changed. Other processes' caches see it within `max_age`."""
        with self._lock:
            self._entries.clear()


class _WriteCounter:
    """Commits of this process that added points or enrolments: each makes every BoardCache look again.
    Counted at commit, not at insert, so a marker read in between cannot hide the new rows."""

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()
        self._rows_added = AfterCommit("board_rows_added", self._committed)

    def row_added(self, _mapper, _connection, target) -> None:
        session = object_session(target)
        if session is not None:
            self._rows_added.mark(session)

    def _committed(self) -> None:
        with self._lock:
            self.count += 1


_local_writes = _WriteCounter()
event.listen(PointEvent, "after_insert", _local_writes.row_added)
event.listen(Enrolment, "after_insert", _local_writes.row_added)


def boards_for(session: Session, challenge: Challenge, viewer: User, cache: BoardCache | None = None,
               present_teams: Callable[[list[TeamRow]], object] | None = None):
    """(team board, individual rows) as `viewer` sees them. The team board is the same for everyone, so
    `present_teams` (rendering it, say) runs once per change of the ledger, not once per viewer."""
    since = datetime.combine(utcnow().date(), time(), tzinfo=UTC)  # movement since yesterday: against today's start

    def teams():
        before = {row.team_id: row.rank for row in team_standings(session, challenge.id, since)}
        rows = [replace(row, previous_rank=before.get(row.team_id)) for row in team_standings(session, challenge.id)]
        return present_teams(rows) if present_teams is not None else rows

    def people():
        before = individual_standings(session, challenge.id, since)
        now = individual_standings(session, challenge.id)
        return Standings(replace(row, previous_rank=before[before.index_of[row.user_id]].rank
                                 if row.user_id in before.index_of else None) for row in now)

    if cache is not None:
        marker = cache.marker(session)
        team_rows = cache.get(session, "teams" if present_teams is None else "teams, presented", challenge.id,
                              teams, marker)
        standings = cache.get(session, "people", challenge.id, people, marker)
    else:
        team_rows, standings = teams(), people()
    return team_rows, individual_board(standings, challenge.leaderboard_mode, viewer.id)
