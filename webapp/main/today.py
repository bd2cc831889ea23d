"""The "today" parts of the dashboard about my team: progress toward a team goal, and what the team did lately.

The team goal is the challenge's own configuration where it has one: the smallest "team reached N points"
badge the team has not earned yet (the admin chose those numbers). Without such a badge (or once every one
is reached) the goal is the next step of DEFAULT_GOAL_PER_MEMBER points per member of the team, so a big
team has a bigger goal and the bar always has somewhere to go.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ..models import Badge, Completion, Mission, MissionKind, PointEvent, PointReason, User
from ..play.leaderboards import TeamRow

DEFAULT_GOAL_PER_MEMBER = 50
RECENT_ACTIVITY = 5

REASON_WORDS = {
    PointReason.COMPLETION: "completed",
    PointReason.REFLECTION: "wrote a reflection",
    PointReason.KUDOS_RECEIVED: "received kudos",
    PointReason.ADJUSTMENT: "had points adjusted",
}


@dataclass(frozen=True)
class TeamGoal:
    points: int
    goal: int
    badge_name: str | None  # the badge the goal comes from, or None for the default rule
    per_member: int = DEFAULT_GOAL_PER_MEMBER

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.points / self.goal)) if self.goal else 100

    @property
    def to_go(self) -> int:
        return max(0, self.goal - self.points)


@dataclass(frozen=True)
class Activity:
    user_id: int
    name: str
    team_id: int
    what: str  # "completed", "wrote a reflection"...
    mission: str | None
    kind: MissionKind | None
    amount: int
    at: datetime


def team_goal(row: TeamRow, team_badges: list[Badge]) -> TeamGoal:
    """The goal of the team on `row` from the challenge's team-points badges, else the default rule."""
    thresholds = sorted((badge.params.get("threshold"), badge.name) for badge in team_badges
                        if isinstance(badge.params, dict) and isinstance(badge.params.get("threshold"), int))
    for threshold, name in thresholds:
        if threshold > row.points:
            return TeamGoal(row.points, threshold, name)
    step = DEFAULT_GOAL_PER_MEMBER * max(1, row.members)
    return TeamGoal(row.points, step * (row.points // step + 1), None)


def recent_activity(session: Session, pairs: list[tuple[int, int]], limit: int = RECENT_ACTIVITY) -> list[Activity]:
    """The latest point events of each (challenge, team) in `pairs`, newest first: one statement."""
    if not pairs:
        return []
    from sqlalchemy import and_, or_

    rows = session.exec(
        select(PointEvent.user_id, User.display_name, PointEvent.team_id, PointEvent.reason, Mission.title,
               Mission.kind, PointEvent.amount, PointEvent.created_at)
        .join(User, User.id == PointEvent.user_id)
        .outerjoin(Completion, and_(PointEvent.source_type == "completion", Completion.id == PointEvent.source_id))
        .outerjoin(Mission, Mission.id == Completion.mission_id)
        .where(or_(*(and_(PointEvent.challenge_id == challenge_id, PointEvent.team_id == team_id)
                     for challenge_id, team_id in pairs)))
        .order_by(col(PointEvent.created_at).desc(), col(PointEvent.id).desc()).limit(limit)).all()
    return [Activity(user_id, name, team_id, REASON_WORDS.get(reason, "earned points"), title, kind, amount, at)
            for user_id, name, team_id, reason, title, kind, amount, at in rows]
