"""Reflection pages: answer a prompt, the prompts panel, the admin LLM call log (a team's summaries: summaries/)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..models import Role
from ..security import role_required
from ..web import db, reads_only, render
from .answers import AnswerInvalid, PromptNotYours, answer_prompt, prompt_of, retry_prompt
from .calls import llm_call_totals, recent_llm_calls
from .queries import prompts_for
from .waiting import prompt_waited

bp = Blueprint("reflection", __name__)


@bp.app_context_processor
def _panel_for_templates():
    # The dashboard includes the prompts panel; this gives it its data without touching the dashboard view.
    def reflection_panel():
        return prompts_for(db(), current_user.id) if current_user.is_authenticated else None

    return {"reflection_panel": reflection_panel, "prompt_waited": lambda prompt: prompt_waited(db(), prompt)}


@bp.get("/reflection/prompts")
@reads_only
@login_required
def prompts():
    """The reflection prompts waiting for me (the dashboard panel polls this while one is on its way)."""
    return render("reflection/prompts.html", block="prompts_panel", panel=prompts_for(db(), current_user.id))


@bp.get("/reflection/prompts/<int:prompt_id>")
@login_required
def prompt(prompt_id: int):
    """One prompt and its answer form; its state fragment polls itself while the prompt is being written."""
    prompt = _my_prompt(prompt_id)
    return render("reflection/prompt.html", block="prompt_state", prompt=prompt, errors={}, form={})


@bp.post("/reflection/prompts/<int:prompt_id>/answer")
@login_required
def answer(prompt_id: int):
    """Store my answer (private or shared with my team) and its points."""
    session = db()
    form = {"body": request.form.get("body", ""), "visibility": request.form.get("visibility", "")}
    try:
        _, earned = answer_prompt(session, current_user, prompt_id, form["body"], form["visibility"])
        session.commit()
    except PromptNotYours:
        abort(404)
    except AnswerInvalid as invalid:
        session.rollback()
        return render("reflection/prompt.html", block="prompt_state", status=422, prompt=_my_prompt(prompt_id),
                      errors=invalid.errors, form=form)
    except IntegrityError:  # a double submit: the first one stored it
        session.rollback()
        earned = 0
    message = f"Reflection saved. +{earned} points." if earned else "Reflection saved."
    flash(message, "success")
    if request.headers.get("HX-Request") == "true":
        return render("reflection/prompt.html", block="prompt_state", prompt=_my_prompt(prompt_id), errors={},
                      form={}, saved_message=message)
    return redirect(url_for("main.dashboard"), code=303)


@bp.post("/reflection/prompts/<int:prompt_id>/retry")
@login_required
def retry_prompt_view(prompt_id: int):
    """Ask again for a prompt whose writing failed."""
    session = db()
    try:
        retry_prompt(session, current_user, prompt_id)
    except PromptNotYours:
        abort(404)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("reflection.prompt", prompt_id=prompt_id), code=303)
    session.commit()
    if request.headers.get("HX-Request") == "true":
        return render("reflection/prompt.html", block="prompt_state", prompt=_my_prompt(prompt_id), errors={}, form={})
    flash("Your prompt is being written again.", "success")
    return redirect(url_for("reflection.prompt", prompt_id=prompt_id), code=303)


def _my_prompt(prompt_id: int):
    try:
        return prompt_of(db(), current_user, prompt_id)
    except PromptNotYours:
        abort(404)


@bp.get("/admin/llm-calls")
@role_required(Role.ADMIN)
def llm_calls():
    """Every LLM call: totals per template, version and model, and the latest calls."""
    session = db()
    return render("reflection/llm_calls.html", totals=llm_call_totals(session), calls=recent_llm_calls(session))

