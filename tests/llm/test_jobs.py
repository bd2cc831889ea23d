"""Reflection-prompt and summary jobs through the real runner, offline and against the fake server."""
from datetime import timedelta

from sqlmodel import select

from webapp.models import (
    JobStatus, LessonSummary, LessonSummaryVersion, LlmCall, OutboxJob, PromptStatus, ReflectionPrompt, SummaryStatus,
    Visibility, utcnow,
)
from prompts import load
from webapp.summaries import requests as summary_requests

from .conftest import run_job


def prompt_job(world, completion):
    return run_job(world.session, "reflection.prompt_for_completion", f"reflection-prompt:completion:{completion.id}",
                   completion_id=completion.id)


def test_offline_prompt_is_written_labelled_and_logged(world):
    ada = world.members[0]
    world.complete(ada, world.missions[1])  # history: an earlier mission
    completion = world.complete(ada, world.missions[0])
    assert prompt_job(world, completion) == JobStatus.DONE
    prompt = world.session.exec(select(ReflectionPrompt).where(ReflectionPrompt.completion_id == completion.id)).one()
    assert prompt.status == PromptStatus.READY and prompt.writer == "offline"
    assert (prompt.template_name, prompt.template_version) == ("reflection_prompt", load("reflection_prompt").version)
    assert "Share a mistake you learned from" in prompt.text and "Now what?" in prompt.text
    call = world.session.exec(select(LlmCall)).one()
    assert call.work_key == f"completion:{completion.id}" and call.outcome == "ok"


def test_the_same_prompt_job_run_twice_writes_one_prompt(world):
    completion = world.complete(world.members[0])
    prompt_job(world, completion)
    from workers.reflection import prompt_for_completion

    # (the prompt's notification job is the other row: only the prompt job is run again)
    job = world.session.exec(select(OutboxJob).where(OutboxJob.name == "reflection.prompt_for_completion")).one()
    prompt_for_completion(world.session, job=job, completion_id=completion.id)
    world.session.commit()
    assert len(world.session.exec(select(ReflectionPrompt)).all()) == 1


def test_prompt_through_the_model_records_the_model(world, use_fake_openai):
    completion = world.complete(world.members[0])
    prompt_job(world, completion)
    prompt = world.session.exec(select(ReflectionPrompt)).one()
    assert prompt.status == PromptStatus.READY and prompt.writer == "gpt-4o-mini"
    assert "Share a mistake you learned from" in prompt.text


def test_a_prompt_that_keeps_failing_is_marked_failed_for_its_participant(world, use_fake_openai):
    use_fake_openai.mode = "error"
    completion = world.complete(world.members[0])
    prompt_job(world, completion)
    job = world.session.exec(select(OutboxJob)).one()
    for _ in range(10):
        if job.status == JobStatus.FAILED:
            break
        job.available_at = utcnow()  # skip the backoff wait
        world.session.commit()
        from workers.runner import run_outbox_job

        run_outbox_job(job.id, world.session.get_bind().url.render_as_string(hide_password=False))
        world.session.expire_all()
    assert job.status == JobStatus.FAILED
    prompt = world.session.exec(select(ReflectionPrompt)).one()
    # The participant reads a plain sentence; the server's answer stays in the job, for admins.
    assert prompt.status == PromptStatus.FAILED and "500" not in prompt.error and "ask for it again" in prompt.error
    assert "500" in job.last_error


def test_a_long_rate_limit_reschedules_the_job_without_using_an_attempt(world, use_fake_openai):
    use_fake_openai.mode, use_fake_openai.retry_after = "rate_limited", "60"  # within the prompt's deadline
    completion = world.complete(world.members[0])
    assert prompt_job(world, completion) == JobStatus.PENDING
    job = world.session.exec(select(OutboxJob)).one()
    assert job.attempts == 0 and job.rate_limit_waits == 1 and job.available_at > utcnow() + timedelta(seconds=50)
    assert world.session.exec(select(ReflectionPrompt)).one().status == PromptStatus.PENDING


def ask_summary(world, key="on_demand:test"):
    summary = summary_requests.request_summary(world.session, team_id=world.team.id, challenge_id=world.challenge.id,
                                               trigger="on_demand", work_key=key)
    world.session.commit()
    from workers.runner import run_outbox_job

    job = world.session.exec(select(OutboxJob).where(OutboxJob.key == summary_requests.outbox_key(summary))).one()
    run_outbox_job(job.id, world.session.get_bind().url.render_as_string(hide_password=False))
    world.session.expire_all()
    return world.session.get(LessonSummary, summary.id)


