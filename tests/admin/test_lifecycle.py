"""A challenge moves draft -> published -> running -> closed -> archived, by hand and by the clock."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.challenges import lifecycle
from webapp.problems import Invalid
from webapp.main.dashboard import dashboard_for
from webapp.models import ChallengeStatus, Enrolment, Notification, OutboxJob, Role, Team, utcnow
from webapp import jobs
from workers import periodic
from workers.challenge_close import notify_participants, run_end_of_challenge


def team(session, slug="platform") -> Team:
    return session.exec(select(Team).where(Team.slug == slug)).one()


def test_publishing_needs_a_team(session, make_challenge):
    challenge = make_challenge()
    with pytest.raises(Invalid, match="Add at least one team"):
        lifecycle.publish(session, challenge)


def test_publishing_needs_a_mission(session, make_user, make_challenge):
    make_user("e@example.com", team="platform")
    challenge = make_challenge(kinds=(), teams=[team(session)])
    with pytest.raises(Invalid, match="Add at least one mission"):
        lifecycle.publish(session, challenge)


def test_publishing_after_the_end_is_refused(session, make_user, make_challenge):
    make_user("e@example.com", team="platform")
    challenge = make_challenge(teams=[team(session)], starts_in=timedelta(days=-10), days=3)
    with pytest.raises(Invalid, match="end date has passed"):
        lifecycle.publish(session, challenge)


def test_published_challenge_shows_on_team_members_dashboard(session, make_user, make_challenge):
    employee = make_user("e@example.com", team="platform")
    outsider = make_user("o@example.com", team="mobile")
    challenge = make_challenge(teams=[team(session)])
    assert dashboard_for(session, employee).challenges == []
    lifecycle.publish(session, challenge)
    session.commit()
    assert challenge.status is ChallengeStatus.PUBLISHED
    assert [c.id for c in dashboard_for(session, employee).challenges] == [challenge.id]
    assert dashboard_for(session, outsider).challenges == []


def test_publishing_once_started_runs_at_once(session, make_user, make_challenge):
    make_user("e@example.com", team="platform")
    challenge = make_challenge(teams=[team(session)], starts_in=timedelta(hours=-1))
    lifecycle.publish(session, challenge)
    assert challenge.status is ChallengeStatus.RUNNING


def test_tick_starts_and_closes_on_the_clock(session, make_user, make_challenge):
    make_user("e@example.com", team="platform")
    challenge = make_challenge(teams=[team(session)], starts_in=timedelta(hours=1), days=2)
    lifecycle.publish(session, challenge)
    session.commit()
    assert lifecycle.advance_challenges(session, utcnow()) == 0
    assert lifecycle.advance_challenges(session, utcnow() + timedelta(hours=2)) == 1
    assert challenge.status is ChallengeStatus.RUNNING
    lifecycle.advance_challenges(session, utcnow() + timedelta(days=3))
    session.commit()
    assert challenge.status is ChallengeStatus.CLOSED
    lifecycle.advance_challenges(session, utcnow() + timedelta(days=4))  # a later tick changes nothing
    session.commit()
    jobs = session.exec(select(OutboxJob).where(OutboxJob.name == "challenges.closed")).all()
    assert [(job.key, job.payload) for job in jobs] == [(f"challenge-closed:{challenge.id}", {"challenge_id": challenge.id})]


def test_drafts_never_move_on_their_own(session, make_challenge):
    challenge = make_challenge(starts_in=timedelta(days=-1))
    lifecycle.advance_challenges(session, utcnow() + timedelta(days=30))
    assert challenge.status is ChallengeStatus.DRAFT


def test_tick_step_and_close_job_are_registered(session, make_challenge):
    assert lifecycle.advance_challenges in jobs.minute_steps()
    assert jobs.declared(lifecycle.CLOSED_JOB).run is run_end_of_challenge
    assert notify_participants in jobs.closing_steps()
    challenge = make_challenge(starts_in=timedelta(days=-1))
    challenge.status = ChallengeStatus.PUBLISHED
    session.commit()
    periodic.run_tick(session)
    assert challenge.status is ChallengeStatus.RUNNING


def test_closing_by_hand_ends_now_and_asks_for_the_end_of_challenge_work_once(session, make_user, make_challenge):
    make_user("e@example.com", team="platform")
    challenge = make_challenge(teams=[team(session)], starts_in=timedelta(hours=-1))
    lifecycle.publish(session, challenge)
    lifecycle.move(session, challenge, ChallengeStatus.CLOSED)
    session.commit()
    assert challenge.ends_at <= utcnow()
    with pytest.raises(Invalid, match="cannot become closed"):
        lifecycle.move(session, challenge, ChallengeStatus.CLOSED)
    lifecycle.move(session, challenge, ChallengeStatus.ARCHIVED)
    session.commit()
    assert session.exec(select(OutboxJob).where(OutboxJob.name == "challenges.closed")).one()


@pytest.mark.parametrize("start, to", [("draft", "running"), ("draft", "closed"), ("running", "draft"),
                                       ("closed", "running"), ("archived", "draft")])
def test_moves_outside_the_lifecycle_are_refused(session, make_challenge, start, to):
    challenge = make_challenge()
    challenge.status = ChallengeStatus(start)
    with pytest.raises(Invalid):
        lifecycle.move(session, challenge, ChallengeStatus(to))
    assert challenge.status.value == start


def test_close_job_notifies_each_participant_once(session, make_user, make_challenge):
    ada = make_user("ada@example.com", team="platform")
    bo = make_user("bo@example.com", team="platform")
    make_user("cy@example.com", team="platform")  # in the team but never enrolled
    platform = team(session)
    challenge = make_challenge(teams=[platform], starts_in=timedelta(hours=-1))
    for user in (ada, bo):
        session.add(Enrolment(challenge_id=challenge.id, user_id=user.id, team_id=platform.id))
    lifecycle.publish(session, challenge)
    lifecycle.close(session, challenge)
    session.commit()
    job = session.exec(select(OutboxJob).where(OutboxJob.name == "challenges.closed")).one()
    run_end_of_challenge(session, job=job, **job.payload)
    session.commit()
    run_end_of_challenge(session, job=job, **job.payload)  # a retry notifies nobody twice
    session.commit()
    notes = session.exec(select(Notification)).all()
    assert sorted(note.user_id for note in notes) == sorted([ada.id, bo.id])
    assert all(challenge.title in note.text for note in notes)


def test_close_job_runs_through_the_outbox_runner(session, database_url, make_user, make_challenge, settings):
    from workers.runner import run_outbox_job

    ada = make_user("ada@example.com", team="platform")
    platform = team(session)
    challenge = make_challenge(teams=[platform], starts_in=timedelta(hours=-1))
    session.add(Enrolment(challenge_id=challenge.id, user_id=ada.id, team_id=platform.id))
    lifecycle.publish(session, challenge)
    lifecycle.close(session, challenge)
    session.commit()
    job = session.exec(select(OutboxJob).where(OutboxJob.name == "challenges.closed")).one()
    assert run_outbox_job(job.id, database_url) == "done"
    session.expire_all()
    assert session.exec(select(Notification).where(Notification.user_id == ada.id)).one()


def test_status_buttons_on_the_page(client, session, admin, auth, make_user, make_challenge):
    make_user("e@example.com", team="platform")
    challenge = make_challenge()
    url = f"/admin/challenges/{challenge.id}"
    refused = auth.post(f"{url}/status", {"to": "published"}, page=url)
    assert refused.status_code == 422
    assert "Add at least one team" in refused.get_data(as_text=True)
    auth.post(f"{url}/teams", {"team_id": team(session).id}, page=url)
    response = auth.post(f"{url}/status", {"to": "published"}, page=url)
    assert response.status_code == 303
    session.expire_all()
    assert session.get(type(challenge), challenge.id).status is ChallengeStatus.PUBLISHED
    assert auth.post(f"{url}/status", {"to": "sideways"}, page=url).status_code == 422


def test_deleting_a_draft_with_missions_teams_and_badges_deletes_them_all(client, admin, auth, session, make_user,
                                                                          make_challenge):
    from webapp.models import Badge, BadgeRule, Challenge, ChallengeTeam, Mission

    make_user("e@example.com", team="platform")
    challenge = make_challenge(kinds=("learn", "share", "help"), teams=[team(session)])
    session.add(Badge(challenge_id=challenge.id, slug="first", name="First", rule=BadgeRule.MISSIONS_COMPLETED,
                      params={"threshold": 1}))
    session.commit()
    challenge_id = challenge.id
    # The admin opens the draft first, as they would before pressing Delete (it loads the missions).
    assert client.get(f"/admin/challenges/{challenge_id}").status_code == 200
    response = auth.post(f"/admin/challenges/{challenge_id}/delete", page=f"/admin/challenges/{challenge_id}")
    assert response.status_code == 303
    session.expunge_all()
    assert session.get(Challenge, challenge_id) is None
    for model in (Mission, ChallengeTeam, Badge):
        assert session.exec(select(model).where(model.challenge_id == challenge_id)).all() == []
