"""The house as drawn from its imports: the web package reaches worker code through one door only, and no string
names a Python function to import (jobs and steps are declared where they are written, see webapp.jobs)."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The one door: the jobs module loads the job modules and carries jobs in-process (webapp.jobs.load, start_pump).
# The CLI runs the summary evaluation, a worker-side tool with no web route (`learnloop eval summaries`).
ALLOWED = {
    "webapp/jobs.py": {"workers"},
    "webapp/cli.py": {"workers.evaluation"},
}

# "package.module:function" (the form the old string registries used) or "package.module.function" (RQ's).
FUNCTION_PATH = re.compile(r"^(?P<module>[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*)[:.](?P<function>[a-z_][a-z0-9_]*)$")


def names_a_project_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def python_files(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py")
                  if "migrations" not in path.parts)


def imported_modules(tree: ast.AST, path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (function-level imports too), relative ones made absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def web_to_worker_imports(source: str, relative: str) -> set[str]:
    modules = imported_modules(ast.parse(source), ROOT / relative)
    into_workers = {module for module in modules if module == "workers" or module.startswith("workers.")}
    allowed = ALLOWED.get(relative, set())
    return {module for module in into_workers
            if not any(module == door or module.startswith(door + ".") for door in allowed)}


def function_paths(source: str) -> list[str]:
    return [node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and (match := FUNCTION_PATH.match(node.value)) and names_a_project_module(match["module"])]


def test_web_modules_reach_worker_code_only_through_the_jobs_module():
    crossings = {}
    for path in python_files("webapp"):
        relative = path.relative_to(ROOT).as_posix()
        if found := web_to_worker_imports(path.read_text(), relative):
            crossings[relative] = sorted(found)
    assert crossings == {}


def test_no_string_names_a_function_to_import():
    found = {path.relative_to(ROOT).as_posix(): paths
             for path in python_files("webapp", "workers") if (paths := function_paths(path.read_text()))}
    assert found == {}


def test_the_checks_catch_what_they_are_for():
    # A new arrow from a route into worker code, a function-level one, and a relative one from inside webapp.
    assert web_to_worker_imports("from workers.summaries import request_summary\n", "webapp/summaries/routes.py") == {
        "workers.summaries", "workers.summaries.request_summary"}
    assert web_to_worker_imports("def f():\n    import workers.runner\n", "webapp/summaries/team_routes.py") == {
        "workers.runner"}
    assert web_to_worker_imports("from workers import pump\n", "webapp/main/health.py") == {
        "workers", "workers.pump"}
    assert web_to_worker_imports("from workers import pump\n", "webapp/jobs.py") == set()
    assert web_to_worker_imports("from ..jobs import enqueue\n", "webapp/summaries/routes.py") == set()
    assert function_paths('STEPS = ["webapp.play.badges:award_badges"]\n') == ["webapp.play.badges:award_badges"]
    assert function_paths('queue.enqueue("workers.job_pool.run_in_worker", 1)\n') == ["workers.job_pool.run_in_worker"]
    assert function_paths('TYPE = "about:blank"\nNAME = "summaries.summarise_team"\nT = "team_summary.html"\n') == []


def test_every_declared_job_and_step_is_loaded_from_the_jobs_module():
    from webapp import jobs

    declared = jobs.all_declared()
    assert set(declared) == {jobs.NOTIFY, jobs.SEND_EMAIL, jobs.PROMPT_FOR_COMPLETION, jobs.PROMPT_FOR_PERIOD,
                             jobs.SUMMARISE_TEAM, jobs.CHALLENGE_CLOSED, jobs.PEOPLE_IMPORT, jobs.DELIVER_OUTBOUND}
    assert jobs.names_waiting_on(jobs.PROMPT, jobs.SUMMARY) == {
        jobs.PROMPT_FOR_COMPLETION, jobs.PROMPT_FOR_PERIOD, jobs.SUMMARISE_TEAM}
    assert [step.__name__ for step in jobs.minute_steps()] == [
        "enqueue_cadence_prompts", "summarise_at_cadence", "advance_challenges", "refresh_rollups",
        "auto_approve_due", "post_weekly_summaries", "send_nudges", "send_digests"]
    assert [step.__name__ for step in jobs.closing_steps()] == [
        "notify_participants", "summarise_at_close", "invite_after_assessment"]
