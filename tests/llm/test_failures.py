"""Failures that end and are visible: one retry for people and admins, 429s that cannot go on forever, an
exhausted quota that fails at once and alerts admins, plain words for people and detail for admins."""
from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.models import (
    JobStatus, LessonSummary, LessonSummaryVersion, LlmCall, OutboxJob, PromptStatus, ReflectionPrompt, Role,
    SummaryStatus, utcnow,
)
from webapp.settings import get_settings
from webapp.summaries import requests as summary_requests
from workers.runner import run_outbox_job

from .conftest import run_job


def database_url(world) -> str:
    return world.session.get_bind().url.render_as_string(hide_password=False)


def run_again(world, job_id: int) -> str:
    """Run the job once more now (its backoff or rate-limit wait skipped), as the pump would later."""
    job = world.session.get(OutboxJob, job_id)
    job.available_at = utcnow()
    world.session.commit()
    status = run_outbox_job(job_id, database_url(world))
    world.session.expire_all()
    return status


def failed_summary(world) -> tuple[LessonSummary, OutboxJob]:
    """A summary whose job ran out of attempts (as the failure hook leaves it), with no version yet."""
    world.reflect(world.members[0], "I learned to check the logs before restarting anything.")
    summary = summary_requests.request_summary(world.session, team_id=world.team.id, challenge_id=world.challenge.id,
                                               trigger="on_demand", work_key="on_demand:failed")
    world.session.flush()
    job = world.session.exec(select(OutboxJob).where(OutboxJob.key == summary_requests.outbox_key(summary))).one()
    summary.status, summary.error = SummaryStatus.FAILED, "The AI service did not answer."
    job.status, job.attempts, job.last_error = JobStatus.FAILED, 5, "WriterError: LLM server answered 500"
    world.session.commit()
    return summary, job


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_a_failed_summary_retried_by_its_lead_or_from_the_jobs_page_ends_the_same(world, auth, make_user, who):
    summary, job = failed_summary(world)
    if who == "lead":
        auth.login(world.lead.email)
        response = auth.post(f"/reflection/summaries/{summary.id}/retry", page="/reflection/team")
    else:
        make_user("root@example.com", Role.ADMIN)
        auth.login("root@example.com")
        response = auth.post(f"/admin/jobs/{job.id}/retry", page="/admin/jobs")
    assert response.status_code == 303
    world.session.expire_all()
    assert (world.session.get(LessonSummary, summary.id).status, world.session.get(OutboxJob, job.id).status) == (
        SummaryStatus.GENERATING, JobStatus.PENDING)
    run_outbox_job(job.id, database_url(world))  # the offline writer
    world.session.expire_all()
    summary = world.session.get(LessonSummary, summary.id)
    assert (summary.status, summary.current_version, world.session.get(OutboxJob, job.id).status) == (
        SummaryStatus.DRAFT, 1, JobStatus.DONE)


def test_the_jobs_page_refuses_a_summary_job_whose_summary_moved_on(world, auth, make_user):
    summary, job = failed_summary(world)
    summary.status = SummaryStatus.DRAFT  # written since, by a later regeneration
    world.session.commit()
    make_user("root@example.com", Role.ADMIN)
    auth.login("root@example.com")
    page = auth.post(f"/admin/jobs/{job.id}/retry", page="/admin/jobs", follow_redirects=True).get_data(as_text=True)
    assert "Only a failed summary can be written again" in page
    world.session.expire_all()
    assert world.session.get(OutboxJob, job.id).status == JobStatus.FAILED


