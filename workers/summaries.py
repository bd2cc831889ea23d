"""Writing a team lesson summary (the job; asking for one and every change of its status: webapp.summaries).

Only team-shared reflections (never private ones) and the evidence of the missions they answer go to
the writer, with names replaced by stable pseudonyms. Material larger than one call's token budget is
summarised in parts, then merged in groups, so no call exceeds the budget. Each call's citations are
checked against the ids it was given; a failing answer is retried once with the error, then the summary
is marked failed for the lead to retry (webapp.summaries.transitions).
"""
from __future__ import annotations

import dataclasses

from sqlmodel import Session, col, select

from prompts import load
from webapp.jobs import SUMMARISE_TEAM, SUMMARY, job
from webapp.models import (
    Challenge, Completion, LessonSummary, LessonSummaryVersion, Mission, OutboxJob, Reflection, ReflectionPrompt,
    SummaryStatus, Visibility,
)
from webapp.names import Pseudonymiser
from webapp.summaries.transitions import mark_failed, mark_summary_failed, record_draft

from . import tokens
from .pseudonyms import pseudonymiser_for
from .reflection import reschedule_on_rate_limit, writer
from .writing import (
    SECTIONS, InvalidOutput, RetryLater, SummaryContent, SummaryRequest, build_messages, messages_tokens,
    excerpt, shown_sources, summary_payload, to_json,
)

# Room kept in every call for the error message of the one retry.
FEEDBACK_RESERVE = 200


class SummaryFailed(Exception):
    """The writer's answer still broke the schema or the citations after the retry."""


@job(SUMMARISE_TEAM, on_failure=mark_summary_failed, waits_on=SUMMARY)
def summarise_team(session: Session, *, job: OutboxJob, summary_id: int, guidance: str | None = None) -> None:
    """Write a new version of summary `summary_id` (a no-op unless it is generating).

    `guidance` comes from a lead regenerating it (the review pages); without it, the latest version's is kept.
    """
    summary = session.get(LessonSummary, summary_id)
    if summary is None or summary.status != SummaryStatus.GENERATING:
        return
    challenge = session.get(Challenge, summary.challenge_id)
    reflections, names = team_material(session, summary.team_id, summary.challenge_id)
    chosen = writer(session)
    guidance = (guidance if guidance is not None else _latest_guidance(session, summary)) or None
    session.commit()  # nothing to write yet: ends the read transaction, so no connection is held while the model thinks
    try:
        content = summarise_in_parts(chosen, summary.work_key, challenge.title, reflections, guidance)
    except RetryLater as error:
        raise reschedule_on_rate_limit(error) from error
    except SummaryFailed:  # the detail is in the call log, for admins
        mark_failed(session, summary, "The AI writer's answers failed our checks twice. You can ask for it again.")
        return
    template = load("team_summary")
    record_draft(session, summary, content=restore_names(content, names), guidance=guidance, writer=chosen.name,
                 template_version=f"{template.name}@{template.version}")


def team_material(session: Session, team_id: int, challenge_id: int) -> tuple[list[dict], Pseudonymiser]:
    """The team-shared reflections as the writer sees them (pseudonymised), and the pseudonymiser to restore names."""
    rows = session.exec(
        select(Reflection, Mission, Completion)
        .outerjoin(ReflectionPrompt, ReflectionPrompt.id == Reflection.prompt_id)
        .outerjoin(Completion, Completion.id == ReflectionPrompt.completion_id)
        .outerjoin(Mission, Mission.id == Completion.mission_id)
        .where(Reflection.team_id == team_id, Reflection.challenge_id == challenge_id,
               Reflection.visibility == Visibility.TEAM)
        .order_by(col(Reflection.id))
    ).all()
    replace = pseudonymiser_for(session, team_id, {reflection.user_id for reflection, _, _ in rows})
    material = []
    for reflection, mission, completion in rows:
        material.append({
            "id": reflection.id,
            "author": replace.pseudonym[reflection.user_id],
            "mission": mission.title if mission else None,
            "kind": mission.kind.value if mission else None,
            "text": tokens.truncate(replace(reflection.body)),
            "evidence": tokens.truncate(replace(completion.evidence_text), 150) if completion and completion.evidence_text else None,
        })
    return material, replace


