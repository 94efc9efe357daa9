"""Speech models: each language's Vosk model for the kiosk, and `lobby models install`.

`lobby models install PATH_OR_URL --lang zh [--sha256 HEX]` takes a Vosk model
zip (downloaded over http(s), streamed with a progress line, or read from a
local path; an already unpacked model directory is copied), checks its SHA-256
when one is given, unpacks it refusing any member that would land outside the
target (absolute paths, `..`, links), finds the model folder inside (the one
holding `am/` or `conf/model.conf`), loads it with vosk in a child process (a
broken model cannot take this process down), and only then moves it to
`<hardware.vosk_models_dir>/<lang>/<name>` and writes
`hardware.vosk_models.<lang>` into the configuration file in place, comments
kept (`lobby.config_edit`). Any failure leaves the installed models and
the configuration as they were.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from assistant.settings import Settings, load_settings
from hardware.grammar import grammar_phrases
from hardware.ports import SpeechRecognizer
from hardware.recognizer import looks_like_model, recognizers_from_config
from lobby.config_edit import ConfigEditError, set_vosk_model, with_vosk_model
from lobby_wire.lang import normalise_lang

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
MAX_UNPACKED_BYTES = 16 << 30  # the largest Vosk models are a few GB; more is a zip bomb
DOWNLOAD_TIMEOUT_S = 60.0  # per network read, not for the whole download
LOAD_TIMEOUT_S = 600.0
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_LANG = re.compile(r"[a-z]{2,3}")
_LOAD_CHECK = (
    "import sys, time, vosk\n"
    "vosk.SetLogLevel(-1)\n"
    "started = time.perf_counter()\n"
    "vosk.Model(sys.argv[1])\n"
    "print(f'{time.perf_counter() - started:.3f}')\n"
)

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)


class ModelInstallError(Exception):
    """The model was not installed; the message says why (nothing was changed)."""


@dataclass(frozen=True, slots=True)
class InstalledModel:
    lang: str
    name: str
    path: Path
    config_value: str  # what hardware.vosk_models.<lang> now says
    sha256: str | None  # of the zip, None for a directory
    load_seconds: float


# -- the kiosk's voice per language ----------------------------------------------------


def kiosk_recognizers(settings: Settings) -> dict[str, SpeechRecognizer]:
    """One recognizer per kiosk language, for the model configured for it (missing: voice off in it)."""
    hardware = settings.hardware
    paths = {lang: hardware.vosk_model_for(lang) for lang in settings.kiosk.languages}
    return recognizers_from_config({lang: str(settings.resolve(path)) if path else "" for lang, path in paths.items()})


def kiosk_grammars(settings: Settings) -> dict[str, list[str]]:
    """Grammar mode's phrases per kiosk language ([] = free decoding)."""
    base = Path(settings.base_dir)
    return {
        lang: grammar_phrases(settings.hardware.vosk_grammar_for(lang), lang, base) for lang in settings.kiosk.languages
    }


# -- fetching ---------------------------------------------------------------------------


def _is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _local_path(source: str) -> Path:
    parts = urlsplit(source)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme and len(parts.scheme) > 1:  # not a Windows drive letter
        raise ModelInstallError(f"unsupported source {source!r}: give a path, or an http:// or https:// URL")
    return Path(source).expanduser()


