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
