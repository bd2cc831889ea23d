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


def test_after_start_up_the_lead_reviews_one_draft_and_the_library_has_lessons(session):
    """`make run` loads the demo, then the worker ticks and runs what the tick queued: the cadence step must
    find the demo's draft already there (it used to write a second draft of the same reflections)."""
    from workers.periodic import run_tick
    from workers.runner import run_outbox_job

    from webapp.models import Lesson, OutboxJob, Team
    from webapp.summaries.queries import review_queue

    load_demo(session)
    run_tick(session)
    url = session.get_bind().url.render_as_string(hide_password=False)
    for job_id in session.exec(select(OutboxJob.id).where(OutboxJob.status == "pending")).all():
        run_outbox_job(job_id, url)
    session.expire_all()
    platform = session.exec(select(Team).where(Team.slug == "platform")).one()
    drafts = session.exec(select(LessonSummary).where(LessonSummary.team_id == platform.id,
                                                      LessonSummary.status == SummaryStatus.DRAFT)).all()
    assert len(drafts) == 1
    lead = session.exec(select(User).where(User.email == "lead@example.com")).one()
    queue = review_queue(session, lead, "draft")
    assert [row.summary.id for row in queue.rows] == [drafts[0].id]
    published = session.exec(select(func.count()).select_from(Lesson)).one()
    assert published >= 1


def test_the_six_demo_teams_wear_six_different_colours_on_the_board(client, session):
    import re

    from webapp.models import Challenge

    from .conftest import csrf_token

    load_demo(session)
    challenge = session.exec(select(Challenge)).first()
    client.post("/login", data={"email": "employee@example.com", "password": "learnloop",
                                "csrf_token": csrf_token(client, "/login")})
    page = client.get(f"/play/challenges/{challenge.id}/leaderboard").get_data(as_text=True)
    board = page.split('id="team-board"', 1)[1].split("</table>", 1)[0]
    colours = re.findall(r'<tr data-team="\d+"[^>]*><td>\d+</td><th scope="row"><span class="team-avatar (team-c\d)"', board)
    assert len(colours) == 6 and len(set(colours)) == 6
