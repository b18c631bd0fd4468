"""The storyboard: every entry points at a real scene class, names resolve, typos get suggestions."""

from __future__ import annotations

import ast

import pytest

from llmfacts.storyboard import STORY, UnknownSceneError, find_scene


def test_entries_point_at_scene_classes_with_steps_and_summary():
    for entry in STORY:
        tree = ast.parse(entry.path.read_text())
        classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        assert entry.name in classes, f"{entry.path} defines no class {entry.name}"


def test_names_and_aliases_are_unique():
    names = [n for e in STORY for n in e.names()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", ["relugate", "ReluGate", "RELU", " relu "])
def test_lookup_is_case_insensitive_and_takes_aliases(name):
    assert find_scene(name).name == "ReluGate"


def test_typo_suggests_close_names():
    with pytest.raises(UnknownSceneError) as info:
        find_scene("relugat")
    assert "did you mean 'ReluGate'" in str(info.value)


def test_nonsense_points_to_list():
    with pytest.raises(UnknownSceneError, match="render.py list"):
        find_scene("qqqqqqq")


def test_entries_resolve_to_story_scene_classes():
    from llmfacts.story import StoryScene

    for entry in STORY:
        cls = entry.scene_class()
        assert issubclass(cls, StoryScene) and cls.__name__ == entry.name
        assert cls.steps, f"{entry.name} has no steps"


def test_summaries_come_from_the_lecture():
    """Each class builds its one-line summary from the lecture: another fact never shows the default's."""
    from llmfacts.compute.lecture import DEFAULT_LECTURE, Lecture, SuperpositionSpec, ToyBlock
    from llmfacts.compute.toy_mlp import ToyFact

    other = Lecture(name="marie-curie", fact=ToyFact("Marie", "Curie", "chemistry"),
                    prompt_words=("worked", "in", "the", "field", "of"), toy=ToyBlock(d_model=20),
                    superposition=SuperpositionSpec(n=3000, d=60))
    for entry in STORY:
        default, custom = entry.describe(DEFAULT_LECTURE), entry.describe(other)
        assert default.strip() and "\n" not in default
        for typed in ("Michael", "Jordan", "basketball", "10,000", "100-D"):
            assert typed not in custom, f"{entry.name}: summary for another lecture still says {typed!r}: {custom}"
