"""The demo shows the product alive: people start with the badges their history earned (the next completion
does not award a pile at once), someone is on a streak, and the lead has a draft summary to review."""
from __future__ import annotations

from sqlmodel import func, select

from webapp.demo import load_demo
from webapp.models import BadgeAward, LessonSummary, SummaryStatus, User
from webapp.play.streaks import streak_days


def test_demo_history_has_earned_badges_and_a_streak(session):
    load_demo(session)
    awards = session.exec(select(func.count()).select_from(BadgeAward)).one()
    assert awards > 0
    people = session.exec(select(User)).all()
    assert max(streak_days(session, person) for person in people) >= 2


def test_the_lead_has_one_draft_summary_to_review(session):
    load_demo(session)
    drafts = session.exec(select(LessonSummary).where(LessonSummary.status == SummaryStatus.DRAFT)).all()
    assert len(drafts) == 1
