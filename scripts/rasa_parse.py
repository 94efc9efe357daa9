"""Parse sentences with a trained Rasa model, one JSON line in, one JSON line out (runs in .venv-rasa).

    .venv-rasa/bin/python scripts/rasa_parse.py MODEL.tar.gz OUT.jsonl < in.jsonl

Input lines: {"id": ..., "text": ..., "lang"?: "en"|"zh"} (lang goes in the message metadata, as the hub
sends it). Output lines: {"id", "intent", "confidence", "ranking": [{"name", "confidence"}...],
"entities": [...], "ms"}. Used by `lobby eval nlu` and `lobby bench nlu`: the model is loaded once and
each parse is timed on its own, which `rasa test nlu` does not report.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.disable(logging.WARNING)


async def main(model: str, out_path: str) -> None:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    agent = Agent.load(model)
    processor = agent.processor
    assert processor is not None
    await agent.parse_message("warm up")  # the first parse loads lazily (Jieba's dictionary, ...)
    await agent.parse_message("热身")
    out_file = open(out_path, "w", encoding="utf-8")  # not stdout: Rasa's structured log writes there
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        metadata = {"lang": item["lang"]} if item.get("lang") else None
        started = time.perf_counter()
        parsed = await processor.parse_message(UserMessage(item["text"], metadata=metadata))
        elapsed = (time.perf_counter() - started) * 1000
        intent = parsed.get("intent") or {}
        out = {
            "id": item.get("id"),
            "intent": intent.get("name"),
            "confidence": round(float(intent.get("confidence") or 0.0), 4),
            "ranking": [
                {"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0.0), 4)}
                for r in (parsed.get("intent_ranking") or [])[:10]
            ],
            "entities": [
                {k: e.get(k) for k in ("entity", "value", "start", "end", "extractor")}
                for e in parsed.get("entities") or []
            ],
            "ms": round(elapsed, 2),
        }
        out_file.write(json.dumps(out, ensure_ascii=False) + "\n")
    out_file.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
