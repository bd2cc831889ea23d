"""Put the XSS corpus into every user-text column, straight through the models (as an import, an old row or
a misbehaving model would leave it), on top of the demo world; returns the ids the pages need."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from webapp.models import (
    Badge, BadgeAward, BadgeRule, BadgeScope, Challenge, ChallengeStatus, ChallengeTeam, Completion, Enrolment,
    Feedback, JobStatus, Lesson, LessonSummary, LessonSummaryVersion, LlmCall, Membership, Mission, MissionKind,
    OutboxJob, PointEvent, PointReason, PromptStatus, Reflection, ReflectionPrompt, Role, SelfAssessment, Skill,
    SummaryStatus, Team, User, Visibility, utcnow,
)
from webapp.models.play import AssessmentPhase
from webapp.summaries.sections import SECTIONS

from .xss_corpus import HOSTILE_URLS, PAYLOADS, all_payloads, tagged

KINDS = list(MissionKind)


def _by_email(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def seed_hostile_world(session: Session) -> dict:
    """Every payload in every column that holds people's or a model's text; commits; returns ids."""
    now = utcnow()
    corpus = all_payloads()
    platform = session.exec(select(Team).where(Team.slug == "platform")).one()
    employee, lead, admin = (_by_email(session, f"{who}@example.com") for who in ("employee", "lead", "admin"))
    password_hash = employee.password_hash

    lab = Challenge(slug="xss-lab", title=tagged("Lab", PAYLOADS[0][1], 200), description=corpus,
                    starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=20),
                    status=ChallengeStatus.RUNNING)
    session.add(lab)
    # One more running challenge per payload, so every payload is a challenge title somewhere.
    titled = [Challenge(slug=f"xss-title-{index}", title=tagged(f"c{index}", payload, 200), description=payload,
                        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=9),
                        status=ChallengeStatus.RUNNING) for index, (_, payload) in enumerate(PAYLOADS)]
    session.add_all(titled)
    teams = [Team(name=tagged(f"t{index}", payload), slug=f"xss-team-{index}")
             for index, (_, payload) in enumerate(PAYLOADS)]
    session.add_all(teams)
    session.flush()
    for challenge in [lab, *titled]:
        session.add(ChallengeTeam(challenge_id=challenge.id, team_id=platform.id))
    for team in teams:
        session.add(ChallengeTeam(challenge_id=lab.id, team_id=team.id))

    missions = [Mission(challenge_id=lab.id, slug=f"m{index}", title=tagged(f"m{index}", payload, 200),
                        kind=KINDS[index % len(KINDS)], points=500, instructions=payload, max_completions=None,
                        evidence_required=False, position=index)
                for index, (_, payload) in enumerate(PAYLOADS)]
    missions.append(Mission(challenge_id=lab.id, slug="all", title="Every payload", kind=MissionKind.LEARN, points=5,
                            instructions=corpus, max_completions=None, evidence_required=False, position=99))
    badges = [Badge(challenge_id=lab.id, slug=f"b{index}", name=tagged(f"b{index}", payload), description=payload,
                    rule=BadgeRule.MISSIONS_COMPLETED, scope=BadgeScope.INDIVIDUAL, params={"threshold": 1})
              for index, (_, payload) in enumerate(PAYLOADS)]
    skills = [Skill(challenge_id=lab.id, name=tagged(f"s{index}", payload), position=index)
              for index, (_, payload) in enumerate(PAYLOADS)]
    session.add_all([*missions, *badges, *skills])

    # People named with payloads, in Platform (so the feed and leaderboards show them) and in a hostile team.
    people = []
    for index, (_, payload) in enumerate(PAYLOADS):
        person = User(email=f"u{index}@xss.example", display_name=tagged(f"u{index}", payload),
                      password_hash=password_hash, role=Role.EMPLOYEE)
        session.add(person)
        people.append(person)
    session.flush()
    for index, person in enumerate(people):
        session.add(Membership(user_id=person.id, team_id=platform.id))
        session.add(Membership(user_id=person.id, team_id=teams[index].id))
    for person in [employee, lead, admin, *people]:
        session.add(Enrolment(challenge_id=lab.id, user_id=person.id, team_id=platform.id,
                              enrolled_at=now - timedelta(days=4)))
    session.flush()

    completions = []
    for index, (person, (_, payload)) in enumerate(zip(people, PAYLOADS)):
        completion = Completion(
            idempotency_key=f"xss-{index}", mission_id=missions[index].id, challenge_id=lab.id, user_id=person.id,
            team_id=platform.id, evidence_text=payload if index else corpus,
            evidence_url=HOSTILE_URLS[index] if index < len(HOSTILE_URLS) else None, points_awarded=500,
            created_at=now - timedelta(minutes=index + 1))
        session.add(completion)
        completions.append(completion)
    session.flush()
    for completion, (_, payload) in zip(completions, PAYLOADS):
        session.add(PointEvent(user_id=completion.user_id, team_id=platform.id, challenge_id=lab.id, amount=500,
                               reason=PointReason.COMPLETION, source_type="completion", source_id=completion.id,
                               created_at=completion.created_at))
        session.add(Feedback(author_id=employee.id, receiver_id=completion.user_id, challenge_id=lab.id,
                             item_type="completion", item_id=completion.id, body=payload))
    for index, badge in enumerate(badges):
        session.add(BadgeAward(badge_id=badge.id, challenge_id=lab.id, subject=f"user:{employee.id}",
                               user_id=employee.id))
        session.add(BadgeAward(badge_id=badge.id, challenge_id=lab.id, subject=f"user:{people[index].id}",
                               user_id=people[index].id))
    for index, skill in enumerate(skills):
        session.add(SelfAssessment(user_id=employee.id, team_id=platform.id, challenge_id=lab.id, skill_id=skill.id,
                                   phase=AssessmentPhase.BEFORE, rating=1 + index % 5))

    # Reflections shared with the team, and the model's text: a prompt and lesson summaries.
    reflections = []
    for index, (person, completion, (_, payload)) in enumerate(zip(people, completions, PAYLOADS)):
        prompt = ReflectionPrompt(work_key=f"xss-answered:{index}", user_id=person.id, challenge_id=lab.id,
                                  completion_id=completion.id, status=PromptStatus.ANSWERED, text=payload,
                                  writer="offline", ready_at=now)
        session.add(prompt)
        session.flush()
        reflection = Reflection(prompt_id=prompt.id, user_id=person.id, challenge_id=lab.id, team_id=platform.id,
                                body=payload, visibility=Visibility.TEAM, created_at=now - timedelta(minutes=index))
        session.add(reflection)
        reflections.append(reflection)
    open_prompt = ReflectionPrompt(work_key="xss-open", user_id=employee.id, challenge_id=lab.id,
                                   status=PromptStatus.READY, text=corpus, writer="gpt-misbehaving", ready_at=now)
    failed_prompt = ReflectionPrompt(work_key="xss-failed", user_id=employee.id, challenge_id=lab.id,
                                     status=PromptStatus.FAILED, error=corpus, writer="gpt-misbehaving")
    session.add_all([open_prompt, failed_prompt])
    session.flush()

    def content(shift: int) -> dict:
        lessons = [{"text": tagged(f"l{index + shift}", payload, 500), "citations": [reflections[index].id]}
                   for index, (_, payload) in enumerate(PAYLOADS)]
        return {section: lessons[number::len(SECTIONS)] for number, section in enumerate(SECTIONS)}

    draft = LessonSummary(work_key="xss-draft", team_id=platform.id, challenge_id=lab.id, trigger="on_demand",
                          status=SummaryStatus.DRAFT, current_version=2, revision=2, requested_by_id=lead.id)
    published = LessonSummary(work_key="xss-published", team_id=teams[0].id, challenge_id=lab.id,
                              trigger="on_demand", status=SummaryStatus.PUBLISHED, current_version=1, revision=3,
                              published_at=now)
    failed = LessonSummary(work_key="xss-failed", team_id=teams[1].id, challenge_id=lab.id, trigger="on_demand",
                           status=SummaryStatus.FAILED, error=corpus)
    rejected = LessonSummary(work_key="xss-rejected", team_id=teams[2].id, challenge_id=lab.id, trigger="on_demand",
                             status=SummaryStatus.REJECTED, rejection_reason=corpus, current_version=1, revision=1)
    session.add_all([draft, published, failed, rejected])
    session.flush()
    session.add(LessonSummaryVersion(summary_id=draft.id, number=1, content=content(0), writer="gpt-misbehaving",
                                     guidance=corpus))
    session.add(LessonSummaryVersion(summary_id=draft.id, number=2, content=content(100), writer="gpt-misbehaving",
                                     guidance=PAYLOADS[2][1], edited_by_id=lead.id))
    published_version = LessonSummaryVersion(summary_id=published.id, number=1, content=content(0),
                                             writer="gpt-misbehaving")
    session.add(published_version)
    session.add(LessonSummaryVersion(summary_id=rejected.id, number=1, content=content(0), writer="offline"))
    session.flush()
    for number, section in enumerate(SECTIONS):
        for item in published_version.content[section]:
            session.add(Lesson(summary_id=published.id, version_id=published_version.id, team_id=teams[0].id,
                               challenge_id=lab.id, section=section, text=item["text"], citations=item["citations"],
                               mission_kinds=["learn"], published_at=now))

    # What operators read: a failed job and a failed model call whose errors quote hostile text.
    session.add(OutboxJob(name="write_summary", key="xss-job", payload={"note": corpus}, status=JobStatus.FAILED,
                          attempts=5, last_error=corpus, finished_at=now))
    session.add(LlmCall(work_key="xss-open", template_name="reflection_prompt", template_version="1",
                        model="gpt-misbehaving", outcome="invalid", error=corpus))
    session.commit()
    return {
        "lab": lab.id, "titled": [challenge.id for challenge in titled], "teams": [team.id for team in teams],
        "platform": platform.id, "missions": [mission.id for mission in missions],
        "badges": [badge.id for badge in badges], "people": [person.id for person in people],
        "open_prompt": open_prompt.id, "failed_prompt": failed_prompt.id,
        "draft": draft.id, "published": published.id, "failed_summary": failed.id, "rejected": rejected.id,
    }
