"""`make mutation`: mutation testing of the rule modules with mutmut, reported per module.

mutmut copies the code into mutants/, changes one thing at a time in the functions named below (a
`>` made `>=`, a reason swapped, a number moved by one) and runs the rule tests that reach that
function, on SQLite only. A mutant the tests still pass on "survived": a rule nobody pinned. The
table gives killed / survived / timed out per module; every survivor's diff goes to
mutation-survivors.txt. Too slow for `make test`: about 2,400 mutants at 2 to 5 s each on two shared
cores, so one module at a time (`--module`) is the everyday use.

Usage: python tests/mutation.py [--module PATH ...] [--report-only | --survivors-again]
  --module PATH      only this rule module's mutants (repeatable); other modules keep their last results
  --report-only      print the table of the last run again
  --survivors-again  after adding tests: check only the last run's survivors again (minutes, not half an hour)

One mutant runs at a time (MUTATION_CHILDREN=2 for two): the cores are shared, and mutmut already runs
only the selected tests that reach the mutated function.
"""
from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVIVORS = ROOT / "mutation-survivors.txt"
LOG = ROOT / "mutants" / "mutmut-run.log"

# Module -> the functions whose mutants count (mutmut's names: x_<function>, xǁ<Class>ǁ<method>).
# Whole modules where every function is a rule; elsewhere only the rule's functions, not what
# surrounds it (the per-process board cache, the writer's calls and prompts).
RULE_CODE: dict[str, list[str]] = {
    "webapp/play/missions.py": ["*"],
    "webapp/play/ledger.py": ["*"],
    "webapp/play/badges.py": ["*"],
    "webapp/challenges/badge_rules.py": ["*"],
    # Not the PostgreSQL-only day query (_local_days_in_postgresql): this run is SQLite-only, so none of
    # its mutants could be killed here; the same streak tests run it on PostgreSQL in `make test`.
    "webapp/play/streaks.py": ["x_streak_days", "x__local_days_in_python"],
    "webapp/play/levels.py": ["*"],
    "webapp/play/clock.py": ["*"],
    "webapp/play/leaderboards.py": ["x_team_standings", "x_fair_score", "x_individual_standings", "x_individual_board",
                                    "x__ranked", "xǁStandingsǁ__init__", "x_boards_for"],
    "webapp/challenges/lifecycle.py": ["*"],
    "webapp/summaries/transitions.py": ["*"],
    # The pseudonymiser: every known name found and replaced on the way out, restored on the way back.
    "webapp/names.py": ["*"],
    "workers/summaries.py": ["x_team_material", "x_restore_names"],
    # The citation check: only ids of the reflections given may be cited.
    "workers/writing.py": ["x_check_citations", "x_quote_supports", "x__plain",
                         "xǁSummaryRequestǁallowed_ids", "xǁSummaryContentǁcited_ids"],
}


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def patterns() -> list[str]:
    """mutmut's mutant-name globs for every rule function."""
    return module_patterns(list(RULE_CODE))


def run(names: list[str] | None = None, fresh: bool = True) -> None:
    """Run every rule mutant afresh, or only `names` (mutmut keeps the other results)."""
    if names is None and fresh:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # no result carried over from an older run
    (ROOT / "mutants").mkdir(exist_ok=True)
    env = dict(os.environ, LEARNLOOP_TEST_BACKENDS="sqlite")
    command = ["nice", "-n", "15", str(Path(sys.executable).parent / "mutmut"), "run", "--max-children",
               os.environ.get("MUTATION_CHILDREN", "1"),
               *(names or patterns())]
    with LOG.open("w") as log:
        print("mutmut is running; its output goes to", LOG.relative_to(ROOT), flush=True)
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    if code != 0:
        sys.exit(f"mutmut stopped with exit code {code}; see {LOG.relative_to(ROOT)}")


