"""Skills a challenge targets, and participants rating themselves before and after it."""
from __future__ import annotations

from sqlmodel import select

from webapp.models import AssessmentPhase, Challenge, ChallengeStatus, Notification, SelfAssessment, Skill
from webapp.monitoring.skills import invite_after_assessment


def ratings_of(session, user_id, phase="before") -> dict[int, int]:
    session.expire_all()
    return dict(session.exec(select(SelfAssessment.skill_id, SelfAssessment.rating).where(
        SelfAssessment.user_id == user_id, SelfAssessment.phase == AssessmentPhase(phase))).all())


def close(session, challenge_id):
    challenge = session.get(Challenge, challenge_id)
    challenge.status = ChallengeStatus.CLOSED
    session.add(challenge)
    session.commit()
    return challenge


def test_participant_sees_one_accessible_group_per_skill(client, auth, world):
    auth.login("b2@example.com")
    page = client.get(f"/challenges/{world.a}/self-assessment?phase=before").get_data(as_text=True)
    assert "<legend>Giving feedback</legend>" in page and "<legend>Sharing</legend>" in page
    assert page.count('type="radio"') == 10
    assert f'<label for="skill-{world.skills["sharing"]}-5">' in page


def test_rating_every_skill_saves_and_resubmitting_updates(client, auth, session, world):
    auth.login("b2@example.com")
    path = f"/challenges/{world.a}/self-assessment?phase=before"
    feedback, sharing = world.skills["feedback"], world.skills["sharing"]
    response = auth.post(path, {f"skill-{feedback}": "2", f"skill-{sharing}": "3"}, page=path)
    assert response.status_code == 303
    assert ratings_of(session, world.people["b2"]) == {feedback: 2, sharing: 3}
    auth.post(path, {f"skill-{feedback}": "5", f"skill-{sharing}": "3"}, page=path)
    assert ratings_of(session, world.people["b2"]) == {feedback: 5, sharing: 3}
    assert len(session.exec(select(SelfAssessment).where(SelfAssessment.user_id == world.people["b2"])).all()) == 2


def test_a_missing_or_bad_rating_changes_nothing_and_keeps_the_input(client, auth, session, world):
    auth.login("b2@example.com")
    path = f"/challenges/{world.a}/self-assessment?phase=before"
    feedback, sharing = world.skills["feedback"], world.skills["sharing"]
    response = auth.post(path, {f"skill-{feedback}": "4", f"skill-{sharing}": "9"}, page=path)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a rating from 1 to 5." in page
    assert f'id="skill-{feedback}-4" name="skill-{feedback}" value="4"\n             checked' in page
    assert ratings_of(session, world.people["b2"]) == {}


def test_only_enrolled_participants_rate_themselves(client, auth, world):
    auth.login("employee@example.com")  # in team red, not enrolled
    path = f"/challenges/{world.a}/self-assessment?phase=before"
    assert client.get(path).status_code == 403
    assert auth.post(path, {f"skill-{world.skills['feedback']}": "3"}, page="/dashboard").status_code == 403


def test_a_challenge_without_skills_or_an_unknown_phase_has_no_page(client, auth, world):
    auth.login("r1@example.com")
    assert client.get(f"/challenges/{world.b}/self-assessment?phase=before").status_code == 404
    assert client.get(f"/challenges/{world.a}/self-assessment?phase=during").status_code == 404


def test_after_opens_only_once_the_challenge_closed(client, auth, session, world):
    auth.login("b2@example.com")
    after = f"/challenges/{world.a}/self-assessment?phase=after"
    assert client.get(after).status_code == 403
    close(session, world.a)
    assert client.get(after).status_code == 200
    assert client.get(f"/challenges/{world.a}/self-assessment?phase=before").status_code == 403
    response = auth.post(after, {f"skill-{world.skills['feedback']}": "4", f"skill-{world.skills['sharing']}": "4"},
                         page=after)
    assert response.status_code == 303
    assert ratings_of(session, world.people["b2"], "after") == {world.skills["feedback"]: 4,
                                                                 world.skills["sharing"]: 4}


def test_closing_invites_participants_to_rate_again_once(session, world):
    challenge = close(session, world.a)
    invite_after_assessment(session, challenge)
    invite_after_assessment(session, challenge)
    session.commit()
    links = session.exec(select(Notification.link).where(Notification.source == f"self-assessment-after:{world.a}"))
    assert sorted(links.all()) == [f"/challenges/{world.a}/self-assessment?phase=after"] * 5


def test_joining_a_challenge_with_skills_leads_to_the_before_rating(client, auth, session, make_user, world):
    make_user("newcomer@example.com", team="blue")
    auth.login("newcomer@example.com")
    response = auth.post(f"/play/challenges/{world.a}/join", {"team_id": str(world.blue)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/challenges/{world.a}/self-assessment?phase=before")


def test_admin_names_skills_one_per_line(client, auth, session, world):
    auth.login("admin@example.com")
    path = f"/monitoring/challenges/{world.b}/skills"
    response = auth.post(path, {"skills": "Running experiments\n\n  Writing it down  \n"}, page=path)
    assert response.status_code == 303
    names = session.exec(select(Skill.name).where(Skill.challenge_id == world.b).order_by(Skill.position)).all()
    assert names == ["Running experiments", "Writing it down"]
    assert "Running experiments\nWriting it down" in client.get(path).get_data(as_text=True)


def test_a_rated_skill_cannot_be_removed_and_nothing_changes(client, auth, session, world):
    auth.login("admin@example.com")
    path = f"/monitoring/challenges/{world.a}/skills"
    response = auth.post(path, {"skills": "Sharing\nListening"}, page=path)
    assert response.status_code == 422
    assert "“Giving feedback” already has 5 answers" in response.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(Skill.name).where(Skill.challenge_id == world.a).order_by(Skill.position)).all() == [
        "Giving feedback", "Sharing"]


def test_repeated_skill_names_are_refused(client, auth, world):
    auth.login("admin@example.com")
    path = f"/monitoring/challenges/{world.b}/skills"
    response = auth.post(path, {"skills": "Listening\nlistening"}, page=path)
    assert response.status_code == 422 and "is listed twice" in response.get_data(as_text=True)
