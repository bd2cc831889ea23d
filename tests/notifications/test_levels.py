""""Level reached" comes from the ledger: whatever paid the points, each level is told once."""
from __future__ import annotations

from webapp.models import MissionApproval, PromptStatus, ReflectionPrompt, Role, Visibility
from webapp.play.adjustments import adjust_points
from webapp.play.approvals import approve
from webapp.play.feed import give_kudos
from webapp.play.missions import complete_mission
from webapp.reflection.answers import answer_prompt

from .conftest import notes

EXPLORER = "You reached level 2: Explorer!"  # at 50 XP
PRACTITIONER = "You reached level 3: Practitioner!"  # at 150 XP


def levels(session, user) -> list[str]:
    return [note.text for note in notes(session, user, "level")]


def test_kudos_over_a_level_tells_once_however_often_it_is_crossed(
        session, world, make_user, run_jobs, run_notification_jobs_again):
    ada, bea = world.player("ada@example.com"), world.player("bea@example.com")
    done = complete_mission(session, ada, world.mission("read", points=48).id, "Read the review.", None, "ada-1")
    session.commit()
    run_jobs()
    assert levels(session, ada) == []  # 48 XP: still level 1

    give_kudos(session, bea, "completion", done.completion.id)  # +2: 50 XP
    session.commit()
    run_jobs()
    assert levels(session, ada) == [EXPLORER]

    give_kudos(session, bea, "completion", done.completion.id)  # the same kudos again: no points, no news
    session.commit()
    run_jobs()
    run_notification_jobs_again()
    assert levels(session, ada) == [EXPLORER]

    # Dropped below the level by a correction and crossing it again: the level was reached already.
    admin = make_user("admin@example.com", role=Role.ADMIN)
    adjust_points(session, admin, ada, world.challenge.id, "-10", "Counted twice")
    session.commit()
    carl = world.player("carl@example.com")
    give_kudos(session, carl, "completion", done.completion.id)  # 42 XP
    adjust_points(session, admin, ada, world.challenge.id, "8", "Helped at the meetup")  # 50 XP
    session.commit()
    run_jobs()
    assert levels(session, ada) == [EXPLORER]


def test_a_reflection_and_an_admin_adjustment_each_reach_a_level(session, world, make_user, run_jobs):
    ada = world.player("ada@example.com")
    done = complete_mission(session, ada, world.mission("read", points=45).id, "Read the review.", None, "ada-1")
    prompt = ReflectionPrompt(work_key="level-prompt", user_id=ada.id, challenge_id=world.challenge.id,
                              completion_id=done.completion.id, status=PromptStatus.READY, text="What happened?")
    session.add(prompt)
    session.commit()
    answer_prompt(session, ada, prompt.id, "I learned to read the review before the meeting.", Visibility.TEAM)
    session.commit()  # +10 for the reflection: 55 XP
    run_jobs()
    assert levels(session, ada) == [EXPLORER]

    admin = make_user("admin@example.com", role=Role.ADMIN)
    adjust_points(session, admin, ada, world.challenge.id, "100", "Ran the workshop")  # 155 XP
    session.commit()
    run_jobs()
    assert levels(session, ada) == [EXPLORER, PRACTITIONER]


def test_a_completion_or_an_approval_crossing_a_level_tells_once(
        session, world, run_jobs, run_notification_jobs_again):
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    complete_mission(session, ada, world.mission("read", points=60).id, "Read the review.", None, "ada-1")
    session.commit()
    complete_mission(session, ada, world.mission("write", points=5).id, "Wrote a note.", None, "ada-2")  # 65 XP
    session.commit()
    run_jobs()
    run_notification_jobs_again()
    assert levels(session, ada) == [EXPLORER]

    talk = world.mission("talk", points=50, approval=MissionApproval.LEAD)
    lead = world.player("lead@example.com", lead=True, role=Role.LEAD)
    pending = complete_mission(session, bo, talk.id, "Gave a talk.", None, "bo-1")
    session.commit()
    run_jobs()
    assert levels(session, bo) == []  # nothing counts until the lead approves
    approve(session, lead, pending.completion.id)
    session.commit()
    approve(session, lead, pending.completion.id)  # approved already: nothing more
    session.commit()
    run_jobs()
    run_notification_jobs_again()
    assert levels(session, bo) == [EXPLORER]


def test_a_single_point_over_the_line_reaches_the_level_and_the_news_leads_to_the_dashboard(
        session, world, make_user, run_jobs):
    ada = world.player("ada@example.com")
    complete_mission(session, ada, world.mission("read", points=49).id, "Read the review.", None, "ada-1")
    session.commit()
    admin = make_user("admin@example.com", role=Role.ADMIN)
    adjust_points(session, admin, ada, world.challenge.id, "1", "Brought the snacks")  # 50 XP, exactly level 2
    session.commit()
    run_jobs()
    [reached] = notes(session, ada, "level")
    assert (reached.text, reached.link) == (EXPLORER, "/dashboard")