def results() -> dict[str, dict[str, str]]:
    """Module -> {mutant name: status} for the rule functions' mutants."""
    from mutmut.stats import status_by_exit_code

    found = {}
    for path, functions in RULE_CODE.items():
        meta_file = ROOT / "mutants" / f"{path}.meta"
        if not meta_file.exists():
            continue  # a module not run yet (--module runs one at a time)
        meta = json.loads(meta_file.read_text())["exit_code_by_key"]
        wanted = [f"{module_name(path)}.{function}__mutmut_*" if function != "*" else "*" for function in functions]
        found[path] = {name: status_by_exit_code[code] for name, code in sorted(meta.items())
                       if any(fnmatch.fnmatchcase(name, pattern) for pattern in wanted)}
    return found


def report(found: dict[str, dict[str, str]]) -> bool:
    """Print the table and write the survivors; True if every module reaches the goal (90% caught)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    header = f"{'module':36} {'mutants':>7} {'killed':>7} {'survived':>8} {'timeout':>7} {'caught':>7}"
    print(header)
    print("-" * len(header))
    all_good, survivors = True, []
    for path, statuses in found.items():
        counts = Counter(statuses.values())
        # "no tests": no selected test reaches the function, so nothing could kill it: a survivor too.
        survived = counts["survived"] + counts["no tests"]
        caught = counts["killed"] + counts["timeout"]
        other = len(statuses) - survived - caught
        share = caught / len(statuses) if statuses else 1.0
        all_good &= share >= 0.9
        note = f"  ({other} not checked)" if other else ""
        print(f"{path:36} {len(statuses):7} {counts['killed']:7} {survived:8} {counts['timeout']:7} "
              f"{share:7.1%}{note}")
        survivors += [(path, name, status) for name, status in statuses.items() if status in ("survived", "no tests")]
    with SURVIVORS.open("w") as out:
        for path, name, status in survivors:
            out.write(f"# {name} ({status})\n{get_diff_for_mutant(name, path=path)}\n")
    print(f"\n{len(survivors)} survivors written to {SURVIVORS.name}; caught = killed + timed out.")
    return all_good


def chosen_modules(argv: list[str]) -> list[str]:
    modules = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--module"]
    unknown = [path for path in modules if path not in RULE_CODE]
    if unknown:
        sys.exit(f"not a rule module: {', '.join(unknown)} (see RULE_CODE in tests/mutation.py)")
    return modules


def module_patterns(modules: list[str]) -> list[str]:
    return [f"{module_name(path)}.{function}__mutmut_*" if function != "*" else f"{module_name(path)}.*"
            for path in modules for function in RULE_CODE[path]]


def check_configuration() -> None:
    """Stop before an hour's run if a rule module moved: every listed file must exist and be one mutmut mutates,
    and every test file mutmut selects must exist."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    problems = [f"{path} does not exist" for path in RULE_CODE if not (ROOT / path).exists()]
    problems += [f"{path} is not in [tool.mutmut] only_mutate" for path in RULE_CODE
                 if path not in config["only_mutate"]]
    problems += [f"test selection {path} does not exist" for path in config["pytest_add_cli_args_test_selection"]
                 if not (ROOT / path).exists()]
    if problems:
        sys.exit("Mutation configuration out of step with the code:\n  " + "\n  ".join(problems))


def main() -> None:
    os.chdir(ROOT)
    check_configuration()
    modules = chosen_modules(sys.argv)
    if modules and "--report-only" not in sys.argv and "--survivors-again" not in sys.argv:
        run(module_patterns(modules), fresh=False)
    elif "--survivors-again" in sys.argv:
        survivors = [name for statuses in results().values() for name, status in statuses.items()
                     if status in ("survived", "no tests")]
        if survivors:
            run(survivors)
    elif "--report-only" not in sys.argv:
        run()
    if not report(results()):
        print("Goal not met: every rule module needs at least 90% of its mutants caught.")


if __name__ == "__main__":
    main()
