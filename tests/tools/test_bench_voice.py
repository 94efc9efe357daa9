"""`lobby bench voice`: both recognition modes measured on real Korean speech (espeak-ng) with the small Vosk model."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lobby_tools.bench_voice import DEFAULT_PHRASES, run_voice_bench


def test_voice_bench_measures_both_modes(
    ko_model_dir: Path, korean_speech: Callable[[str], Path], tmp_path: Path
) -> None:
    """korean_speech: skips like the other speech tests when espeak-ng or sox is missing."""
    phrases = ["직원과 이야기 하고 싶어요", "현금 찾고 싶어요", "번호표 주세요"]
    out = tmp_path / "bench" / "voice.json"

    report = run_voice_bench(ko_model_dir, out, phrases=phrases, grammar=DEFAULT_PHRASES)

    assert json.loads(out.read_text(encoding="utf-8")) == report
    assert report["bench"] == "voice"
    assert report["phrases"] == phrases
    assert report["grammar"] == list(DEFAULT_PHRASES)
    assert report["grammar_dropped"] == []
    assert report["model_load_seconds"] > 0
    modes = report["modes"]
    assert set(modes) == {"free_form", "grammar", "grammar_nearest"}
    for summary in modes.values():
        assert set(summary) == {
            "utterances",
            "exact_match",
            "cer",
            "latency_p50_ms",
            "latency_max_ms",
            "real_time_factor",
        }
        assert summary["utterances"] == 3
        assert 0 < summary["latency_p50_ms"] <= summary["latency_max_ms"]
    free, grammar, nearest = modes["free_form"], modes["grammar"], modes["grammar_nearest"]
    assert grammar["exact_match"] >= free["exact_match"]
    assert grammar["exact_match"] >= 0.66  # synthetic Korean: grammar mode hears 2 of these 3 exactly
    assert nearest["exact_match"] >= grammar["exact_match"]
    assert grammar["cer"] < free["cer"]
    assert grammar["latency_p50_ms"] < free["latency_p50_ms"]  # a small graph decodes far faster
    vad = report["vad"]
    assert vad["ended"] == 3
    assert vad["onset_error_ms"]["max_abs"] < 10 and vad["end_error_ms"]["max_abs"] < 10  # within a frame
    assert 690 <= vad["endpoint_after_speech_ms"]["p50"] <= 720  # trailing silence: 700 ms
    assert [utterance["phrase"] for utterance in report["utterances"]] == phrases
    assert set(report["utterances"][0]) == {"phrase", "audio_seconds", "free_form", "grammar", "grammar_nearest", "vad"}
