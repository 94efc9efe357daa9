"""Grammar mode: the phrase list that restricts what the recognizer may hear.

A small Vosk model decoding free speech confuses a customer's request with
any of its tens of thousands of words; told the kiosk's phrases it only has to
choose among them (see `lobby bench voice`). The phrases come from the NLU
training data, so the recognizer and the assistant share one vocabulary:

    phrases = vocabulary_phrases(recognizer, phrases_from_nlu(Path("nlu_data/nlu.yml"), limit=200))
    recognizer.transcribe(audio, grammar=phrases)

Each language has its own phrases: `grammar_phrases("nlu", lang, base_dir)`
reads every NLU file under `nlu_data/` and keeps the examples in `lang`
(`lobby_wire.lang.detect_lang`), so English and Chinese data may live in one
file or several; a phrase file gives any other list (the Korean model the
tests use). Chinese is written without spaces but a Vosk model's words are
space-separated, so Han text is cut into the model's own words (longest match
in its vocabulary) before it becomes a grammar, and the recognizer's words are
joined back without spaces (`join_words`). Vosk turns the list into a bigram
language model, so it can still answer a blend of phrases (synthetic "통장을
만들고 싶어요" came out as "주세요 만들고 싶어요" next to "번호표 주세요");
`nearest_phrase` maps such an answer to the closest phrase of the list when
the caller needs one of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Container, Iterable, Sequence
from itertools import chain, zip_longest
from pathlib import Path
from typing import Protocol

import yaml

from lobby_wire.lang import HAN, HAN_CHARS, detect_lang, han_count, latin_word_count

logger = logging.getLogger(__name__)

# Rasa entity annotations: [text](entity), [text](entity:value), [text]{"entity": "..."}
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_DIGIT_GROUPING = re.compile(r"(?<=\d),(?=\d{3})")  # "1,500" -> "1500"
# Anything but letters, digits, spaces and apostrophes inside words ("i'd", "don't").
_PUNCTUATION = re.compile(r"[^\w\s']|_|(?<!\w)'|'(?!\w)")
# Han characters (as lobby_wire.lang counts them), and a text cut into Han and non-Han runs.
_HAN_RUNS = re.compile(f"[{HAN_CHARS}]+|[^{HAN_CHARS}]+")
LONGEST_WORD = 7  # longest Han word looked up in a model's vocabulary ("中华人民共和国")


class Vocabulary(Protocol):
    """What `vocabulary_phrases` needs of a recognizer (VoskRecognizer has it)."""

    def unknown_words(self, phrases: Sequence[str]) -> tuple[str, ...]: ...


def normalize_phrase(text: str) -> str:
    """A training example as a recognizer would say it: annotations stripped, lower case, no punctuation."""
    text = _ANNOTATION.sub(r"\1", text)
    text = _PUNCTUATION.sub(" ", _DIGIT_GROUPING.sub("", text.lower()))
    return " ".join(text.split())


def _dedupe(phrases: Iterable[str]) -> list[str]:
    return [phrase for phrase in dict.fromkeys(phrases) if phrase]


def phrases_from_nlu(path: Path, limit: int | None = None) -> list[str]:
    """Normalized, de-duplicated intent examples of a Rasa NLU YAML file.

    With `limit`, intents take turns (first example of each intent, then the
    second, ...) so a short list still covers every intent.
    """
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    per_intent: list[list[str]] = []
    for item in document.get("nlu", []) or []:
        if not isinstance(item, dict) or "intent" not in item:
            continue  # synonyms, lookups and regexes are not things people say
        examples = str(item.get("examples", ""))
        lines = (line.strip() for line in examples.splitlines())
        per_intent.append(
            _dedupe(normalize_phrase(line.removeprefix("-").strip()) for line in lines if line.startswith("-"))
        )
    interleaved = chain.from_iterable(zip_longest(*per_intent, fillvalue=""))
    phrases = _dedupe(interleaved)
    return phrases if limit is None else phrases[: max(0, limit)]


def join_words(words: Iterable[str]) -> str:
    """Words as a person writes them: spaces between words, none between two Han characters.

    ["我的", "卡", "丢", "了"] -> "我的卡丢了"; ["我想", "open", "an", "account"] -> "我想 open an account".
    """
    text = ""
    for word in words:
        if not word:
            continue
        if text and not (HAN.match(text[-1]) and HAN.match(word[0])):
            text += " "
        text += word
    return text


def _han_runs(phrases: Iterable[str]) -> list[str]:
    return [run for phrase in phrases for run in _HAN_RUNS.findall(phrase) if HAN.match(run)]


def segment_han(phrase: str, known: Container[str], longest: int = LONGEST_WORD) -> str:
    """`phrase` with its Han text cut into the longest words of `known` (single characters otherwise).

    Forward maximum matching against the model's own vocabulary: "我的卡丢了" -> "我的 卡 丢了"
    when the model knows 我的 and 丢了. Non-Han words are kept as they are.
    """
    words: list[str] = []
    for token in phrase.split():
        for run in _HAN_RUNS.findall(token):
            if not HAN.match(run):
                words.append(run)
                continue
            start = 0
            while start < len(run):
                end = min(len(run), start + longest)
                while end > start + 1 and run[start:end] not in known:
                    end -= 1
                words.append(run[start:end])
                start = end
    return " ".join(words)


def model_words(recognizer: Vocabulary, phrases: Sequence[str]) -> list[str]:
    """`phrases` written in the model's words: Han text segmented by its vocabulary (see `segment_han`)."""
    runs = _han_runs(phrases)
    if not runs:
        return list(phrases)
    pieces = _dedupe(
        run[start:end]
        for run in runs
        for start in range(len(run))
        for end in range(start + 1, min(len(run), start + LONGEST_WORD) + 1)
    )
    unknown = set(recognizer.unknown_words(pieces))
    known = frozenset(piece for piece in pieces if piece not in unknown)
    return [segment_han(phrase, known) for phrase in phrases]


