"""Measuring a summary writer on team reflections whose lessons are known (tests/evaluation/*.yaml).

For each team the writer summarises the reflections exactly as the summary job does (same split, merge,
checks and one retry), and the answer is scored:
- lesson recall: known lessons stated by some item (an item states a lesson when it uses one word from
  each of the lesson's word lists);
- section agreement: of the lessons found, those found in the list they belong to;
- citation validity: items whose citations are all ids of the team's reflections and whose quote appears
  word for word in a reflection they cite (the rule the product enforces);
- supported citations: of the citations of items stating a known lesson, those pointing at a reflection
  that carries that lesson; source recall: of the reflections carrying a lesson, those its items cite
  (how well related reflections were grouped);
- schema failures (answers rejected for their shape, citations or quotes), and tokens and latency per call.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from webapp.names import fold

from .writing import SECTIONS, CallRecord, SummaryContent, WriterError, quote_supports

DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests" / "evaluation"


@dataclass(frozen=True)
class KnownLesson:
    about: str
    section: str
    words: list[list[str]]
    sources: list[int]

    def stated_by(self, text: str) -> bool:
        plain = " " + " ".join(re.findall(r"[a-z0-9'-]+", fold(text).lower())) + " "
        return all(any((" " + alternative.lower()) in plain for alternative in alternatives)
                   for alternatives in self.words)


@dataclass(frozen=True)
class EvaluationTeam:
    name: str
    split: str
    challenge: str
    reflections: list[dict]
    lessons: list[KnownLesson]


@dataclass
class TeamResult:
    team: EvaluationTeam
    content: SummaryContent | None
    error: str | None = None
    calls: list[CallRecord] = field(default_factory=list)
    found: list[KnownLesson] = field(default_factory=list)
    in_section: int = 0
    items: int = 0
    valid_items: int = 0
    citations_checked: int = 0
    citations_supported: int = 0
    sources_cited: int = 0  # sources of found lessons cited by an item stating them

    @property
    def missed(self) -> list[KnownLesson]:
        return [lesson for lesson in self.team.lessons if lesson not in self.found]


def load_set(folder: Path = DEFAULT_SET) -> list[EvaluationTeam]:
    """Every team of every *.yaml in `folder`; a file's name is its split (tuning, holdout)."""
    teams = []
    for path in sorted(Path(folder).glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text())["teams"]:
            teams.append(EvaluationTeam(
                entry["team"], path.stem, entry["challenge"],
                [{"id": r["id"], "author": r["author"], "mission": r.get("mission"), "kind": r.get("kind"),
                  "text": " ".join(r["text"].split()), "evidence": None} for r in entry["reflections"]],
                [KnownLesson(lesson["about"], lesson["section"], lesson["words"], lesson["sources"])
                 for lesson in entry["lessons"]]))
    if not teams:
        raise FileNotFoundError(f"no evaluation teams in {folder}")
    return teams


def score(team: EvaluationTeam, content: SummaryContent, result: TeamResult) -> None:
    texts = {reflection["id"]: reflection["text"] for reflection in team.reflections}
    items = [(section, item) for section in SECTIONS for item in getattr(content, section)]
    result.items = len(items)
    for _, item in items:
        known = all(ref in texts for ref in item.citations)
        if known and quote_supports(item.quote, [texts[ref] for ref in item.citations]):
            result.valid_items += 1
    for lesson in team.lessons:
        stating = [(section, item) for section, item in items if lesson.stated_by(item.text)]
        if stating:
            result.found.append(lesson)
            result.in_section += any(section == lesson.section for section, _ in stating)
        result.sources_cited += len({ref for _, item in stating for ref in item.citations} & set(lesson.sources))
        for _, item in stating:
            result.citations_checked += len(item.citations)
            result.citations_supported += sum(ref in lesson.sources for ref in item.citations)


def evaluate(make_writer: Callable[[Callable[[CallRecord], None]], object], teams: list[EvaluationTeam],
             advance: Callable[[EvaluationTeam], None] = lambda team: None) -> list[TeamResult]:
    """Each team summarised by a writer built with a call log, and scored; `advance` is told after each."""
    from .summaries import SummaryFailed, summarise_in_parts

    results = []
    for team in teams:
        calls: list[CallRecord] = []
        writer = make_writer(calls.append)
        result = TeamResult(team, None, calls=calls)
        try:
            result.content = summarise_in_parts(writer, f"eval:{team.name}", team.challenge, team.reflections)
        except (SummaryFailed, WriterError, ValueError) as error:
            result.error = f"{type(error).__name__}: {error}"[:300]
        if result.content is not None:
            score(team, result.content, result)
        results.append(result)
        advance(team)
    return results


