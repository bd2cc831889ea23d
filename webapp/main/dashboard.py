"""What a user's dashboard shows, computed from the database without a request."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_
from sqlmodel import Session, col, select

from ..models import Challenge, ChallengeStatus, ChallengeTeam, Enrolment, Membership, Mission, Team, User
from ..play.access import JOINABLE, VISIBLE
from ..play.leaderboards import TeamRow, team_standings
from ..play.progress import MissionCard, Progress, mission_cards_of, progress_of

NEXT_MISSIONS = 5
RECENT_BADGES = 5


@dataclass
class ChallengeEntry:
    challenge: Challenge
    enrolled_team: Team | None
    join_teams: list[Team]

    @property
    def joinable(self) -> bool:
        return self.enrolled_team is None and bool(self.join_teams) and self.challenge.status in JOINABLE


@dataclass
class DashboardView:
    user: User
    teams: list[Team] = field(default_factory=list)
    led_team_ids: set[int] = field(default_factory=set)
    challenges: list[Challenge] = field(default_factory=list)
    total_points: int = 0
    entries: list[ChallengeEntry] = field(default_factory=list)
    progress: Progress | None = None
    next_missions: list[tuple[Challenge, MissionCard]] = field(default_factory=list)
    # My team's row of each running challenge's team board (the board's own ranking), and how many teams play.
    team_ranks: list[tuple[Challenge, TeamRow, int]] = field(default_factory=list)


def dashboard_for(session: Session, user: User) -> DashboardView:
    # One statement for my teams, the visible challenges they take part in, and my enrolment in each.
    rows = session.exec(
        select(Membership.is_lead, Team, Challenge, Enrolment.team_id)
        .join(Team, Team.id == Membership.team_id)
        .outerjoin(ChallengeTeam, ChallengeTeam.team_id == Membership.team_id)
        .outerjoin(Challenge, and_(Challenge.id == ChallengeTeam.challenge_id, col(Challenge.status).in_(VISIBLE)))
        .outerjoin(Enrolment, and_(Enrolment.challenge_id == Challenge.id, Enrolment.user_id == user.id))
        .where(Membership.user_id == user.id)).all()
    teams_by_id: dict[int, Team] = {}
    led_team_ids: set[int] = set()
    by_challenge: dict[int, Challenge] = {}
    enrolled: dict[int, int] = {}
    taking_part: dict[int, list[Team]] = {}
    for is_lead, team, challenge, enrolled_team_id in rows:
        teams_by_id[team.id] = team
        if is_lead:
            led_team_ids.add(team.id)
        if challenge is None:
            continue
        by_challenge[challenge.id] = challenge
        taking_part.setdefault(challenge.id, []).append(team)
        if enrolled_team_id is not None:
            enrolled[challenge.id] = enrolled_team_id
    challenges = sorted(by_challenge.values(), key=lambda challenge: (challenge.starts_at, challenge.id))
    entries = [ChallengeEntry(challenge, teams_by_id.get(enrolled[challenge.id]) if challenge.id in enrolled else None,
                              sorted(taking_part.get(challenge.id, []), key=lambda team: team.name))
               for challenge in challenges]
    progress = progress_of(session, user, None, badge_limit=RECENT_BADGES)
    running = [c for c in challenges if c.id in enrolled and c.status == ChallengeStatus.RUNNING]
    team_ranks = []
    for challenge in running:
        board = team_standings(session, challenge.id)
        mine = next((row for row in board if row.team_id == enrolled[challenge.id]), None)
        if mine is not None:
            team_ranks.append((challenge, mine, len(board)))
    return DashboardView(
        user=user,
        teams=list(teams_by_id.values()),
        led_team_ids=led_team_ids,
        challenges=challenges,
        total_points=progress.points,
        entries=entries,
        progress=progress,
        team_ranks=team_ranks,
        next_missions=_next_missions(session, user, [c for c in challenges if c.id in enrolled
                                                     and c.status == ChallengeStatus.RUNNING]),
    )


def _next_missions(session: Session, user: User, running: list[Challenge]) -> list[tuple[Challenge, MissionCard]]:
    """Open missions of my running challenges, in the order the admin set, skipping those at their limit."""
    if not running:
        return []
    by_id = {challenge.id: challenge for challenge in running}
    cards = [card for card in mission_cards_of(
        session, user, col(Mission.challenge_id).in_(list(by_id)), col(Mission.retired_at).is_(None),
        order_by=(Mission.challenge_id, Mission.position, Mission.id)) if not card.limit_reached]
    return [(by_id[card.mission.challenge_id], card) for card in cards[:NEXT_MISSIONS]]
