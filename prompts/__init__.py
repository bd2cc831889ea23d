"""Prompt templates, one file per task, each with a name, a version and the hash of the text that version names.

A template file starts with a front-matter header (`name`, `version`, `content_hash`, and `temperature` if
the task wants one) between `---` lines; the rest is the instruction text given to the model as the system
message. Workers record the name and version of every call, so a change of text must come with a new version: `tests/llm/test_prompts.py`
fails when the text no longer matches the hash recorded beside its version.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    content_hash: str  # as recorded in the header
    instructions: str
    temperature: float | None = None  # None: the server's default

    @property
    def actual_hash(self) -> str:
        return text_hash(self.instructions)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()[:16]


def parse(source: str) -> PromptTemplate:
    """A template from a file's text. Raises ValueError when the header is missing or incomplete."""
    if not source.startswith("---\n"):
        raise ValueError("a prompt template starts with a --- header")
    header, _, body = source[4:].partition("\n---\n")
    meta = yaml.safe_load(header) or {}
    missing = {"name", "version", "content_hash"} - meta.keys()
    if missing:
        raise ValueError(f"header lacks {', '.join(sorted(missing))}")
    temperature = meta.get("temperature")
    return PromptTemplate(str(meta["name"]), str(meta["version"]), str(meta["content_hash"]), body.strip(),
                          None if temperature is None else float(temperature))


@lru_cache(maxsize=None)
def load(name: str) -> PromptTemplate:
    """The template `name` (prompts/<name>.md). Raises FileNotFoundError for an unknown name."""
    template = parse((FOLDER / f"{name}.md").read_text())
    if template.name != name:
        raise ValueError(f"prompts/{name}.md names itself {template.name!r}")
    return template


def all_templates() -> list[PromptTemplate]:
    return [load(path.stem) for path in sorted(FOLDER.glob("*.md"))]
