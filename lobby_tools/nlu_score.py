"""Scoring the NLU on held-out sentences: intent accuracy, the right queue, clarifications, entities.

Pure functions over (gold examples, parses), so they are tested without Rasa. The parses come from
`scripts/rasa_parse.py` (the trained model, one parse per sentence, with its intent ranking).

What "right" means for a customer:
* **intent accuracy**: the model's top intent, fallback ignored (the gate in `make test`);
* **right queue**: two intents served by the same service in branch.yml (withdraw and deposit cash)
  land in the same queue, so a confusion between them costs the customer nothing;
* **within one clarification**: below the fallback threshold the assistant asks with buttons for the most
  likely services (`lobby_wire.clarify`, the rule the action uses); a turn counts as right when it is
  routed right directly, or when the right service is among the buttons offered.

Each sentence is scored as a conversation's first turn, where the product reads an `inform` parse by what
it carries: a booking code is a check-in (the rule "a booking code on its own checks in", nlu_data/rules.yml);
a product ("a personal loan" on its own) is read by what it names (`lobby_wire.clarify.named_services`, the
rule the triage action uses): one service is a request for it, several are asked about with buttons.
Intent accuracy stays the model's own top intent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from assistant.domain.kpi import percentile  # nearest rank, the dashboard's definition
from lobby_wire.clarify import FALLBACK_INTENT, clarify_choices, named_services

# "[two thousand](amount)", "[美元]{"entity": "currency", "value": "USD"}", "[x]{"entity": "y"}"
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")
LANG_ENTITY = "lang"
INFORM = "inform"
CODE_ENTITY, CHECK_IN = "appointment_code", "check_in"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    entities: tuple[tuple[int, int, str], ...]  # (start, end, entity name)


def _entity_name(match: re.Match[str]) -> str:
    if match.group("short"):
        return match.group("short").split(":")[0].split("=")[0].strip()
    data = yaml.safe_load(match.group("json")) or {}
    return str(data.get("entity", ""))


def parse_example(raw: str, intent: str) -> Example:
    """One annotated line of Rasa NLU YAML -> plain text with entity spans."""
    text, entities, position = "", [], 0
    for match in ANNOTATION.finditer(raw):
        text += raw[position : match.start()]
        start = len(text)
        text += match.group("text")
        entities.append((start, len(text), _entity_name(match)))
        position = match.end()
    text += raw[position:]
    return Example(text=text.strip(), intent=intent, entities=tuple(entities))


def load_examples(document: str) -> list[Example]:
    """The `- intent: ... examples: |` blocks of a Rasa 3 NLU YAML document."""
    data = yaml.safe_load(document) or {}
    examples: list[Example] = []
    for block in data.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(parse_example(line[2:].strip(), intent))
    return examples


def queue_of(intent: str | None, services: Mapping[str, str]) -> str | None:
    """The service (queue) an intent leads to; a conversation intent is its own 'queue'."""
    if intent is None:
        return None
    return services.get(intent, f"intent:{intent}")


def _entity_scores(pairs: Iterable[tuple[Example, Mapping[str, Any]]]) -> dict[str, Any]:
    """Exact-span entity precision/recall/F1 per entity name (the internal lang entity left out)."""
    true_pos: Counter[str] = Counter()
    gold_count: Counter[str] = Counter()
    predicted_count: Counter[str] = Counter()
    for example, parse in pairs:
        gold = set(example.entities)
        predicted = {
            (int(e["start"]), int(e["end"]), str(e["entity"]))
            for e in parse.get("entities") or []
            if e.get("entity") != LANG_ENTITY and e.get("start") is not None
        }
        for _, _, name in gold:
            gold_count[name] += 1
        for _, _, name in predicted:
            predicted_count[name] += 1
        for _, _, name in gold & predicted:
            true_pos[name] += 1
    scores: dict[str, Any] = {}
    for name in sorted(set(gold_count) | set(predicted_count)):
        precision = true_pos[name] / predicted_count[name] if predicted_count[name] else 0.0
        recall = true_pos[name] / gold_count[name] if gold_count[name] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[name] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                        "support": gold_count[name]}  # fmt: skip
    total_tp, total_gold, total_pred = sum(true_pos.values()), sum(gold_count.values()), sum(predicted_count.values())
    precision = total_tp / total_pred if total_pred else 0.0
    recall = total_tp / total_gold if total_gold else 0.0
    micro = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"micro_f1": round(micro, 4), "per_entity": scores}


def score(
    examples: Sequence[Example], parses: Sequence[Mapping[str, Any]], services: Mapping[str, str]
) -> dict[str, Any]:
    """The report for one held-out set. `services`: intent -> service id (branch.yml)."""
    if len(examples) != len(parses):
        raise ValueError(f"{len(examples)} examples but {len(parses)} parses")
    if not examples:
        raise ValueError("no examples")
    service_intents = list(dict.fromkeys(services))
    correct = queue_right = direct_right = direct_wrong = clarified = clarified_right = menu = 0
    support: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    errors: list[dict[str, Any]] = []
    for example, parse in zip(examples, parses, strict=True):
        ranking = [r for r in parse.get("ranking") or [] if r.get("name") != FALLBACK_INTENT]
        top = ranking[0]["name"] if ranking else None
        gold_queue = queue_of(example.intent, services)
        support[example.intent] += 1
        if top == example.intent:
            correct += 1
            hits[example.intent] += 1
        else:
            confusions[(example.intent, str(top))] += 1
            errors.append({"text": example.text, "intent": example.intent, "predicted": top,
                           "confidence": ranking[0]["confidence"] if ranking else 0.0})  # fmt: skip
        routed, named = top, []
        if top == INFORM and example.intent != INFORM:  # a first turn: a code, a product, or nothing
            entities = parse.get("entities") or []
            if any(e.get("entity") == CODE_ENTITY for e in entities):
                routed = CHECK_IN
            else:
                named = named_services(entities)
                routed = named[0] if len(named) == 1 else None
        if queue_of(routed, services) == gold_queue:
            queue_right += 1
        fallback = parse.get("intent") == FALLBACK_INTENT
        if fallback or len(named) > 1:
            clarified += 1
            offered = clarify_choices(ranking, service_intents) if fallback else named
            if not offered:
                menu += 1
            elif gold_queue in {queue_of(name, services) for name in offered}:
                clarified_right += 1
        elif queue_of(routed, services) == gold_queue:
            direct_right += 1
        else:
            direct_wrong += 1
    n = len(examples)
    per_intent = {
        name: {"recall": round(hits[name] / count, 4), "support": count} for name, count in sorted(support.items())
    }
    latencies = [float(p.get("ms") or 0.0) for p in parses]
    return {
        "examples": n,
        "accuracy": round(correct / n, 4),
        "queue_accuracy": round(queue_right / n, 4),
        "routing": {
            "direct_right": direct_right,
            "direct_wrong": direct_wrong,
            "clarified": clarified,
            "clarified_right": clarified_right,
            "full_menu": menu,
            "right_within_one_clarification": round((direct_right + clarified_right) / n, 4),
            "misrouted": round(direct_wrong / n, 4),
        },
        "entities": _entity_scores(zip(examples, parses, strict=True)),
        "parse_ms": {
            name: round(percentile(latencies, share) or 0.0, 2) for name, share in (("p50", 0.5), ("p95", 0.95))
        },
        "per_intent": per_intent,
        "weakest": [name for name, _ in sorted(per_intent.items(), key=lambda kv: (kv[1]["recall"], kv[0]))[:5]],
        "top_confusions": [
            {"intent": gold, "predicted": predicted, "count": count}
            for (gold, predicted), count in sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
        ],
        "misclassified": errors,
    }


def format_report(lang: str, data_file: str, report: Mapping[str, Any]) -> str:
    routing = report["routing"]
    lines = [
        f"[{lang}] {data_file}: {report['examples']} examples",
        f"  intent accuracy {report['accuracy']:.3f}   right queue {report['queue_accuracy']:.3f}   "
        f"right within one clarification {routing['right_within_one_clarification']:.3f}   "
        f"misrouted {routing['misrouted']:.3f}",
        f"  fallback: {routing['clarified']} turns asked ({routing['clarified_right']} offered the right service, "
        f"{routing['full_menu']} got the full menu)   entity micro F1 {report['entities']['micro_f1']:.3f}   "
        f"parse p50 {report['parse_ms']['p50']} ms, p95 {report['parse_ms']['p95']} ms",
        "  weakest intents: " + ", ".join(report["weakest"]),
    ]
    if report["top_confusions"]:
        lines.append(
            "  top confusions: "
            + "; ".join(f"{c['intent']} -> {c['predicted']} x{c['count']}" for c in report["top_confusions"][:8])
        )
    return "\n".join(lines)
