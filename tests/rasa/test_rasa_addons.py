"""The project's NLU components (rasa_addons/): real Jieba, OpenCC and sentence encoder, no model training."""

# ruff: noqa: RUF001

from __future__ import annotations

import numpy as np
import pytest
from lobby_wire.clarify import clarify_choices
from lobby_wire.lang import detect_lang
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa_addons.lang import LanguageTagger
from rasa_addons.sentence_encoder import SentenceEncoderFeaturizer, encode
from rasa_addons.tokenizer import MixedTokenizer, StableToken


@pytest.fixture(scope="module")
def tokenizer() -> MixedTokenizer:
    return MixedTokenizer(MixedTokenizer.get_default_config(), None, None)


def words(tokenizer: MixedTokenizer, text: str) -> list[str]:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return [token.text for token in message.get(TOKENS_NAMES[TEXT])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i'd like to take out £200, please!", ["i", "d", "like", "to", "take", "out", "£200", "please"]),
        ("我想 open an account", ["我", "想", "open", "an", "account"]),
        ("withdraw 两千", ["withdraw", "两千"]),
        ("取两千块明天上午十点半", ["取", "两千", "块", "明天", "上午", "十", "点半"]),
        ("我要取3千美元", ["我要", "取", "3千", "美元"]),
        ("转2万给我", ["转", "2万", "给", "我"]),
        ("往国外转一万美元", ["往", "国外", "转", "一万", "美元"]),
        ("约的十点来不了了", ["约", "的", "十", "点", "来", "不了", "了"]),
        ("今天下午三点", ["今天", "下午", "三", "点"]),
        ("稍等一下", ["稍等一下"]),
        ("统一", ["统一"]),
        ("K七P二QX", ["K", "七", "P", "二", "QX"]),
        ("手机号13812345678", ["手机号", "13812345678"]),
    ],
)
def test_tokens_for_english_chinese_and_mixed_text(tokenizer: MixedTokenizer, text: str, expected: list[str]) -> None:
    assert words(tokenizer, text) == expected


def test_traditional_characters_are_read_as_simplified(tokenizer: MixedTokenizer) -> None:
    message = Message(data={TEXT: "我的卡丟了，怎麼辦？"})
    tokenizer.process([message])
    assert message.get(TEXT) == "我的卡丢了，怎么办？"
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["我", "的", "卡", "丢", "了", "怎么办"]


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("網路銀行登不進去", "网络银行登不进去"),  # Taiwan's words as the mainland's, not only its characters
        ("軟體更新以後就打不開了", "软件更新以后就打不开了"),
        ("我想換一點日幣", "我想换一点日币"),
    ],
)
def test_taiwan_words_are_read_as_the_mainlands(tokenizer: MixedTokenizer, text: str, read_as: str) -> None:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    assert message.get(TEXT) == read_as
    for token in message.get(TOKENS_NAMES[TEXT]):
        assert read_as[token.start : token.end] == token.text


def test_a_phrase_conversion_that_would_move_offsets_falls_back_to_characters() -> None:
    from rasa_addons.tokenizer import to_simplified

    # tw2sp reads 記憶體 as 内存 (three characters as two): entity offsets would point past the words
    assert to_simplified("電腦記憶體不夠") == "电脑记忆体不够"
    assert to_simplified("開戶 open an account") == "开户 open an account"


def test_token_offsets_point_into_the_text(tokenizer: MixedTokenizer) -> None:
    text = "嗯 那个 我想取 2000 块 withdraw 两千 from my savings"
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    for token in message.get(TOKENS_NAMES[TEXT]):
        assert text[token.start : token.end] == token.text


def test_tokens_keep_rasas_fingerprint_and_drop_it_when_they_change(tokenizer: MixedTokenizer) -> None:
    message = Message(data={TEXT: "withdraw 两千 from my savings"})
    tokenizer.process([message])
    token = message.get(TOKENS_NAMES[TEXT])[1]
    assert isinstance(token, StableToken)
    plain = Token(token.text, token.start, token.end, dict(token.data), token.lemma)
    assert token.fingerprint() == plain.fingerprint()
    for change in (lambda t: t.set("pattern", {"amount": True}), lambda t: setattr(t, "end", t.end + 1)):
        before = token.fingerprint()
        change(token)
        change(plain)
        assert token.fingerprint() == plain.fingerprint() != before


def tag(text: str, metadata: dict | None = None) -> str:
    message = Message(data={TEXT: text, "metadata": metadata} if metadata is not None else {TEXT: text})
    LanguageTagger().process([message])
    langs = [e["value"] for e in message.get(ENTITIES) if e["entity"] == "lang"]
    assert len(langs) == 1
    return langs[0]


def test_the_language_tag_follows_the_hub_else_the_text() -> None:
    assert tag("我的卡丢了") == "zh"
    assert tag("i lost my card") == "en"
    assert tag("K7P2QX", {"lang": "zh"}) == "zh"  # the hub decided with the conversation's language
    assert tag("我想 open an account", {"lang": "en"}) == "en"
    assert tag("我想 open an account") == detect_lang("我想 open an account") == "zh"


def test_the_sentence_encoder_brings_the_same_request_together_across_languages() -> None:
    vectors = encode(["my card was stolen", "我的卡被偷了", "i want to open an account", "我想开户"])
    similarity = vectors @ vectors.T
    assert vectors.shape == (4, 512)
    assert similarity[0, 1] > similarity[0, 2] + 0.3
    assert similarity[2, 3] > similarity[2, 1] + 0.3


def test_the_featurizer_adds_one_scaled_sentence_vector() -> None:
    featurizer = SentenceEncoderFeaturizer({**SentenceEncoderFeaturizer.get_default_config(), "scale": 8.0}, "use")
    message = Message(data={TEXT: "工资还没到账"})
    featurizer.process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, 512)
    assert np.isclose(np.linalg.norm(sentence.features), 8.0, atol=0.05)


def test_clarification_offers_only_plausible_services() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "replace_card", "confidence": 0.25},
               {"name": "greet", "confidence": 0.2}, {"name": "report_lost_card", "confidence": 0.2},
               {"name": "pay_bill", "confidence": 0.05}]  # fmt: skip
    assert clarify_choices(ranking, ["replace_card", "report_lost_card", "pay_bill"]) == [
        "replace_card",
        "report_lost_card",
    ]
