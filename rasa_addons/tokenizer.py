# ruff: noqa: RUF001, RUF003
"""One tokenizer for English, Mandarin and code-switched sentences ("我想 open an account").

Rasa ships a whitespace tokenizer (English) and a Jieba tokenizer (Chinese), and a model has one. Lobby's
customers use both languages in one conversation, often in one sentence, so this tokenizer splits the text
into runs of Han characters and everything else:

* Han runs are segmented by Jieba (Rasa's `JiebaTokenizer`, whose custom-dictionary handling this keeps);
  a leading run of numerals is split from a unit after it ("两千块" -> "两千" "块", "十点" -> "十" "点"), so
  amounts and times are whole tokens the entity extractors can tag, like "2000 pounds" in English.
* Other runs go through Rasa's own `WhitespaceTokenizer` rules, so English is tokenised exactly as before.
* Traditional characters are converted to simplified first with OpenCC's Taiwan-to-mainland table with
  phrases ("tw2sp"), so "我的卡丟了" is read as "我的卡丢了" and Taiwan's words as the mainland's ("網路銀行"
  -> "网络银行", "軟體" -> "软件"). Entity offsets must stay valid, so a conversion that changes the text's
  length falls back to character-for-character "t2s", and one that still does to the text as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lobby_wire.lang import HAN_CHARS
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

HAN_RUN = re.compile(f"[{HAN_CHARS}]+")
NUMERALS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
# Units that follow a number: money, clock, calendar, counting. A numeral run is split off only before
# one of these, so words that merely contain a numeral ("一下", "统一", "一起") stay whole.
UNITS = "块元圆角毛点号日月年分刻半位个张岁次周天美欧港英人千百万"
UNIT_ALONE = "点块元号分刻"  # clock and money units that end a time or an amount
UNIT_WORDS = frozenset({"点钟", "点半", "分钟", "块钱", "元整", "号码"})
LEADING_NUMBER = re.compile(f"^([{NUMERALS}]+)(?=[{UNITS}])")
# A number inside a Han run, cut out before Jieba sees the run, so "转2万给我" or "往国外转一万美元" does not
# become "万给" / "转一": two or more numerals, or one magnitude (十百千万亿). A lone 一/两 stays inside its
# word ("一下", "两个", "统一").
NUMBER_IN_HAN = re.compile(f"[{NUMERALS}]{{2,}}|[十百千万亿拾佰仟]")
# Jieba's dictionary fuses a day with a part of the day ("今天下午"); customers correct one without the other
# ("不对，改成下午"), so they are separate words here.
DAY_WORDS = ("今天", "明天", "后天", "昨天", "大后天")
PART_WORDS = ("上午", "下午", "中午", "晚上", "早上", "傍晚")
NUMBER = re.compile(f"^[0-9０-９{NUMERALS}][0-9０-９.,{NUMERALS}]*$")


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (Taiwan phrases -> the mainland's), only when the text has Han
    characters, and only a conversion that keeps its length."""
    if not HAN_RUN.search(text):
        return text
    for config in ("tw2sp", "t2s"):
        converted = _converter(config).convert(text)
        if len(converted) == len(text):
            return converted
    return text