def _copy_stream(stream: IO[bytes], out: IO[bytes] | None, total: int | None, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    done = 0
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
        if out is not None:
            out.write(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return digest.hexdigest()


def download(url: str, target: Path, progress: Progress | None = None) -> str:
    """Stream `url` into `target`; returns the SHA-256 of what was received."""
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, target.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            sha256 = _copy_stream(response, out, total, progress)
    except urllib.error.HTTPError as exc:
        raise ModelInstallError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ModelInstallError(f"cannot download {url}: {getattr(exc, 'reason', exc)}") from None
    if total is not None and target.stat().st_size != total:
        raise ModelInstallError(f"download of {url} ended early ({target.stat().st_size} of {total} bytes)")
    return sha256


def file_sha256(path: Path, progress: Progress | None = None) -> str:
    with path.open("rb") as stream:
        return _copy_stream(stream, None, path.stat().st_size, progress)


# -- unpacking --------------------------------------------------------------------------


def unsafe_member(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member may not be unpacked (it could write outside the target), or None."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "a '..' component"
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        return "a symbolic link"
    return None


def safe_unpack(archive: Path, target: Path) -> None:
    """Unpack `archive` into `target` after checking every member; refuses the whole archive if one is unsafe."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            for info in members:
                reason = unsafe_member(info)
                if reason is not None:
                    raise ModelInstallError(f"{archive.name}: refusing member {info.filename!r} ({reason})")
            if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
                raise ModelInstallError(f"{archive.name}: unpacks to more than {MAX_UNPACKED_BYTES >> 30} GiB")
            zipped.extractall(target)
    except zipfile.BadZipFile as exc:
        raise ModelInstallError(f"{archive.name} is not a zip file ({exc})") from None


def find_model_dir(root: Path) -> Path:
    """The shallowest folder under `root` (itself included) that is a Vosk model; one only."""
    level = [root]
    while level:
        found = [directory for directory in level if looks_like_model(directory)]
        if len(found) > 1:
            names = ", ".join(str(directory.relative_to(root)) for directory in found)
            raise ModelInstallError(f"the archive holds several models ({names}): unpack the one you want")
        if found:
            return found[0]
        level = sorted(child for directory in level for child in directory.iterdir() if child.is_dir())
    raise ModelInstallError("no Vosk model inside (no folder holding am/ or conf/model.conf)")


def check_loads(model_dir: Path, timeout: float = LOAD_TIMEOUT_S) -> float:
    """Load the model with vosk in a child process; returns the load time in seconds."""
    try:
        result = subprocess.run(
            [sys.executable, "-c", _LOAD_CHECK, str(model_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ModelInstallError(f"loading the model took over {timeout:.0f} s") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        raise ModelInstallError(f"vosk cannot load the model: {detail}")
    return float(result.stdout.strip().splitlines()[-1])


# -- installing -------------------------------------------------------------------------


def _language(value: str) -> str:
    lang = normalise_lang(value) or value.strip().lower()
    if not _LANG.fullmatch(lang):
        raise ModelInstallError(f"--lang {value!r}: expected a language code such as en or zh")
    return lang


def _model_name(model_dir: Path, unpacked: Path, source: str) -> str:
    if model_dir != unpacked:
        return model_dir.name
    stem = PurePosixPath(urlsplit(source).path if _is_url(source) else source).name
    name = stem.removesuffix(".zip") or "model"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "model"


def _config_value(path: Path, base_dir: Path) -> str:
    """The path as the configuration should say it: relative to the config's folder when inside it."""
    try:
        return str(path.resolve().relative_to(base_dir.resolve()))
    except ValueError:
        return str(path.resolve())


def install_model(
    source: str,
    lang: str,
    config: Path,
    *,
    sha256: str | None = None,
    models_dir: Path | None = None,
    progress: Progress | None = None,
    load_timeout: float = LOAD_TIMEOUT_S,
) -> InstalledModel:
    """Fetch, verify, unpack, load-check and install a Vosk model, then point the configuration at it."""
    lang = _language(lang)
    if sha256 is not None and not _SHA256.fullmatch(sha256.strip()):
        raise ModelInstallError("--sha256 must be 64 hexadecimal digits")
    settings = load_settings(config)
    base_dir = Path(settings.base_dir)
    root = models_dir if models_dir is not None else settings.resolve(settings.hardware.vosk_models_dir)
    parent = root / lang
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=parent))  # same file system: the move is a rename
    try:
        unpacked = staging / "unpacked"
        local = None if _is_url(source) else _local_path(source)
        if local is not None and local.is_dir():
            if sha256 is not None:
                raise ModelInstallError("--sha256 checks a zip file; the source is a directory")
            shutil.copytree(local, unpacked, symlinks=False)
            received = None
        else:
            archive = staging / "model.zip"
            if local is None:
                received = download(source, archive, progress)
            elif local.is_file():
                archive = local
                received = file_sha256(local, progress)
            else:
                raise ModelInstallError(f"{local} does not exist")
            if sha256 is not None and received != sha256.strip().lower():
                raise ModelInstallError(
                    f"SHA-256 mismatch: expected {sha256.strip().lower()}, got {received}; nothing was installed"
                )
            safe_unpack(archive, unpacked)
        model_dir = find_model_dir(unpacked)
        name = _model_name(model_dir, unpacked, source)
        load_seconds = check_loads(model_dir, load_timeout)
        final = parent / name
        value = _config_value(final, base_dir)
        try:
            with_vosk_model(config.read_text(encoding="utf-8"), lang, value)  # refuse before moving anything
        except ConfigEditError as exc:
            raise ModelInstallError(f"{config}: {exc}") from None
        previous = staging / "previous"
        if final.exists():
            final.rename(previous)  # replaced: removed with the staging folder once the new one is in place
        try:
            model_dir.rename(final)
            set_vosk_model(config, lang, value)
        except (OSError, ConfigEditError) as exc:
            if not model_dir.exists():  # the new model was moved in: take it out again
                shutil.rmtree(final, ignore_errors=True)
            if previous.exists():
                previous.rename(final)
            raise ModelInstallError(f"cannot install {name}: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("installed the %s Vosk model %s at %s (loads in %.2f s)", lang, name, final, load_seconds)
    return InstalledModel(lang, name, final, value, received, load_seconds)


# -- command line -----------------------------------------------------------------------


class ProgressLine:
    """'downloading… 12.0 of 42.3 MB (28%)' on one terminal line, redrawn at most every 0.2 s."""

    def __init__(self, stream: IO[str], label: str, every_s: float = 0.2) -> None:
        self.stream = stream
        self.label = label
        self.every_s = every_s
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self._last < self.every_s and (total is None or done < total):
            return
        self._last = now
        megabytes = f"{done / 1e6:.1f}"
        if total:
            megabytes += f" of {total / 1e6:.1f} MB ({100 * done // total}%)"
        else:
            megabytes += " MB"
        self.stream.write(f"\r{self.label} {megabytes}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


def cmd_models(args: argparse.Namespace) -> int:
    config = Path(args.config)
    if args.action == "list":
        settings = load_settings(config)
        for lang, model in _configured(settings).items():
            path = settings.resolve(model) if model else None
            state = "none" if path is None else "ok" if looks_like_model(path) else "not a Vosk model"
            print(f"{lang}\t{model or '-'}\t{state}")
        return 0
    if not args.source or not args.lang:
        print("lobby models install: give PATH_OR_URL and --lang", file=sys.stderr)
        return 2
    label = "downloading" if _is_url(args.source) else "reading"
    progress = ProgressLine(sys.stderr, f"{label} {PurePosixPath(args.source).name}:")
    try:
        installed = install_model(
            args.source,
            args.lang,
            config,
            sha256=args.sha256,
            models_dir=Path(args.models_dir) if args.models_dir else None,
            progress=progress,
        )
    except ModelInstallError as exc:
        progress.close()
        print(f"lobby models install: {exc}", file=sys.stderr)
        return 1
    progress.close()
    seconds = installed.load_seconds
    print(f"installed {installed.name} for {installed.lang} at {installed.path} (loads in {seconds:.1f} s)")
    print(f"{config}: hardware.vosk_models.{installed.lang} = {installed.config_value}")
    return 0


def _configured(settings: Settings) -> Mapping[str, str]:
    languages = dict.fromkeys([*settings.kiosk.languages, *settings.hardware.vosk_models])
    return {lang: settings.hardware.vosk_model_for(lang) for lang in languages}


def add_models_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    models = command("models", cmd_models, "install a Vosk speech model for a language, or list them")
    models.add_argument("action", choices=["install", "list"])
    models.add_argument("source", nargs="?", metavar="PATH_OR_URL", help="a Vosk model zip (or folder) to install")
    models.add_argument("--lang", help="the language the model is for (en, zh, ...)")
    models.add_argument("--sha256", default=None, help="the zip's expected SHA-256 (hex); a mismatch installs nothing")
    models.add_argument(
        "--models-dir", default=None, help="install under DIR/<lang>/ (default hardware.vosk_models_dir)"
    )