def vocabulary_phrases(recognizer: Vocabulary, phrases: Sequence[str]) -> list[str]:
    """The phrases whose every word the recognizer's model knows (order kept, duplicates dropped).

    A phrase with an unknown word cannot be matched in grammar mode (Vosk would
    drop the word and hear a shorter phrase), so it is left out here. Chinese
    phrases come back cut into the model's words ("我的 卡 丢了").
    """
    candidates = _dedupe(model_words(recognizer, _dedupe(" ".join(phrase.split()) for phrase in phrases)))
    unknown = set(recognizer.unknown_words(candidates)) if candidates else set()
    kept = [phrase for phrase in candidates if not unknown.intersection(phrase.split())]
    if len(kept) < len(candidates):
        logger.info(
            "%d of %d grammar phrases left out (unknown words: %s)",
            len(candidates) - len(kept),
            len(candidates),
            sorted(unknown),
        )
    return kept


def edit_distance(first: Sequence[str], second: Sequence[str]) -> int:
    """Levenshtein distance (insertions, deletions, substitutions) between two sequences."""
    if len(first) < len(second):
        first, second = second, first
    previous = list(range(len(second) + 1))
    for row, item in enumerate(first, start=1):
        current = [row]
        for column, other in enumerate(second, start=1):
            current.append(min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (item != other)))
        previous = current
    return previous[-1]


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Character edits / reference characters, spaces ignored (Korean spacing varies)."""
    reference_chars = "".join(reference.split())
    hypothesis_chars = "".join(hypothesis.split())
    if not reference_chars:
        return 0.0 if not hypothesis_chars else 1.0
    return edit_distance(reference_chars, hypothesis_chars) / len(reference_chars)


def nearest_phrase(text: str, phrases: Sequence[str]) -> str | None:
    """The phrase of `phrases` closest to `text` by character error rate (first wins a tie); None for no text."""
    if not text.strip() or not phrases:
        return None
    return min(phrases, key=lambda phrase: character_error_rate(phrase, text))


def nlu_phrases(directory: Path, lang: str) -> list[str]:
    """The intent examples in `lang` of every NLU file under `directory` (recursively, sorted by path).

    Which language an example is in is `lobby_wire.lang.detect_lang`'s answer with `lang` as the
    hint, so mixed sentences ("我想 open an account") count for both languages; examples without
    words (a phone number, an amount) belong to none.
    """
    phrases: list[str] = []
    for path in sorted(directory.rglob("*.yml")):
        phrases.extend(
            phrase
            for phrase in phrases_from_nlu(path)
            if han_count(phrase) + latin_word_count(phrase) and detect_lang(phrase, hint=lang) == lang
        )
    return _dedupe(phrases)


def grammar_phrases(spec: str, lang: str, base_dir: Path) -> list[str]:
    """The phrase list of grammar `spec` in `lang`: "" -> none (free decoding), "nlu" -> the
    dialogue's training examples in `lang` (`nlu_data/`), anything else -> a file of phrases,
    one per line (relative paths resolve against `base_dir`)."""
    spec = spec.strip()
    if not spec:
        return []
    if spec == "nlu":
        phrases = nlu_phrases(base_dir / "nlu_data", lang)
        if not phrases:
            logger.warning("no %s examples in %s: grammar mode off for %s", lang, base_dir / "nlu_data", lang)
        return phrases
    path = Path(spec) if Path(spec).is_absolute() else base_dir / spec
    lines = path.read_text(encoding="utf-8").splitlines()
    return _dedupe(normalize_phrase(line) for line in lines)
