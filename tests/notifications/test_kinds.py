"""Each kind of notification reaches the person concerned once, also when its job runs twice."""
from __future__ import annotations

from webapp.challenges.lifecycle import close, publish
from webapp.models import (
    BadgeRule, Cadence, ChallengeStatus, Completion, JobStatus, MissionKind, Role,
)
from webapp.jobs import enqueue
from webapp.play.feed import give_feedback, give_kudos
from webapp.play.missions import complete_mission

from .conftest import notes


def test_play_events_notify_the_person_once_even_when_their_jobs_run_twice(
        session, world, run_jobs, run_notification_jobs_again):
    world.challenge.reflection_cadence = Cadence.AFTER_EACH
    session.add(world.challenge)
    mission = world.mission("read", points=60)  # 60 XP: from level 1 to level 2 (Explorer)
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first_step")
    ada, bea = world.player("ada@example.com"), world.player("bea@example.com")
    result = complete_mission(session, ada, mission.id, "Read the incident review.", None, "key-ada-1")
    session.commit()
    give_kudos(session, bea, "completion", result.completion.id)
    give_feedback(session, bea, "completion", result.completion.id, "Clear <b>write-up</b>, thanks!", "fb-1")
    session.commit()
    assert notes(session, ada) == []  # nothing is written in the request: a job does it

    statuses = run_jobs()
    assert statuses and set(statuses) == {JobStatus.DONE}
    first = {kind: [note.text for note in notes(session, ada, kind)]
             for kind in ("kudos", "feedback", "badge", "level", "prompt")}
    assert first == {
        "kudos": ["Bea gave you kudos (+2 points)."],
        "feedback": ["Bea gave you feedback: Clear <b>write-up</b>, thanks!"],
        "badge": ["Badge earned: First Step!"],
        "level": ["You reached level 2: Explorer!"],
        "prompt": ["A reflection prompt is waiting for you: what did you learn?"],
    }
    assert notes(session, bea) == []  # the giver is not told about their own kudos

    run_notification_jobs_again()
    assert {kind: [note.text for note in notes(session, ada, kind)] for kind in first} == first
    assert len(notes(session, ada)) == 5


def test_challenge_start_and_end_reach_the_teams_once(session, world, run_jobs, run_notification_jobs_again):
    ada = world.player("ada@example.com")
    carl = world.player("carl@example.com", team="blue", enrol=False)
    upcoming = world.make_challenge("tool-week", status=ChallengeStatus.DRAFT)
    world.mission("try", kind=MissionKind.EXPERIMENT, challenge=upcoming)
    publish(session, upcoming)  # starts_at is in the past: it runs at once
    session.commit()
    close(session, world.challenge)
    session.commit()
    run_jobs()
    run_notification_jobs_again()
    assert [note.text for note in notes(session, carl, "challenge_starting")] == [
        "“Tool Week” has started: join in and pick your first mission."]
    assert [note.text for note in notes(session, ada, "challenge_starting")] == [
        "“Tool Week” has started: join in and pick your first mission."]
    assert [note.link for note in notes(session, ada, "challenge_ending")] == ["/dashboard"]
    assert notes(session, carl, "challenge_ending") == []  # carl never took part in the closed one


def test_a_failed_job_tells_the_person_it_was_for(session, world, run_jobs, monkeypatch):
    from webapp.settings import get_settings

    monkeypatch.setenv("JOB_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    ada = world.player("ada@example.com")
    # A prompt for a period the job cannot read: it fails for good on its only attempt.
    enqueue(session, "reflection.prompt_for_period", "broken-prompt", user_id=ada.id, challenge_id=world.challenge.id,
            period="not-a-period")
    session.commit()
    statuses = run_jobs()
    assert JobStatus.FAILED in statuses
    [note] = notes(session, ada, "job_failed")
    assert note.text.startswith("Something you asked for could not be done:")
    assert note.link == "/reflection/prompts"


def test_approval_decisions_reach_the_person(session, world, make_user, run_jobs):
    from webapp.models import MissionApproval
    from webapp.play.approvals import approve, send_back

    mission = world.mission("talk", points=10, approval=MissionApproval.LEAD)
    ada = world.player("ada@example.com")
    lead = world.player("lead@example.com", lead=True, role=Role.LEAD)
    result = complete_mission(session, ada, mission.id, "Gave a talk.", None, "talk-1")
    session.commit()
    send_back(session, lead, result.completion.id, "Add the slides, please.")
    session.commit()
    completion = session.get(Completion, result.completion.id)
    completion.status = "pending"
    session.add(completion)
    session.commit()
    approve(session, lead, completion.id)
    session.commit()
    texts = [note.text for note in notes(session, ada, "approval_decided")]
    assert texts == ["Sent back with feedback: Talk. Add the slides, please.", "Approved: Talk, +10 points."]


def test_a_team_badge_reaches_every_member_once(session, world, run_jobs, run_notification_jobs_again):
    from webapp.models import BadgeScope

    mission = world.mission("read", points=30)
    world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 20}, slug="team_twenty", scope=BadgeScope.TEAM)
    ada, bea = world.player("ada@example.com"), world.player("bea@example.com")
    carl = world.player("carl@example.com", team="blue")
    complete_mission(session, ada, mission.id, "Read it.", None, "ada-team-1")
    session.commit()
    run_jobs()
    run_notification_jobs_again()
    for member in (ada, bea):
        assert [note.text for note in notes(session, member, "badge")] == ["Your team earned the badge Team Twenty!"]
    assert notes(session, carl, "badge") == []  # another team's member