def test_retrying_a_failed_regeneration_reruns_it_with_the_leads_guidance(world, use_fake_openai, monkeypatch, auth):
    from webapp.summaries.transitions import regenerate_summary

    monkeypatch.setenv("JOB_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    world.reflect(world.members[0], "I learned to check the logs before restarting anything.")
    summary = summary_requests.request_summary(world.session, team_id=world.team.id, challenge_id=world.challenge.id,
                                               trigger="on_demand", work_key="on_demand:regen")
    world.session.commit()
    first = world.session.exec(select(OutboxJob).where(OutboxJob.key == summary_requests.outbox_key(summary))).one()
    assert run_outbox_job(first.id, database_url(world)) == JobStatus.DONE
    world.session.expire_all()
    summary = world.session.get(LessonSummary, summary.id)
    regenerate_summary(world.session, world.lead, summary.id, summary.revision, "Focus on the testing lessons.")
    world.session.commit()
    regeneration = world.session.exec(select(OutboxJob).where(OutboxJob.key.contains(":regenerate:"))).one()
    use_fake_openai.mode = "error"
    assert run_outbox_job(regeneration.id, database_url(world)) == JobStatus.FAILED
    world.session.expire_all()
    assert world.session.get(LessonSummary, summary.id).status == SummaryStatus.FAILED

    use_fake_openai.mode = "good"
    auth.login(world.lead.email)
    assert auth.post(f"/reflection/summaries/{summary.id}/retry", page="/reflection/team").status_code == 303
    world.session.expire_all()
    assert world.session.get(OutboxJob, regeneration.id).status == JobStatus.PENDING
    assert world.session.get(OutboxJob, first.id).status == JobStatus.DONE  # the original is not rerun
    assert run_outbox_job(regeneration.id, database_url(world)) == JobStatus.DONE
    world.session.expire_all()
    latest = world.session.exec(select(LessonSummaryVersion).where(LessonSummaryVersion.summary_id == summary.id)
                                .order_by(LessonSummaryVersion.number.desc())).first()
    assert latest.number == 2 and latest.guidance == "Focus on the testing lessons."
    assert "Focus on the testing lessons." in str(use_fake_openai.requests[-1]["messages"])


def test_an_exhausted_quota_fails_the_prompt_at_once_plainly_and_alerts_admins(world, use_fake_openai, auth, client,
                                                                             make_user):
    use_fake_openai.mode = "quota"
    ada = world.members[0]
    completion = world.complete(ada)
    status = run_job(world.session, "reflection.prompt_for_completion",
                     f"reflection-prompt:completion:{completion.id}", completion_id=completion.id)
    assert status == JobStatus.FAILED  # no waiting, no further attempt
    assert len(use_fake_openai.requests) == 1
    prompt = world.session.exec(select(ReflectionPrompt)).one()
    assert prompt.status == PromptStatus.FAILED and "run out of quota" in prompt.error
    [call] = world.session.exec(select(LlmCall)).all()
    assert (call.outcome, call.status_code) == ("quota", 429)

    auth.login(ada.email)
    page = client.get(f"/reflection/prompts/{prompt.id}").get_data(as_text=True)
    assert "run out of quota" in page and "Try again" in page and "429" not in page
    auth.logout()
    make_user("root@example.com", Role.ADMIN)
    auth.login("root@example.com")
    jobs_page = client.get("/admin/jobs").get_data(as_text=True)
    assert 'id="job-alerts"' in jobs_page and "insufficient_quota" in jobs_page
    assert "1 job ended failed in the last 24 hours" in jobs_page


def test_a_server_that_keeps_rate_limiting_ends_the_job_failed_after_the_capped_waits(world, use_fake_openai,
                                                                                     monkeypatch):
    use_fake_openai.mode, use_fake_openai.retry_after = "rate_limited", "30"  # too long to wait out in the call
    monkeypatch.setenv("LLM_RATE_LIMIT_WAITS", "2")
    get_settings.cache_clear()
    completion = world.complete(world.members[0])
    status = run_job(world.session, "reflection.prompt_for_completion",
                     f"reflection-prompt:completion:{completion.id}", completion_id=completion.id)
    job = world.session.exec(select(OutboxJob)).one()
    runs = 1
    while status == JobStatus.PENDING and runs < 10:
        status = run_again(world, job.id)
        runs += 1
    assert status == JobStatus.FAILED and runs == 3  # two waits allowed, the third 429 ends it
    prompt = world.session.exec(select(ReflectionPrompt)).one()
    assert prompt.status == PromptStatus.FAILED and "kept asking us to wait" in prompt.error
    assert "rate-limit waits" in world.session.get(OutboxJob, job.id).last_error
    assert [call.outcome for call in world.session.exec(select(LlmCall))] == ["rate_limited"] * 3


def test_a_rate_limit_wait_beyond_the_deadline_ends_the_job_failed_at_once(world, use_fake_openai):
    use_fake_openai.mode, use_fake_openai.retry_after = "rate_limited", "600"  # the prompt deadline is 120 s
    completion = world.complete(world.members[0])
    assert run_job(world.session, "reflection.prompt_for_completion",
                   f"reflection-prompt:completion:{completion.id}", completion_id=completion.id) == JobStatus.FAILED
    assert world.session.exec(select(ReflectionPrompt)).one().status == PromptStatus.FAILED


def test_a_failed_summary_with_no_version_offers_a_retry_on_its_review_page(world, auth, client):
    summary, job = failed_summary(world)
    auth.login(world.lead.email)
    page = client.get(f"/review/summaries/{summary.id}").get_data(as_text=True)
    assert "The AI service did not answer." in page and "Write it again" in page and "500" not in page
    response = auth.post(f"/reflection/summaries/{summary.id}/retry", {"back": "review"},
                         page=f"/review/summaries/{summary.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/review/summaries/{summary.id}")
    world.session.expire_all()
    assert world.session.get(LessonSummary, summary.id).status == SummaryStatus.GENERATING
    assert world.session.get(OutboxJob, job.id).status == JobStatus.PENDING


def test_the_participant_sees_how_long_the_prompt_has_been_written_so_far(world, auth, client):
    ada = world.members[0]
    completion = world.complete(ada)
    prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=ada.id, challenge_id=world.challenge.id,
                              completion_id=completion.id)
    world.session.add(prompt)
    world.session.add(OutboxJob(name="reflection.prompt_for_completion", key=f"reflection-prompt:{prompt.work_key}",
                                payload={"completion_id": completion.id}, status=JobStatus.RUNNING,
                                started_at=utcnow() - timedelta(seconds=75)))
    world.session.commit()
    auth.login(ada.email)
    assert "being written (for 1 min so far)" in client.get(f"/reflection/prompts/{prompt.id}").get_data(as_text=True)
    assert "(1 min so far)" in client.get("/dashboard").get_data(as_text=True)
