"""`lobby eval`: the NLU on held-out sentences per language, and the dialogue on test stories.

`lobby eval nlu` makes sure the model is trained (same cache as `lobby train`), parses every sentence of
the held-out files with it (`scripts/rasa_parse.py` in .venv-rasa: one model load, each parse timed) and
scores them (`lobby_tools.nlu_score`): intent accuracy, the right queue, the share routed right within one
clarification, entity F1, parse latency. Held-out files live outside nlu_data/, so they are never
trained on and do not change the model hash:

* `tests/nlu_heldout.yml` (en) and `tests/nlu_heldout_zh.yml` (zh): ≥ 8 sentences per intent; the
  intent accuracy of each is gated (`--min-accuracy`, exit 1 below it);
* `tests/nlu_outside_en.yml`, `tests/nlu_outside_zh.yml`: requests phrased as customers describe their
  problem, written by someone who never saw the training data; reported (gated with `--min-outside`);
* `tests/nlu_unseen_en.yml`, `tests/nlu_unseen_zh.yml`: 225 sentences each (9 per service and visit
  intent), written on 2026-12-06 by someone who read neither the training data nor the other sets, after
  the outside sets had steered the pipeline and the data; reported and gated like them.

It writes one JSON report (default bench/nlu-eval.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lobby.dialogue import RASA_ENV

# Keys of intent_report.json that are aggregates, not intents.
AGGREGATE_KEYS = frozenset({"accuracy", "macro avg", "weighted avg", "micro avg"})


def run_story_test(rasa: Path, root: Path, model: Path, stories: Path, out: Path) -> dict[str, Any]:
    """`rasa test core` on test stories: {"stories": {correct,total,accuracy}, "actions": accuracy, "failed": yaml}."""
    command = [str(rasa), "test", "core", "--stories", str(stories), "--model", str(model), "--out", str(out)]
    command += ["--no-plot"]
    result = subprocess.run(command, cwd=root, check=False, env={**os.environ, **RASA_ENV})
    if result.returncode != 0:
        raise RuntimeError(f"rasa test core failed (exit {result.returncode})")
    report = json.loads((out / "story_report.json").read_text())
    conversations = report["conversation_accuracy"]
    failed_file = out / "failed_test_stories.yml"
    failed = failed_file.read_text() if failed_file.exists() else ""
    return {
        "stories": {k: conversations[k] for k in ("correct", "total", "accuracy")},
        "action_accuracy": report["accuracy"],
        "failed_stories": "" if "None of the test stories failed" in failed else failed,
    }


def _story_files(args: argparse.Namespace, root: Path) -> list[Path]:
    """The test story files: the English and the Chinese ones by default (the Chinese with user text)."""
    names = args.stories or [name for name in STORIES if (root / name).exists()]
    return [Path(name) if Path(name).is_absolute() else root / name for name in names]


def _write(out: Path, result: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


def cmd_eval_stories(args: argparse.Namespace, project: Any) -> int:
    files = _story_files(args, project.root)
    missing = [str(path) for path in files if not path.exists()]
    if missing or not files:
        print(f"test stories not found: {', '.join(missing) or 'none given'}", file=sys.stderr)
        return 2
    model, train_seconds = project.train()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lobby-eval-") as tmp:
        stories = Path(tmp) / "stories"  # rasa test core takes one path: a folder with every file
        stories.mkdir()
        for index, path in enumerate(files):
            shutil.copy(path, stories / f"{index}-{path.name}")
        (Path(tmp) / "out").mkdir()
        measured = run_story_test(project.rasa, project.root, model, stories, Path(tmp) / "out")
    passed = measured["stories"]["correct"] == measured["stories"]["total"]
    result = {
        "eval": "stories",
        "stories_files": [str(path.relative_to(project.root)) for path in files],
        "at": datetime.now(UTC).isoformat(),
        "model": model.name,
        "train_seconds": round(train_seconds, 1),
        "test_seconds": round(time.monotonic() - started, 1),
        "passed": passed,
        **measured,
    }
    out = Path(args.out.replace("nlu-eval", "story-eval"))
    _write(out, result)
    counts = measured["stories"]
    accuracy = measured["action_accuracy"]
    print(f"test stories: {counts['correct']}/{counts['total']} correct, action accuracy {accuracy:.3f}")
    print(f"written to {out}")
    if not passed:
        print("FAIL: these stories went differently:\n" + measured["failed_stories"], file=sys.stderr)
        return 1
    return 0


STORIES = ("tests/test_stories.yml", "tests/test_stories_zh.yml")
HELDOUT = {"en": "tests/nlu_heldout.yml", "zh": "tests/nlu_heldout_zh.yml"}
OUTSIDE = {"en": "tests/nlu_outside_en.yml", "zh": "tests/nlu_outside_zh.yml"}
UNSEEN = {"en": "tests/nlu_unseen_en.yml", "zh": "tests/nlu_unseen_zh.yml"}


def parse_all(project: Any, model: Path, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parse `items` ({"id", "text", "lang"?}) with the model in .venv-rasa; results in the same order."""
    worker = project.root / "scripts" / "rasa_parse.py"
    python = project.venv / "bin" / "python"
    with tempfile.TemporaryDirectory(prefix="lobby-parse-") as tmp:
        out = Path(tmp) / "parses.jsonl"
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        result = subprocess.run(
            [str(python), str(worker), str(model), str(out)], input=lines, text=True, cwd=project.root,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env={**os.environ, **RASA_ENV},
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"parsing failed (exit {result.returncode}): {result.stderr[-2000:]}")
        parses = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(parses) != len(items):
        raise RuntimeError(f"parsed {len(parses)} of {len(items)} sentences")
    return parses


