"""What a player sees of their own progress: points, level, streak, badges, missions still open."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from ..models import (
    Badge,
    BadgeAward,
    Challenge,
    Completion,
    CompletionStatus,
    Enrolment,
    Mission,
    Notification,
    Team,
    User,
)
from .access import challenge_teams_of, enrolment_of
from .approvals import my_open_completions, unseen_approvals
from .levels import Level, level_for
from .ledger import user_points
from .skill_xp import SkillGrowth, skill_growth
from .streaks import last_week, played_days, streak_from


def new_form_key() -> str:
    """A fresh idempotency key for one rendered completion form."""
    return secrets.token_urlsafe(24)


@dataclass
class Progress:
    points: int  # in the challenge, or overall when no challenge is given
    xp: int
    level: Level
    streak: int
    badges: list[tuple[Badge, BadgeAward]] = field(default_factory=list)
    week: list[tuple[date, bool]] = field(default_factory=list)  # the last seven local days, played or not

    @property
    def streak_at_risk(self) -> bool:
        """A streak that ends tonight unless the person plays today."""
        return self.streak > 0 and bool(self.week) and not self.week[-1][1]


@dataclass
class MissionCard:
    mission: Mission
    done: int  # completions that count (approved)
    form_key: str
    last_done_at: datetime | None = None
    waiting: int = 0  # completions waiting for a lead, or sent back to me: they use up the limit, count nothing yet

    @property
    def limit_reached(self) -> bool:
        return self.mission.max_completions is not None and self.done + self.waiting >= self.mission.max_completions


@dataclass
class ChallengePage:
    challenge: Challenge
    enrolment: Enrolment | None
    team: Team | None
    join_teams: list[Team]
    progress: Progress
    missions: list[MissionCard]
    # Evidence of mine waiting for a lead or sent back to me; approvals I have not seen yet; my skills.
    open_completions: list[tuple[Completion, Mission]] = field(default_factory=list)
    celebrations: list[Notification] = field(default_factory=list)
    skills: list[SkillGrowth] = field(default_factory=list)


def earned_badges(session: Session, user: User, challenge_id: int | None = None, limit: int | None = None):
    """Badges awarded to the user or to a team they played with (team badges are shown to members)."""
    team_ids = select(Enrolment.team_id).where(Enrolment.user_id == user.id)
    query = (select(Badge, BadgeAward).join(BadgeAward, BadgeAward.badge_id == Badge.id)
             .where(or_(BadgeAward.user_id == user.id, col(BadgeAward.team_id).in_(team_ids)))
             .order_by(col(BadgeAward.awarded_at).desc(), col(BadgeAward.id).desc()))
    if challenge_id is not None:
        query = query.where(BadgeAward.challenge_id == challenge_id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def progress_of(session: Session, user: User, challenge_id: int | None = None, badge_limit: int | None = 6,
                xp: int | None = None) -> Progress:
    """`xp`: the user's total points when the caller already knows them (a completion just counted them)."""
    xp = user_points(session, user.id) if xp is None else xp
    points = xp if challenge_id is None else user_points(session, user.id, challenge_id)
    days, today = played_days(session, user, challenge_id)
    return Progress(points=points, xp=xp, level=level_for(xp), streak=streak_from(days, today),
                    badges=earned_badges(session, user, challenge_id, badge_limit), week=last_week(days, today))


def mission_cards(session: Session, user: User, missions: list[Mission]) -> list[MissionCard]:
    ids = [mission.id for mission in missions]
    counts = {mission_id: (int(done), last, int(waiting)) for mission_id, done, waiting, last in session.exec(
        select(Completion.mission_id, *_done_and_waiting(), func.max(Completion.created_at))
        .where(Completion.user_id == user.id, col(Completion.mission_id).in_(ids))
        .group_by(Completion.mission_id))} if ids else {}
    cards = []
    for mission in missions:
        done, last, waiting = counts.get(mission.id, (0, None, 0))
        cards.append(MissionCard(mission, done, new_form_key(), last, waiting))
    return cards


def _done_and_waiting() -> tuple:
    approved = Completion.status == CompletionStatus.APPROVED
    return (func.sum(case((approved, 1), else_=0)).label("done"),
            func.sum(case((approved, 0), else_=1)).label("waiting"))


def mission_cards_of(session: Session, user: User, *where, order_by=()) -> list[MissionCard]:
    """Cards for the missions matching `where`, with my counts joined in: one statement."""
    mine = (select(Completion.mission_id, *_done_and_waiting(), func.max(Completion.created_at).label("last"))
            .where(Completion.user_id == user.id).group_by(Completion.mission_id).subquery())
    rows = session.exec(select(Mission, mine.c.done, mine.c.last, mine.c.waiting)
                        .outerjoin(mine, mine.c.mission_id == Mission.id).where(*where).order_by(*order_by)).all()
    return [MissionCard(mission, int(done or 0), new_form_key(), last, int(waiting or 0))
            for mission, done, last, waiting in rows]


def challenge_page(session: Session, user: User, challenge: Challenge) -> ChallengePage:
    enrolment = enrolment_of(session, user, challenge.id)
    return ChallengePage(
        challenge=challenge,
        enrolment=enrolment,
        team=session.get(Team, enrolment.team_id) if enrolment else None,
        join_teams=[] if enrolment else challenge_teams_of(session, user, challenge.id),
        progress=progress_of(session, user, challenge.id, badge_limit=None),
        missions=mission_cards_of(session, user, Mission.challenge_id == challenge.id, col(Mission.retired_at).is_(None),
                                  order_by=(Mission.position, Mission.id)),
        open_completions=my_open_completions(session, user, challenge.id) if enrolment else [],
        celebrations=unseen_approvals(session, user),
        skills=skill_growth(session, user.id, challenge.id) if enrolment else [],
    )