def test_summary_uses_only_shared_reflections_with_pseudonyms_mapped_back(world, use_fake_openai):
    ada, bob = world.members
    shared = world.reflect(ada, "I learned that Bob Builder spots bugs fast when we pair. It worked well.")
    world.reflect(bob, "My private doubt: I forgot the deadline again.", Visibility.PRIVATE)
    summary = ask_summary(world)
    assert summary.status == SummaryStatus.DRAFT and summary.current_version == 1
    sent = " ".join(message["content"] for request in use_fake_openai.requests for message in request["messages"])
    assert "private doubt" not in sent
    assert "Bob Builder" not in sent and "Ada" not in sent and "Participant" in sent
    version = world.session.exec(select(LessonSummaryVersion)).one()
    lesson = version.content["key_lessons"][0]
    assert lesson["citations"] == [shared.id]
    # The fake model writes "Participant 1": shown as the real person (the lead has the lowest id).
    assert lesson["text"].startswith("Lena Lead")


def test_bad_citations_are_retried_once_with_the_error_then_accepted(world, use_fake_openai):
    world.reflect(world.members[0], "I learned to check the logs before restarting anything.")
    use_fake_openai.script.extend(["bad_citations"])
    summary = ask_summary(world)
    assert summary.status == SummaryStatus.DRAFT
    retry_system = use_fake_openai.requests[1]["messages"][0]["content"]
    assert "previous answer was rejected" in retry_system and "not ids of the reflections given" in retry_system


def test_bad_citations_twice_mark_the_summary_failed_plainly_with_the_detail_in_the_call_log(world, use_fake_openai):
    world.reflect(world.members[0], "I learned to check the logs before restarting anything.")
    use_fake_openai.mode = "bad_citations"
    summary = ask_summary(world)
    assert summary.status == SummaryStatus.FAILED and "failed our checks twice" in summary.error
    assert "citations" not in summary.error  # the lead reads a sentence, not the validator's words
    assert world.session.exec(select(LessonSummaryVersion)).all() == []
    calls = world.session.exec(select(LlmCall)).all()
    assert [call.outcome for call in calls] == ["invalid", "invalid"]
    assert all("not ids of the reflections given" in call.error and call.status_code == 200 for call in calls)


def test_schema_breaking_output_twice_marks_the_summary_failed(world, use_fake_openai):
    world.reflect(world.members[0], "I learned to check the logs before restarting anything.")
    use_fake_openai.mode = "schema_break"
    assert ask_summary(world).status == SummaryStatus.FAILED


def test_offline_summary_groups_sentences_and_cites_them(world):
    ada, bob = world.members
    first = world.reflect(ada, "Pairing on the release checklist worked really well. I made a mistake with the config file.")
    second = world.reflect(bob, "Pairing on the release checklist worked really well. Next time I will try smaller changes.")
    summary = ask_summary(world)
    content = world.session.exec(select(LessonSummaryVersion)).one().content
    assert summary.status == SummaryStatus.DRAFT
    assert content["practices"][0]["citations"] == [first.id, second.id]
    assert content["mistakes"][0]["citations"] == [first.id]
    assert content["next_experiments"][0]["citations"] == [second.id]


def test_close_and_cadence_steps_ask_for_one_summary_per_team(world):
    world.reflect(world.members[0], "I learned to check the logs before restarting anything.")
    summary_requests.summarise_at_close(world.session, world.challenge)
    summary_requests.summarise_at_close(world.session, world.challenge)
    world.session.commit()
    assert [s.trigger for s in world.session.exec(select(LessonSummary))] == ["close"]
    next_week = utcnow().date() + timedelta(days=7)
    assert summary_requests.summarise_at_cadence(world.session, next_week) == 1
    assert summary_requests.summarise_at_cadence(world.session, next_week) == 0


def test_daily_cadence_prompts_once_per_participant_per_day(world):
    from webapp.models import Cadence
    from workers.reflection import enqueue_cadence_prompts

    world.challenge.reflection_cadence = Cadence.DAILY
    world.session.add(world.challenge)
    world.complete(world.members[0])
    tomorrow = utcnow().date() + timedelta(days=1)
    assert enqueue_cadence_prompts(world.session, tomorrow) == 1
    world.session.commit()
    assert enqueue_cadence_prompts(world.session, tomorrow) == 0
    job = world.session.exec(select(OutboxJob).where(OutboxJob.name == "reflection.prompt_for_period")).one()
    from workers.runner import run_outbox_job

    run_outbox_job(job.id, world.session.get_bind().url.render_as_string(hide_password=False))
    world.session.expire_all()
    prompt = world.session.exec(select(ReflectionPrompt)).one()
    assert prompt.status == PromptStatus.READY and "Share a mistake" in prompt.text