@dataclass
class Totals:
    teams: int
    lessons: int
    found: int
    in_section: int
    items: int
    valid_items: int
    citations_checked: int
    citations_supported: int
    sources: int
    sources_cited: int
    failed_teams: int
    schema_failures: int
    calls: int
    tokens_in: int
    tokens_out: int
    latency_ms: list[int]

    @property
    def recall(self) -> float:
        return self.found / self.lessons if self.lessons else 0.0

    @property
    def section_agreement(self) -> float:
        return self.in_section / self.found if self.found else 0.0

    @property
    def citation_validity(self) -> float:
        return self.valid_items / self.items if self.items else 0.0

    @property
    def source_recall(self) -> float:
        return self.sources_cited / self.sources if self.sources else 0.0

    @property
    def supported_citations(self) -> float:
        return self.citations_supported / self.citations_checked if self.citations_checked else 0.0


def totals(results: list[TeamResult]) -> Totals:
    calls = [call for result in results for call in result.calls]
    return Totals(
        teams=len(results), lessons=sum(len(result.team.lessons) for result in results),
        found=sum(len(result.found) for result in results), in_section=sum(result.in_section for result in results),
        items=sum(result.items for result in results), valid_items=sum(result.valid_items for result in results),
        citations_checked=sum(result.citations_checked for result in results),
        citations_supported=sum(result.citations_supported for result in results),
        sources=sum(len(lesson.sources) for result in results for lesson in result.team.lessons),
        sources_cited=sum(result.sources_cited for result in results),
        failed_teams=sum(result.content is None for result in results),
        schema_failures=sum(call.outcome == "invalid" for call in calls), calls=len(calls),
        tokens_in=sum(call.tokens_in for call in calls), tokens_out=sum(call.tokens_out for call in calls),
        latency_ms=[call.latency_ms for call in calls],
    )


def percentile(values: list[int], share: float) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_with_progress(settings, teams: list[EvaluationTeam], console, offline: bool = False) -> Totals:
    """Evaluate `teams` with the writer `settings` choose (a progress bar while it runs) and print the report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .llm import writer_for
    from .offline_writer import OfflineWriter

    def make_writer(log):
        return OfflineWriter(log) if offline else writer_for(settings, log)

    writer_name = make_writer(lambda call: None).name
    console.print(f"Evaluating the writer [bold]{writer_name}[/bold] on {len(teams)} teams "
                  f"({sum(len(team.reflections) for team in teams)} reflections, "
                  f"{sum(len(team.lessons) for team in teams)} known lessons).", highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("Summarising teams", total=len(teams))
        results = evaluate(make_writer, teams, advance=lambda team: progress.advance(task))
    print_report(console, results)
    return totals(results)


def print_report(console, results: list[TeamResult]) -> None:
    from rich.table import Table

    teams = Table(title="Per team")
    for column in ("team", "split", "lessons found", "in their list", "citations valid", "supported citations",
                   "calls", "outcome"):
        teams.add_column(column)
    for result in results:
        teams.add_row(result.team.name, result.team.split, f"{len(result.found)}/{len(result.team.lessons)}",
                      f"{result.in_section}/{len(result.found)}", f"{result.valid_items}/{result.items}",
                      f"{result.citations_supported}/{result.citations_checked}", str(len(result.calls)),
                      result.error or "ok")
    console.print(teams)
    calls = Table(title="Per call")
    for column in ("call", "outcome", "tokens in", "tokens out", "latency ms"):
        calls.add_column(column)
    for result in results:
        for call in result.calls:
            calls.add_row(f"{call.work_key} ({call.template_name}@{call.template_version})", call.outcome,
                          str(call.tokens_in), str(call.tokens_out), str(call.latency_ms))
    console.print(calls)
    splits = sorted({result.team.split for result in results})
    for name, chosen in [*((split, [r for r in results if r.team.split == split]) for split in splits),
                         *([("all", results)] if len(splits) > 1 else [])]:
        total = totals(chosen)
        console.print(
            f"[bold]{name}[/bold]: lesson recall {total.recall:.0%} ({total.found}/{total.lessons}) · "
            f"in their list {total.section_agreement:.0%} · citation validity {total.citation_validity:.0%} "
            f"({total.valid_items}/{total.items} items) · supported citations {total.supported_citations:.0%} · "
            f"source recall {total.source_recall:.0%} · schema failures {total.schema_failures} · failed teams "
            f"{total.failed_teams} · calls {total.calls} · tokens {total.tokens_in} in / {total.tokens_out} out · "
            f"latency p50 {percentile(total.latency_ms, 0.5)} ms, p95 {percentile(total.latency_ms, 0.95)} ms",
            highlight=False)
