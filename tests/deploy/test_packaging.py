"""Layer and function requirements are complete and pinned; the size check fails above the limit."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER_REQS = ROOT / "layers" / "ocr" / "requirements.txt"
FUNCTION_REQS = ROOT / "handler" / "requirements.txt"
SIZE_CHECK = ROOT / "layers" / "ocr" / "size_check.py"


def pins(path: Path) -> dict[str, str]:
    result = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([A-Za-z0-9_.+-]+)", line)
        assert match, f"{path.name}: not an exact pin: {line!r}"
        result[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return result


def test_layer_pins_cover_rapidocr_runtime_dependencies() -> None:
    layer = pins(LAYER_REQS)
    assert layer["rapidocr"] == "3.10.0"
    assert "opencv-python-headless" in layer and "opencv-python" not in layer  # no GUI build: no libGL on Lambda
    assert "onnxruntime" in layer
    for requirement in requires("rapidocr") or []:
        if "extra ==" in requirement:
            continue
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)).lower()
        assert name in layer, f"rapidocr needs {name}, missing from the layer"
    # requests' own dependencies ship too (installed --no-deps).
    assert {"urllib3", "idna", "charset-normalizer", "certifi"} <= set(layer)


def test_function_pins_have_the_web_stack_and_nothing_of_the_layer() -> None:
    function = pins(FUNCTION_REQS)
    assert {"fastapi", "starlette", "pydantic", "pydantic-settings", "python-multipart", "mangum"} <= set(function)
    heavy = {"numpy", "opencv-python-headless", "onnxruntime", "rapidocr", "pillow", "boto3", "botocore"}
    assert not heavy & set(function)
    layer = pins(LAYER_REQS)
    for name in set(function) & set(layer):  # shared pure-Python deps (idna): one version, whichever dir wins
        assert function[name] == layer[name], name


def test_size_check_fails_over_the_limit(tmp_path: Path) -> None:
    layer = tmp_path / "layer" / "python" / "pkg"
    layer.mkdir(parents=True)
    (layer / "blob.bin").write_bytes(b"\0" * 5000)
    function = tmp_path / "function"
    function.mkdir()
    (function / "app.py").write_bytes(b"x" * 1000)
    args = [sys.executable, str(SIZE_CHECK), "--layer", str(tmp_path / "layer"), "--function", str(function)]
    ok = subprocess.run([*args, "--limit", "6000", "--zip-dir", str(tmp_path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "6,000" in ok.stdout and "zipped layer" in ok.stdout
    over = subprocess.run([*args, "--limit", "5999"], capture_output=True, text=True)
    assert over.returncode == 1
    assert "over Lambda's limit" in over.stderr