def restore_names(content: SummaryContent, replace: Pseudonymiser) -> dict:
    """The content as stored and shown to the team: pseudonyms the model kept are mapped back to names."""
    return {section: [{"text": replace.restore(item.text), "citations": item.citations,
                       "quote": replace.restore(item.quote)} for item in getattr(content, section)]
            for section in SECTIONS}


def summarise_in_parts(chosen, work_key: str, challenge_title: str, reflections: list[dict],
                       guidance: str | None = None, budget: int = tokens.INPUT_BUDGET) -> SummaryContent:
    """One summary of `reflections`, with no call above `budget` input tokens however many there are."""
    if not reflections:
        return SummaryContent(**{section: [] for section in SECTIONS})
    sources = SummaryRequest("", "", reflections=reflections).source_texts()
    room = budget - FEEDBACK_RESERVE - _fixed_cost("team_summary", challenge_title, guidance)
    parts = tokens.pack(reflections, _size, room)
    summaries = [_checked_call(chosen, SummaryRequest(f"{work_key}:part{index}", challenge_title, reflections=part,
                                                      guidance=guidance), budget)
                 for index, part in enumerate(parts)]
    merge_room = budget - FEEDBACK_RESERVE - _fixed_cost("summary_merge", challenge_title, guidance)

    def partial_size(dump: dict) -> int:
        # A partial travels with its items' support counts and the excerpts of the sources it cites.
        return (_size(dump) + sum(len(dump[section]) for section in SECTIONS) * 6
                + sum(tokens.count(excerpt(sources.get(ref, ""))) + 12 for ref in shown_sources([dump])))

    round_number = 0
    while len(summaries) > 1:
        round_number += 1
        # Each partial takes at most half a call, so every merge joins two or more: the rounds end.
        dumps = [_fit(summary.model_dump(), merge_room // 2, partial_size) for summary in summaries]
        groups = tokens.pack(dumps, partial_size, merge_room)
        summaries = [_checked_call(chosen, SummaryRequest(f"{work_key}:merge{round_number}.{index}", challenge_title,
                                                          partials=group, guidance=guidance, sources=sources), budget)
                     if len(group) > 1 else SummaryContent.model_validate(group[0])
                     for index, group in enumerate(groups)]
    return summaries[0]


def _size(item: dict) -> int:
    return tokens.count(to_json(item)) + 2


def _fit(dump: dict, limit: int, size=_size) -> dict:
    """A partial summary cut to `limit` tokens by dropping the weakest (last) items of its longest lists."""
    dump = {section: list(dump[section]) for section in SECTIONS}
    while size(dump) > limit and any(dump.values()):
        longest = max(SECTIONS, key=lambda section: len(dump[section]))
        dump[longest].pop()
    return dump


def _fixed_cost(template_name: str, challenge_title: str, guidance: str | None) -> int:
    empty = summary_payload(SummaryRequest("", challenge_title, partials=[{}]) if template_name == "summary_merge"
                            else SummaryRequest("", challenge_title))
    return messages_tokens(build_messages(load(template_name).instructions, empty, guidance))


def input_tokens(request: SummaryRequest) -> int:
    """Input tokens of the call `request` makes (instructions, data, guidance and any feedback)."""
    messages = build_messages(load(request.template_name).instructions, summary_payload(request),
                              request.guidance, request.feedback)
    return messages_tokens(messages)


def _checked_call(chosen, request: SummaryRequest, budget: int) -> SummaryContent:
    """One summary call, retried once with the error when the answer breaks the schema or the citations."""
    if input_tokens(request) > budget:
        raise ValueError(f"{request.work_key}: {input_tokens(request)} input tokens over the budget of {budget}")
    try:
        return chosen.summarise(request)
    except InvalidOutput as first:
        retry = dataclasses.replace(request, feedback=str(first))
        try:
            return chosen.summarise(retry)
        except InvalidOutput as second:
            raise SummaryFailed(f"The writer's answer was rejected twice: {second}") from second


def _latest_guidance(session: Session, summary: LessonSummary) -> str | None:
    # Regenerating with guidance (the review pages) keeps the lead's guidance on the version they asked from.
    version = session.exec(select(LessonSummaryVersion).where(LessonSummaryVersion.summary_id == summary.id)
                           .order_by(col(LessonSummaryVersion.number).desc())).first()
    return version.guidance if version else None