def split_number(word: str, start: int) -> list[Token]:
    """'两千块' at 5 -> [两千 @5, 块 @7]; anything else is one token."""
    match = LEADING_NUMBER.match(word)
    if not match or match.end() == len(word):
        return [Token(word, start)]
    cut = match.end()
    return [Token(word[:cut], start), Token(word[cut:], start + cut)]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class MixedTokenizer(JiebaTokenizer):
    """Jieba for Han runs, Rasa's whitespace rules for the rest; see the module docstring."""

    @staticmethod
    def supported_languages() -> list[str] | None:
        return None  # English, Chinese and both at once

    def __init__(self, config: dict[str, Any], model_storage: Any, resource: Any) -> None:
        super().__init__(config, model_storage, resource)
        self._latin = WhitespaceTokenizer({**WhitespaceTokenizer.get_default_config(), **self._latin_config(config)})

    @staticmethod
    def _latin_config(config: dict[str, Any]) -> dict[str, Any]:
        keys = ("intent_tokenization_flag", "intent_split_symbol", "token_pattern", "prefix_separator_symbol")
        return {key: config[key] for key in keys if key in config}

    def tokenize(self, message: Message, attribute: str) -> list[Token]:

        text = message.get(attribute)
        tokens: list[Token] = []
        position = 0
        for han in HAN_RUN.finditer(text):
            tokens += self._latin_tokens(text[position : han.start()], position)
            tokens += self._han_tokens(han.group(), han.start())
            position = han.end()
        tokens += self._latin_tokens(text[position:], position)
        tokens = split_units(join_numbers(tokens))
        if not tokens:  # punctuation only: keep one token, as the whitespace tokenizer does
            tokens = [Token(text, 0)]
        return [StableToken.like(token) for token in self._apply_token_pattern(tokens)]

    @staticmethod
    def _han_tokens(run: str, offset: int) -> list[Token]:
        import jieba

        _prepare_jieba()
        tokens: list[Token] = []
        position = 0
        for number in NUMBER_IN_HAN.finditer(run):
            tokens += _jieba_tokens(jieba, run[position : number.start()], offset + position)
            tokens.append(Token(number.group(), offset + number.start()))
            position = number.end()
        tokens += _jieba_tokens(jieba, run[position:], offset + position)
        return tokens

    def _latin_tokens(self, segment: str, offset: int) -> list[Token]:
        if not segment.strip() or not re.search(r"\w", segment):
            return []
        part = Message(data={TEXT: segment})
        return [Token(token.text, token.start + offset) for token in self._latin.tokenize(part, TEXT)]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            _simplify(example)
        return super().process_training_data(training_data)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            _simplify(message)
        return super().process(messages)


class StableToken(Token):
    """Rasa's Token that keeps its fingerprint until it changes.

    `rasa train` fingerprints the whole training data after every pipeline step (its cache keys), and a
    token's fingerprint is a JSON dump of its fields, computed afresh each time: ~50,000 tokens, ~2 s a
    step, six steps (the data's six fingerprints took 15.8 s CPU, 4.9 s with these tokens; same values).
    Rasa 3.6 changes a token only through `set` (RegexFeaturizer's "pattern"); that and any assignment
    drop the kept value.
    """

    _fingerprint: str | None = None

    @classmethod
    def like(cls, token: Token) -> StableToken:
        return cls(token.text, token.start, token.end, token.data, token.lemma)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        object.__setattr__(self, "_fingerprint", None)

    def set(self, prop: str, info: Any) -> None:
        super().set(prop, info)
        self._fingerprint = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            fingerprint = super().fingerprint()
            object.__setattr__(self, "_fingerprint", fingerprint)
            return fingerprint
        return self._fingerprint


def _jieba_tokens(jieba: Any, piece: str, offset: int) -> list[Token]:
    tokens: list[Token] = []
    for word, start, _end in jieba.tokenize(piece) if piece else ():
        tokens += split_number(word, offset + start)
    return tokens


@lru_cache(maxsize=1)
def _prepare_jieba() -> None:
    import jieba

    for day in DAY_WORDS:
        for part in PART_WORDS:
            jieba.suggest_freq((day, part), tune=True)


def join_numbers(tokens: list[Token]) -> list[Token]:
    """Adjacent number pieces are one number: Jieba's "两" "千" -> "两千"; "3" "千" -> "3千" (mixed forms)."""
    out: list[Token] = []
    for token in tokens:
        last = out[-1] if out else None
        if last is not None and last.end == token.start and NUMBER.match(last.text) and NUMBER.match(token.text):
            out[-1] = Token(last.text + token.text, last.start)
        else:
            out.append(token)
    return out


def split_units(tokens: list[Token]) -> list[Token]:
    """A clock or money unit that Jieba glued to the next word after a number ("十" "点来" -> "十" "点" "来")
    is cut off it, so a time or an amount ends on a token boundary; the units' own words ("点钟", "点半",
    "分钟") stay whole."""
    out: list[Token] = []
    for token in tokens:
        last = out[-1] if out else None
        text = token.text
        if (
            last is not None
            and last.end == token.start
            and NUMBER.match(last.text)
            and len(text) > 1
            and text[0] in UNIT_ALONE
            and text not in UNIT_WORDS
        ):
            out += [Token(text[0], token.start), Token(text[1:], token.start + 1)]
        else:
            out.append(token)
    return out


def _simplify(message: Message) -> None:
    text = message.get(TEXT)
    if isinstance(text, str) and text:
        simplified = to_simplified(text)
        if simplified != text:
            message.set(TEXT, simplified)
