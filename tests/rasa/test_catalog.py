"""The per-language catalogs of the actions: same keys, same placeholders, really translated."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from actions.catalog import CATALOGS, catalog_lang, fits_language, join_list, join_sentences, say
from lobby_wire.lang import LANGUAGES, han_count

ACTIONS = Path(__file__).resolve().parents[2] / "actions"
# Keys whose text is punctuation or spacing, the same kind of thing in every language.
GRAMMAR = re.compile(r"^(sentence\.|punct\.|list\.|(busy|clarify)\.(last_)?sep$)")


def words(template: str) -> list[str]:
    """Latin words outside the placeholders."""
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", "", template))


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_every_language_of_the_product_has_a_catalog() -> None:
    assert set(CATALOGS) == set(LANGUAGES)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_key_is_in_every_language_with_the_same_placeholders(lang: str) -> None:
    english, other = CATALOGS["en"], CATALOGS[lang]
    assert set(english) - set(other) == set()  # missing in `lang`
    assert set(other) - set(english) == set()  # only in `lang`
    differing = {key: (placeholders(english[key]), placeholders(other[key])) for key in english
                 if placeholders(english[key]) != placeholders(other[key])}  # fmt: skip
    assert differing == {}


def test_chinese_is_chinese() -> None:
    """Every sentence is translated (not English copied over), in full-width punctuation."""
    english, chinese = CATALOGS["en"], CATALOGS["zh"]
    untranslated = [key for key, text in chinese.items()
                    if words(text) and (han_count(text) == 0 or text == english[key])]  # fmt: skip
    assert untranslated == []
    # The rest only arrange what they are given ("{day}{time}") or are punctuation.
    arranged = {key for key, text in chinese.items() if not words(text) and not han_count(text)}
    assert {key for key in arranged if not GRAMMAR.match(key)} == {
        "when.on",
        "when.at",
        "book.times_for_window",
        "book.times_for_day",
    }
    half_width = [key for key, text in CATALOGS["zh"].items() if re.search(r"[\u4e00-\u9fff][,.?!:;]", text)]
    assert half_width == []


def test_say_fills_a_template_and_falls_back_to_english() -> None:
    assert say("zh", "ahead.many", count=3) == "前面还有3位"
    assert say("fr", "ahead.many", count=3) == "There are 3 people ahead of you"
    assert catalog_lang("zh-CN") == "zh" and catalog_lang("fr") == "en" and catalog_lang(None) == "en"
    with pytest.raises(KeyError):
        say("en", "no.such.key")


def test_sentences_and_lists_follow_each_language() -> None:
    assert join_sentences("en", "One.", "", "Two.") == "One. Two."
    assert join_sentences("zh", "好的。", "", "请稍等。") == "好的。请稍等。"
    assert join_list("en", ["2 pm", "3 pm", "4 pm"]) == "2 pm, 3 pm or 4 pm"
    assert join_list("zh", ["下午2点", "下午3点", "下午4点"]) == "下午2点、下午3点或下午4点"
    assert join_list("zh", ["下午2点"]) == "下午2点"


def test_a_hub_text_is_used_only_in_its_own_language() -> None:
    assert fits_language("柜台工作人员会为您办理", "zh") and not fits_language("a member of staff", "zh")
    assert fits_language("a member of staff", "en") and not fits_language("工作人员", "en")


def test_no_action_module_builds_english_sentences_in_code() -> None:
    """Words customers read are catalog data: no string literal in the actions' code reads as an
    English sentence (three words or more), apart from docstrings, logs and the catalogs."""
    found = []
    for path in ACTIONS.rglob("*.py"):
        if "catalog" in path.parts or path.name.startswith("when") or path.name == "numbers.py":
            continue  # the catalogs, and the date/number grammars (vocabulary, H4a's)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}  # fmt: skip
        # Log lines and exceptions are for the staff and developers, in English.
        for_staff = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Raise)
            or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"info", "warning", "error"}
            )
        ]
        logged = {id(inner) for node in for_staff for inner in ast.walk(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | logged:
                if re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", node.value) and not node.value.startswith(("/", "%")):
                    found.append(f"{path.name}: {node.value[:60]}")
    assert found == [], "\n".join(found)
