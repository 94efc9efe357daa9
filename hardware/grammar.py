"""Grammar mode: the phrase list that restricts what the recognizer may hear.

A small Vosk model decoding free speech confuses a customer's request with
any of its tens of thousands of words; told the kiosk's phrases it only has to
choose among them (see `lobby bench voice`). The phrases come from the NLU
training data, so the recognizer and the assistant share one vocabulary:

    phrases = vocabulary_phrases(recognizer, phrases_from_nlu(Path("nlu_data/nlu.yml"), limit=200))
    recognizer.transcribe(audio, grammar=phrases)

The NLU data is English: for a model in another language (the Korean model
the tests use) pass a phrase list in that language instead; every function
here takes any list of phrases. Vosk turns the list into a bigram language
model, so it can still answer a blend of phrases (synthetic "통장을 만들고
싶어요" came out as "주세요 만들고 싶어요" next to "번호표 주세요");
`nearest_phrase` maps such an answer to the closest phrase of the list when
the caller needs one of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from itertools import chain, zip_longest
from pathlib import Path
from typing import Protocol

import yaml

logger = logging.getLogger(__name__)

# Rasa entity annotations: [text](entity), [text](entity:value), [text]{"entity": "..."}
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_DIGIT_GROUPING = re.compile(r"(?<=\d),(?=\d{3})")  # "1,500" -> "1500"
# Anything but letters, digits, spaces and apostrophes inside words ("i'd", "don't").
_PUNCTUATION = re.compile(r"[^\w\s']|_|(?<!\w)'|'(?!\w)")


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


def vocabulary_phrases(recognizer: Vocabulary, phrases: Sequence[str]) -> list[str]:
    """The phrases whose every word the recognizer's model knows (order kept, duplicates dropped).

    A phrase with an unknown word cannot be matched in grammar mode (Vosk would
    drop the word and hear a shorter phrase), so it is left out here.
    """
    candidates = _dedupe(" ".join(phrase.split()) for phrase in phrases)
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