def _sets(args: argparse.Namespace, root: Path) -> list[tuple[str, str, str]]:
    """(lang, kind, file) for each set to score; kind "heldout" is gated by --min-accuracy."""
    langs = ["en", "zh"] if args.lang == "all" else [args.lang]
    if args.data:
        if len(langs) != 1:
            raise SystemExit("--data needs --lang en or --lang zh")
        return [(langs[0], "heldout", args.data)]
    sets = [(lang, "heldout", HELDOUT[lang]) for lang in langs]
    sets += [(lang, "outside", OUTSIDE[lang]) for lang in langs if (root / OUTSIDE[lang]).exists()]
    sets += [(lang, "unseen", UNSEEN[lang]) for lang in langs if (root / UNSEEN[lang]).exists()]
    return sets


def cmd_eval_nlu(args: argparse.Namespace, project: Any, settings: Any) -> int:
    from lobby_tools.nlu_score import format_report, load_examples, score

    sets = _sets(args, project.root)
    examples = {}
    for lang, kind, name in sets:
        path = project.root / name
        if not path.exists():
            print(f"held-out data not found: {path}", file=sys.stderr)
            return 2
        examples[(lang, kind)] = load_examples(path.read_text(encoding="utf-8"))
    model, train_seconds = project.train()
    started = time.monotonic()
    items = [
        {"id": f"{lang}:{kind}:{i}", "text": example.text}
        for (lang, kind), batch in examples.items()
        for i, example in enumerate(batch)
    ]
    parses = iter(parse_all(project, model, items))
    services = {intent: service.id for service in settings.services for intent in service.intents}
    reports: dict[str, dict[str, Any]] = {}
    failures = []
    for lang, kind, name in sets:
        batch = examples[(lang, kind)]
        report = score(batch, [next(parses) for _ in batch], services)
        reports.setdefault(lang, {})[kind] = {"data": name, **report}
        print(format_report(lang, name, report))
        if kind == "heldout" and report["accuracy"] < args.min_accuracy:
            failures.append(f"{lang} held-out intent accuracy {report['accuracy']:.3f} < {args.min_accuracy}")
        if kind != "heldout" and args.min_outside and report["queue_accuracy"] < args.min_outside:
            failures.append(f"{lang} {kind} right-queue share {report['queue_accuracy']:.3f} < {args.min_outside}")
    result = {
        "eval": "nlu",
        "at": datetime.now(UTC).isoformat(),
        "model": model.name,
        "train_seconds": round(train_seconds, 1),
        "test_seconds": round(time.monotonic() - started, 1),
        "min_accuracy": args.min_accuracy,
        "passed": not failures,
        "languages": reports,
    }
    out = Path(args.out)
    _write(out, result)
    print(f"written to {out}")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from lobby.common import rasa_project, settings_from

    settings = settings_from(args)
    project = rasa_project(settings, args)
    if args.target == "stories":
        return cmd_eval_stories(args, project)
    return cmd_eval_nlu(args, project, settings)


def add_eval_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    from lobby.common import DEFAULT_MODEL_CACHE

    ev = command(
        "eval", cmd_eval, "NLU accuracy on held-out data, or the dialogue on test stories; writes JSON under bench/"
    )
    ev.add_argument("target", choices=["nlu", "stories"])
    ev.add_argument("--stories", nargs="+", help="test story files (default: the English and Chinese ones)")
    ev.add_argument("--lang", choices=["en", "zh", "all"], default="all", help="which languages' sets (nlu target)")
    ev.add_argument("--data", help="one held-out Rasa NLU yaml instead of the defaults (with --lang en|zh)")
    ev.add_argument(
        "--min-outside", type=float, default=0.0, help="exit 1 below this right-queue share (outside and unseen sets)"
    )
    ev.add_argument("--out", default="bench/nlu-eval.json", help="output file (stories: bench/story-eval.json)")
    ev.add_argument("--min-accuracy", type=float, default=0.92, help="exit 1 below this intent accuracy")
    ev.add_argument("--model-cache", default=str(DEFAULT_MODEL_CACHE), help="shared trained-model cache")
    ev.add_argument("--no-model-cache", action="store_true", help="do not use the shared model cache")
