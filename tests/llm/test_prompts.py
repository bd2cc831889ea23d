"""Prompt templates: each has a name and a version, and its text cannot change without a new version."""
import pytest

from prompts import all_templates, load, parse, text_hash


def test_every_template_text_matches_the_hash_recorded_beside_its_version():
    templates = all_templates()
    assert {template.name for template in templates} >= {"reflection_prompt", "team_summary", "summary_merge"}
    for template in templates:
        assert template.version, template.name
        assert template.content_hash == template.actual_hash, (
            f"prompts/{template.name}.md changed without a version bump: bump `version` and set "
            f"`content_hash: {template.actual_hash}`")


def test_a_changed_text_is_caught_by_its_hash():
    source = (load("team_summary").instructions)
    header = f"---\nname: team_summary\nversion: \"1\"\ncontent_hash: {text_hash(source)}\n---\n"
    assert parse(header + source).actual_hash == parse(header + source).content_hash
    edited = parse(header + source + "\nAlso praise the lead.")
    assert edited.actual_hash != edited.content_hash


def test_a_template_without_a_version_is_refused():
    with pytest.raises(ValueError, match="version"):
        parse("---\nname: x\ncontent_hash: abc\n---\ntext")


def test_templates_follow_the_reflective_cycle():
    text = load("reflection_prompt").instructions
    assert "What? So what? Now what?" in text
