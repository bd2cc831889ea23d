"""Reflection pages: answering a prompt, the dashboard panel, the lead's summaries, the admin call log."""
from sqlmodel import select

from webapp.models import (
    LessonSummary, LlmCall, OutboxJob, PointEvent, PointReason, PromptStatus, Reflection, ReflectionPrompt, Role,
    SummaryStatus, Visibility,
)
from webapp.play.ledger import user_points


def ready_prompt(world, user, status=PromptStatus.READY):
    completion = world.complete(user)
    prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=user.id, challenge_id=world.challenge.id,
                              completion_id=completion.id, status=status, writer="offline",
                              text="**What happened?** You completed it." if status == PromptStatus.READY else None)
    world.session.add(prompt)
    world.session.commit()
    return prompt


def test_answering_a_prompt_stores_the_reflection_and_earns_points(world, auth, client):
    ada = world.members[0]
    prompt = ready_prompt(world, ada)
    auth.login(ada.email)
    page = client.get(f"/reflection/prompts/{prompt.id}").get_data(as_text=True)
    assert "Written without a model" in page and "Who can read it?" in page
    response = auth.post(f"/reflection/prompts/{prompt.id}/answer",
                         {"body": "I learned to ask for help earlier when stuck.", "visibility": "team"})
    assert response.status_code == 303
    world.session.expire_all()
    reflection = world.session.exec(select(Reflection)).one()
    assert reflection.visibility == Visibility.TEAM and reflection.prompt_id == prompt.id
    event = world.session.exec(select(PointEvent).where(PointEvent.reason == PointReason.REFLECTION)).one()
    assert (event.source_type, event.source_id, event.amount) == ("reflection", reflection.id, 10)
    assert world.session.get(ReflectionPrompt, prompt.id).status == PromptStatus.ANSWERED
    # A second submit of the same form changes nothing.
    again = auth.post(f"/reflection/prompts/{prompt.id}/answer", {"body": "Once more with feeling, please.", "visibility": "team"})
    assert again.status_code == 422 and "already answered" in again.get_data(as_text=True)
    assert len(world.session.exec(select(Reflection)).all()) == 1


def test_bad_answer_gets_messages_beside_fields_and_changes_nothing(world, auth):
    ada = world.members[0]
    prompt = ready_prompt(world, ada)
    auth.login(ada.email)
    before = user_points(world.session, ada.id)
    response = auth.post(f"/reflection/prompts/{prompt.id}/answer", {"body": "too short", "visibility": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write at least 20 characters" in html and "too short" in html
    assert world.session.exec(select(Reflection)).all() == [] and user_points(world.session, ada.id) == before


def test_someone_elses_prompt_is_not_found(world, auth, client):
    prompt = ready_prompt(world, world.members[0])
    auth.login(world.members[1].email)
    assert client.get(f"/reflection/prompts/{prompt.id}").status_code == 404
    response = auth.post(f"/reflection/prompts/{prompt.id}/answer", {"body": "x" * 30, "visibility": "private"})
    assert response.status_code == 404


def test_dashboard_panel_polls_while_a_prompt_is_on_its_way_then_shows_it(world, auth, client):
    ada = world.members[0]
    completion = world.complete(ada)  # no prompt row yet: its job has not run
    auth.login(ada.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'hx-trigger="load delay:1s"' in html and "on the way" in html
    from workers.runner import run_outbox_job
    from webapp.jobs import enqueue

    job = enqueue(world.session, "reflection.prompt_for_completion", f"reflection-prompt:completion:{completion.id}",
                  completion_id=completion.id)
    world.session.commit()
    run_outbox_job(job.id, world.session.get_bind().url.render_as_string(hide_password=False))
    fragment = client.get("/reflection/prompts", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Answer this prompt" in fragment and "load delay" not in fragment


def test_failed_prompt_shows_a_retry_that_requeues_it(world, auth, client):
    ada = world.members[0]
    prompt = ready_prompt(world, ada, PromptStatus.FAILED)
    job = OutboxJob(name="reflection.prompt_for_completion", key=f"reflection-prompt:{prompt.work_key}",
                    payload={"completion_id": prompt.completion_id}, status="failed", attempts=5)
    world.session.add(job)
    world.session.commit()
    auth.login(ada.email)
    assert "Try again" in client.get("/dashboard").get_data(as_text=True)
    assert auth.post(f"/reflection/prompts/{prompt.id}/retry").status_code == 303
    world.session.expire_all()
    assert world.session.get(ReflectionPrompt, prompt.id).status == PromptStatus.PENDING
    assert world.session.get(OutboxJob, job.id).status == "pending"


def test_lead_asks_for_a_summary_now_and_sees_it_generating(world, auth, client):
    auth.login(world.lead.email)
    page = client.get("/reflection/team").get_data(as_text=True)
    assert "Summarise my team now" in page
    data = {"request_key": "abcdef123456"}
    url = f"/reflection/team/{world.team.id}/challenges/{world.challenge.id}/summarise"
    assert auth.post(url, data, page="/reflection/team").status_code == 303
    assert auth.post(url, data, page="/reflection/team").status_code == 303  # a double click
    summary = world.session.exec(select(LessonSummary)).one()
    assert summary.status == SummaryStatus.GENERATING and summary.requested_by_id == world.lead.id
    assert world.session.exec(select(OutboxJob).where(OutboxJob.name == "summaries.summarise_team")).one()
    assert 'hx-trigger="load delay:1s"' in client.get("/reflection/team").get_data(as_text=True)


def test_employee_cannot_summarise_and_lead_cannot_summarise_another_team(world, auth, make_user):
    url = f"/reflection/team/{world.team.id}/challenges/{world.challenge.id}/summarise"
    auth.login(world.members[0].email)
    assert auth.post(url, {"request_key": "abcdef123456"}).status_code == 403
    make_user("other.lead@example.com", Role.LEAD, team="foxes", lead=True)
    auth.logout()
    auth.login("other.lead@example.com")
    assert auth.post(url, {"request_key": "abcdef123456"}).status_code == 403
    assert world.session.exec(select(LessonSummary)).all() == []


def test_admin_sees_llm_calls_and_totals_others_do_not(world, auth, client, make_user):
    world.session.add(LlmCall(template_name="team_summary", template_version="1", model="gpt-x", tokens_in=1200,
                              tokens_out=300, latency_ms=800, outcome="ok", request_id="req_1"))
    world.session.add(LlmCall(template_name="team_summary", template_version="1", model="gpt-x", tokens_in=1000,
                              tokens_out=0, latency_ms=400, outcome="invalid", error="citations [9] are not ids"))
    world.session.commit()
    auth.login(world.members[0].email)
    assert client.get("/admin/llm-calls").status_code == 403
    auth.logout()
    make_user("root@example.com", Role.ADMIN)
    auth.login("root@example.com")
    html = client.get("/admin/llm-calls").get_data(as_text=True)
    assert "2200" in html and "invalid: 1" in html and "ok: 1" in html and "citations [9] are not ids" in html
