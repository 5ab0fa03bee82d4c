"""The OCR layer, built for this machine's Python with the same pins and pruning, plus the function package, are
all the handler needs: it runs in `python -I -S` with only /var/task-, /opt/python- and /var/runtime-like dirs.

The build downloads wheels from PyPI (cached by pip after the first run): about a minute or two.
"""

from __future__ import annotations

import json
import platform
import secrets
import string
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
LAYER_DIR = ROOT / "layers" / "ocr"

ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
# Import names of rapidocr's run-time dependencies (other than OpenCV, numpy, Pillow), all left out of the layer
# (rapidocr is there for its model files only; the engine never imports it).
RAPIDOCR_ONLY_MODULES = (
    "pyclipper",
    "shapely",
    "yaml",
    "_yaml",
    "omegaconf",
    "antlr4",
    "colorlog",
    "tqdm",
    "six",
    "requests",
    "urllib3",
    "idna",
    "charset_normalizer",
    "certifi",
)

pytestmark = [
    pytest.mark.models,  # builds the layer; the invoke loads the models
    pytest.mark.skipif(
        ARCH is None or sys.platform != "linux", reason="the layer build targets manylinux x86_64/aarch64"
    ),
]


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def lambda_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("lambda")
    # The same Makefile targets as `make layer` (pinned requirements, --no-deps, pruning, size report), for the
    # local interpreter's version and architecture instead of Lambda's. The size limit is for the deployed arm64
    # build (checked by `make layer`); an x86_64 build of the same pins is larger (about 279 MB), so not checked here.
    build = run(
        [
            "make",
            "-C",
            str(LAYER_DIR),
            "layer",
            "function",
            f"ARCH={ARCH}",
            f"PY={PY}",
            f"OUT={out}",
            f"PYTHON={sys.executable}",
            "LIMIT=1000000000",
        ],
        timeout=1200,
    )
    assert "unzipped layer" in build.stdout
    # The Lambda runtime's own packages (boto3 and its dependencies), as /var/runtime provides them.
    runtime = out / "runtime"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--disable-pip-version-check",
            "--target",
            str(runtime),
            f"boto3=={boto3.__version__}",
        ],
        timeout=600,
    )
    return {"task": out / "function", "layer": out / "layer" / "python", "runtime": runtime}


def test_layer_contents_are_pruned(lambda_dirs: dict[str, Path]) -> None:
    layer = lambda_dirs["layer"]
    models = sorted(p.name for p in (layer / "rapidocr" / "models").glob("*.onnx"))
    assert models == ["PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx", "ch_ppocr_mobile_v2.0_cls_mobile.onnx"]
    assert not list(layer.rglob("__pycache__"))
    assert not list(layer.rglob("*.pyi"))
    assert not [p for p in layer.rglob("tests") if p.is_dir()]
    # rapidocr stays a findable package (the engine locates the models with importlib.util.find_spec) ...
    assert (layer / "rapidocr" / "__init__.py").is_file()
    engines = sorted(p.name for p in (layer / "rapidocr" / "inference_engine").iterdir() if p.is_dir())
    assert engines == ["onnxruntime"]
    # ... but none of its run-time dependencies is installed: the layer is exactly the five pinned distributions.
    installed = {p.name.split("-")[0].lower() for p in layer.glob("*.dist-info")}
    assert installed == {"rapidocr", "onnxruntime", "opencv_python_headless", "numpy", "pillow"}, installed
    strays = sorted(name for name in RAPIDOCR_ONLY_MODULES if list(layer.glob(name)) or list(layer.glob(name + ".py")))
    assert not strays, strays
    # The function package has the web stack and the app, not the OCR stack.
    task = lambda_dirs["task"]
    assert (task / "cnid_ocr" / "lambda_handler.py").is_file()
    assert (task / "fastapi").is_dir() and (task / "mangum").is_dir()
    assert not (task / "numpy").exists() and not (task / "cv2").exists()


def test_handler_runs_from_function_and_layer_only(lambda_dirs: dict[str, Path], tmp_path: Path) -> None:
    key = "sk_live_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
    origins_file = tmp_path / "origins.json"
    events = ["front-card.json", "missing-key.json", "cors-preflight.json"]
    proc = run(
        [
            sys.executable,
            str(ROOT / "tools" / "invoke.py"),
            *(str(EVENTS / e) for e in events),
            "--json",
            "--api-key",
            key,
            "--isolated",
            "--task-dir",
            str(lambda_dirs["task"]),
            "--layer-dir",
            str(lambda_dirs["layer"]),
            "--runtime-dir",
            str(lambda_dirs["runtime"]),
            "--origins",
            str(origins_file),
        ],
        timeout=600,
        cwd=ROOT,
    )
    results = {Path(r["event"]).name: r["response"] for r in map(json.loads, proc.stdout.splitlines())}
    front = results["front-card.json"]
    assert front["statusCode"] == 200, front
    body = json.loads(front["body"])
    assert set(body) >= {"name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber"}
    import yaml

    expected = yaml.safe_load((EVENTS / "expected.yaml").read_text(encoding="utf-8"))["front-card.json"]["fields"]
    assert body["idNumber"] == expected["idNumber"]
    assert body["name"] == expected["name"]
    assert results["missing-key.json"]["statusCode"] == 401
    assert results["cors-preflight.json"]["statusCode"] == 200

    report = json.loads(origins_file.read_text(encoding="utf-8"))
    origins: dict[str, str] = report["origins"]
    # Nothing from the development environment: every module is from the stdlib or one of the three dirs.
    strays = {name: origin for name, origin in origins.items() if origin.startswith("OTHER")}
    assert not strays, strays
    assert not [p for p in report["sysPath"] if "site-packages" in p or "dist-packages" in p]
    expected_origins = {
        "cnid_ocr": "task",
        "cnid_ocr.lambda_handler": "task",
        "fastapi": "task",
        "pydantic": "task",
        "mangum": "task",
        "onnxruntime": "layer",
        "cv2": "layer",
        "numpy": "layer",
        "PIL": "layer",
        "boto3": "runtime",
        "botocore": "runtime",
    }
    for module, origin in expected_origins.items():
        assert origins.get(module) == origin, (module, origins.get(module))
    # The models came from the layer's rapidocr folder, but nothing imported the package (it could not: its
    # dependencies are not in the layer), and the layer provides only the OCR stack. (Some of rapidocr's
    # dependencies, urllib3 and six, may be imported from the runtime dir: boto3's own.)
    assert not [name for name in origins if name.split(".")[0] == "rapidocr"]
    from_layer = {name.split(".")[0] for name, origin in origins.items() if origin == "layer"}
    assert from_layer <= {"onnxruntime", "cv2", "numpy", "PIL"}, from_layer
