"""What a user's dashboard shows, computed from the database without a request."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_
from sqlmodel import Session, col, select

from ..models import (Badge, BadgeRule, Challenge, ChallengeStatus, ChallengeTeam, Enrolment, Membership, Mission,
                      Team, User)
from ..play.access import JOINABLE, VISIBLE
from ..play.leaderboards import TeamRow, team_standings
from ..play.progress import MissionCard, Progress, mission_cards_of, progress_of
from ..reflection.queries import PromptsPanel, prompts_for
from .today import Activity, TeamGoal, recent_activity, team_goal

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
    team_goals: dict[int, TeamGoal] = field(default_factory=dict)  # by challenge id
    activity: list[Activity] = field(default_factory=list)  # my teams' latest points in running challenges
    prompts: PromptsPanel = field(default_factory=PromptsPanel)


def dashboard_for(session: Session, user: User) -> DashboardView:
    # One statement for my teams, the visible challenges they take part in, and my enrolment in each.
    # The challenge's team-points badges come along (usually none to two a challenge): they set the team goal.
    rows = session.exec(
        select(Membership.is_lead, Team, Challenge, Enrolment.team_id, Badge)
        .join(Team, Team.id == Membership.team_id)
        .outerjoin(ChallengeTeam, ChallengeTeam.team_id == Membership.team_id)
        .outerjoin(Challenge, and_(Challenge.id == ChallengeTeam.challenge_id, col(Challenge.status).in_(VISIBLE)))
        .outerjoin(Enrolment, and_(Enrolment.challenge_id == Challenge.id, Enrolment.user_id == user.id))
        .outerjoin(Badge, and_(Badge.challenge_id == Challenge.id, Badge.rule == BadgeRule.TEAM_POINTS_REACHED,
                               col(Badge.retired_at).is_(None)))
        .where(Membership.user_id == user.id)).all()
    teams_by_id: dict[int, Team] = {}
    led_team_ids: set[int] = set()
    by_challenge: dict[int, Challenge] = {}
    enrolled: dict[int, int] = {}
    taking_part: dict[int, list[Team]] = {}
    goal_badges: dict[int, dict[int, Badge]] = {}
    for is_lead, team, challenge, enrolled_team_id, badge in rows:
        teams_by_id[team.id] = team
        if is_lead:
            led_team_ids.add(team.id)
        if challenge is None:
            continue
        by_challenge[challenge.id] = challenge
        if team not in taking_part.setdefault(challenge.id, []):
            taking_part[challenge.id].append(team)
        if badge is not None:
            goal_badges.setdefault(challenge.id, {})[badge.id] = badge
        if enrolled_team_id is not None:
            enrolled[challenge.id] = enrolled_team_id
    challenges = sorted(by_challenge.values(), key=lambda challenge: (challenge.starts_at, challenge.id))
    entries = [ChallengeEntry(challenge, teams_by_id.get(enrolled[challenge.id]) if challenge.id in enrolled else None,
                              sorted(taking_part.get(challenge.id, []), key=lambda team: team.name))
               for challenge in challenges]
    progress = progress_of(session, user, None, badge_limit=RECENT_BADGES)
    running = [c for c in challenges if c.id in enrolled and c.status == ChallengeStatus.RUNNING]
    team_ranks, team_goals = [], {}
    for challenge in running:
        board = team_standings(session, challenge.id)
        mine = next((row for row in board if row.team_id == enrolled[challenge.id]), None)
        if mine is not None:
            team_ranks.append((challenge, mine, len(board)))
            team_goals[challenge.id] = team_goal(mine, list(goal_badges.get(challenge.id, {}).values()))
    return DashboardView(
        user=user,
        teams=list(teams_by_id.values()),
        led_team_ids=led_team_ids,
        challenges=challenges,
        total_points=progress.points,
        entries=entries,
        progress=progress,
        team_ranks=team_ranks,
        team_goals=team_goals,
        activity=recent_activity(session, [(challenge.id, enrolled[challenge.id]) for challenge in running]),
        prompts=prompts_for(session, user.id),
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
