"""Who may see and move a team's lesson summary: a lead of the team, or an admin."""
from __future__ import annotations

from sqlmodel import Session

from ..models import LessonSummary, Role, User
from ..problems import NotFound
from ..reflection.queries import led_team_ids


class NotYourTeam(NotFound):
    """The user does not lead that team (or the team does not take part in that challenge).

    Answered 404 by the app, like any NotFound: a summary of another team is not shown to exist."""

    def __init__(self, ident: int):
        super().__init__()
        self.ident = ident


def check_lead(session: Session, user: User, team_id: int) -> None:
    """Raises NotYourTeam unless the user leads `team_id` (admins may act for any team)."""
    if user.role != Role.ADMIN and team_id not in led_team_ids(session, user.id):
        raise NotYourTeam(team_id)


def summary_for_lead(session: Session, user: User, summary_id: int) -> LessonSummary:
    """The summary, if `user` leads its team or is an admin (to review or retry it). Raises NotYourTeam."""
    summary = session.get(LessonSummary, summary_id)
    if summary is None:
        raise NotYourTeam(summary_id)
    check_lead(session, user, summary.team_id)
    return summary
