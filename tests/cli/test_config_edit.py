"""The in-place edit of hardware.vosk_models that `lobby models install` makes: comments and layout kept."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lobby.config_edit import ConfigEditError, set_vosk_model, with_vosk_model

CONFIG = """\
# the branch
branch: {id: b1, name: Test}   # inline comment

hardware:
  # the printer
  printer: "none:"     # none
  vosk_model: ""       # the English model
  speaker: default
# trailing comment of the file
"""


def test_a_missing_entry_is_added_after_vosk_model_and_every_comment_stays() -> None:
    edited = with_vosk_model(CONFIG, "zh", "var/models/vosk/zh/small-cn")

    lines = edited.splitlines()
    assert lines[lines.index('  vosk_model: ""       # the English model') + 1 :][:2] == [
        "  vosk_models:",
        '    zh: "var/models/vosk/zh/small-cn"',
    ]
    assert [line for line in lines if "#" in line] == [line for line in CONFIG.splitlines() if "#" in line]
    assert yaml.safe_load(edited)["hardware"]["vosk_models"] == {"zh": "var/models/vosk/zh/small-cn"}


def test_an_existing_entry_is_replaced_and_another_language_added_beside_it() -> None:
    first = with_vosk_model(CONFIG, "zh", "old/zh")
    second = with_vosk_model(with_vosk_model(first, "en", "models/en"), "zh", "new/zh")

    models = yaml.safe_load(second)["hardware"]["vosk_models"]
    assert models == {"zh": "new/zh", "en": "models/en"}
    assert second.count("vosk_models:") == 1 and "old/zh" not in second


def test_flow_style_mapping_and_trailing_comment() -> None:
    text = "hardware:\n    vosk_models: {en: a/en}  # per language\n    printer: x\n"

    edited = with_vosk_model(text, "zh", "b/zh")

    assert edited.splitlines()[1] == '    vosk_models: {en: "a/en", zh: "b/zh"}  # per language'
    assert yaml.safe_load(edited)["hardware"] == {"vosk_models": {"en": "a/en", "zh": "b/zh"}, "printer": "x"}


def test_a_config_without_a_hardware_section_gets_one() -> None:
    edited = with_vosk_model("branch: {id: b1}\n", "no", "models/no")  # "no" would be read as false unquoted

    assert yaml.safe_load(edited) == {"branch": {"id": "b1"}, "hardware": {"vosk_models": {"no": "models/no"}}}


def test_a_layout_it_cannot_edit_safely_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    config = tmp_path / "branch.yml"
    config.write_text("hardware: {printer: x}  # all on one line\n", encoding="utf-8")
    before = config.read_bytes()

    with pytest.raises(ConfigEditError) as caught:
        set_vosk_model(config, "zh", "m/zh")

    assert "add by hand" in str(caught.value) and 'zh: "m/zh"' in str(caught.value)
    assert config.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["branch.yml"]  # no temporary file left


def test_the_file_is_rewritten_in_place(tmp_path: Path) -> None:
    config = tmp_path / "branch.yml"
    config.write_text(CONFIG, encoding="utf-8")
    config.chmod(0o640)

    set_vosk_model(config, "zh", "m/zh")

    assert yaml.safe_load(config.read_text(encoding="utf-8"))["hardware"]["vosk_models"] == {"zh": "m/zh"}
    assert config.stat().st_mode & 0o777 == 0o640
