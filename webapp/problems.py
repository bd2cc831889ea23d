"""How the rules say no, without knowing about HTTP: `Invalid` (a list of problems, each naming the field, a path,
it is about) and `NotFound` (nothing there this person may see; every page and the API answer it with a 404,
mapped once in webapp/errors.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input. `loc` is the field's path, e.g. ("missions", 2, "points")."""

    loc: tuple[str | int, ...]
    message: str
    line: int | None = None

    @property
    def field(self) -> str:
        """The path as an author reads it: missions[2].points."""
        text = ""
        for part in self.loc:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text or "document"

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.field}: {self.message}"


class Invalid(ValueError):
    """The input breaks one or more rules; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))

    @classmethod
    def one(cls, field: str, message: str) -> Invalid:
        return cls([Problem((field,), message)])

    def by_field(self) -> dict[str, str]:
        """The first message for each top-level field, for showing beside a form's inputs."""
        errors: dict[str, str] = {}
        for problem in self.problems:
            key = str(problem.loc[-1]) if problem.loc else "form"
            errors.setdefault(key, problem.message)
        return errors


def from_pydantic(error, prefix: tuple = ()) -> list[Problem]:
    """Problems from a pydantic ValidationError, with friendlier wording for the common cases."""
    problems = []
    for item in error.errors():
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see the template for the keys allowed)"
        elif item["type"] == "missing":
            message = "is required"
        problems.append(Problem(prefix + tuple(item["loc"]), message))
    return problems


class NotFound(LookupError):
    """The thing does not exist, or this person may not know it exists. Raised by rule functions and routes
    alike; the app answers 404 (a page, a fragment or RFC 9457 problem details), with `detail` when given."""

    def __init__(self, detail: str | None = None):
        super().__init__(detail or "not found")
        self.detail = detail


def found(row: T | None, detail: str | None = None) -> T:
    """`row`, or NotFound when there is none: `team = found(session.get(Team, team_id))`."""
    if row is None:
        raise NotFound(detail)
    return row
