"""Layer and function requirements are complete and pinned; the size check fails above the limit."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
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


# The OCR stack, and nothing else: rapidocr is there for its model files only (cnid_ocr.ocr.engine never imports it).
LAYER_PACKAGES = {"rapidocr", "onnxruntime", "opencv-python-headless", "numpy", "pillow"}


def requirement_name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)).lower()


def test_layer_pins_are_the_ocr_stack_without_rapidocr_dependencies() -> None:
    layer = pins(LAYER_REQS)
    assert layer["rapidocr"] == "3.10.0"
    assert "opencv-python" not in layer  # no GUI build: no libGL on Lambda
    assert set(layer) == LAYER_PACKAGES
    # rapidocr's own run-time dependencies (its metadata: pyclipper, shapely, PyYAML, omegaconf, requests ...) are
    # left out on purpose; only those the engine uses itself (OpenCV, numpy, Pillow) are there.
    rapidocr_deps = {requirement_name(r) for r in requires("rapidocr") or [] if "extra ==" not in r}
    assert {"pyclipper", "shapely", "pyyaml", "omegaconf", "requests"} <= rapidocr_deps
    assert rapidocr_deps & set(layer) == {"opencv-python-headless", "numpy", "pillow"}


def test_the_app_never_imports_rapidocr() -> None:
    """The engine finds rapidocr's models with importlib.util.find_spec; no module of the app imports the package
    (it could not: its dependencies are not in the layer). tests/deploy/test_layer.py checks the same at run time."""
    importers = []
    for path in sorted((ROOT / "handler" / "cnid_ocr").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
                "import_module",
                "__import__",
            }:
                names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            else:
                continue
            if any(name.split(".")[0] == "rapidocr" for name in names):
                importers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not importers, importers
    engine = (ROOT / "handler" / "cnid_ocr" / "ocr" / "engine.py").read_text(encoding="utf-8")
    assert 'find_spec("rapidocr")' in engine


def test_function_pins_have_the_web_stack_and_nothing_of_the_layer() -> None:
    function = pins(FUNCTION_REQS)
    assert {"fastapi", "starlette", "pydantic", "pydantic-settings", "python-multipart", "mangum"} <= set(function)
    heavy = {"numpy", "opencv-python-headless", "onnxruntime", "rapidocr", "pillow", "boto3", "botocore"}
    assert not heavy & set(function)
    layer = pins(LAYER_REQS)
    for name in set(function) & set(layer):  # a package in both (none now): one version, whichever dir wins
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


def test_the_product_wheel_holds_only_the_cnid_ocr_package(tmp_path: Path) -> None:
    """What `pip install cnid-ocr` gives a user: the product's package, not the tools (cardgen is a distribution of
    its own, tools/pyproject.toml). Built from a copy of the sources, so the checkout stays clean."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "handler", source / "handler", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "tools", source / "tools", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("cnid_ocr-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"cnid_ocr"}, tops
