"""`lobby train` retrains only when what training reads changed: a comment, a blank line or a reordered
mapping in the YAML, or a comment in the pipeline's components, keeps the model (it used to cost a
90-second training); a changed setting, example or line of code makes a new one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lobby.dialogue import COMPONENT_DIRS, TRAINING_DIRS, TRAINING_INPUTS, RasaProject, training_content
from tests.support import ROOT


@pytest.fixture
def project(tmp_path: Path) -> RasaProject:
    for name in TRAINING_INPUTS:
        shutil.copy2(ROOT / name, tmp_path / name)
    for directory in (*TRAINING_DIRS, *COMPONENT_DIRS):
        shutil.copytree(ROOT / directory, tmp_path / directory, ignore=shutil.ignore_patterns("__pycache__"))
    return RasaProject(root=tmp_path, venv=tmp_path / ".venv-rasa")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copy_hashes_like_the_checkout(project: RasaProject) -> None:
    assert project.input_hash() == RasaProject(root=ROOT, venv=ROOT / ".venv-rasa").input_hash()


def test_comments_and_layout_keep_the_model(project: RasaProject) -> None:
    before = project.input_hash()
    config = project.root / "config.yml"
    config.write_text("# a note for the next reader\n\n" + config.read_text(encoding="utf-8") + "\n# the end\n")
    component = next((project.root / "rasa_addons").glob("*.py"))
    component.write_text("# why this component exists\n" + component.read_text(encoding="utf-8") + "\n\n")
    domain = project.root / "domain.yml"
    domain.write_text(domain.read_text(encoding="utf-8").replace("intents:", "intents:   # what customers ask", 1))
    assert project.input_hash() == before


def test_a_reordered_mapping_keeps_the_model(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text("language: en\npipeline:\n- name: A\n- name: B\n")
    second.write_text("pipeline:\n  - name: A\n  - name: B\nlanguage: en  # English first\n")
    assert training_content(first) == training_content(second)
    swapped = tmp_path / "c.yml"
    swapped.write_text("language: en\npipeline:\n- name: B\n- name: A\n")  # the pipeline's order is meaningful
    assert training_content(swapped) != training_content(first)


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        ("config.yml", "language:", "language: zh\nignored_by_rasa_but_read:"),
        ("domain.yml", "intents:", "intents:\n  - a_new_intent"),
        ("rasa_addons/__init__.py", "", "SETTING = 1\n"),
    ],
)
def test_a_change_training_reads_makes_a_new_model(project: RasaProject, relative: str, old: str, new: str) -> None:
    before = project.input_hash()
    _edit(project.root / relative, old, new)
    assert project.input_hash() != before


def test_a_new_example_makes_a_new_model(project: RasaProject) -> None:
    before = project.input_hash()
    data = next(p for p in sorted((project.root / "nlu_data").rglob("*.yml")) if "examples: |" in p.read_text())
    _edit(data, "examples: |\n", "examples: |\n      - a sentence nobody wrote before\n")
    assert project.input_hash() != before


def test_a_file_that_does_not_parse_is_hashed_as_it_is(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("pipeline: [unclosed\n")
    assert training_content(broken) == b"bytes:pipeline: [unclosed\n"
    code = tmp_path / "broken.py"
    code.write_text("def (:\n")
    assert training_content(code) == b"bytes:def (:\n"
