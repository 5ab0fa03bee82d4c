"""`sam build` on template.yaml, as the README's deploy section runs it (no container), and checks of what it built:
function + layer under Lambda's unzipped limit, arm64 binaries, a pruned layer with bytecode for the runtime's
Python, and the built handler answering every event of events/ with Python 3.12 and nothing but the built function,
the built layer and the runtime's boto3 on its path (what `sam local invoke` would do; Docker has no daemon here).

The arm64 build cannot run on an x86_64 machine, so the invoke runs on a second `sam build` of the same template with
only the architecture changed to this machine's (and the layer's size limit lifted: x86_64 does not fit, which is
why the template is arm64). Wheels come from the wheelhouse (tools/build.mk), so a rerun downloads nothing for the
layer; SAM's own pip still fetches the function's ~15 small wheels.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .events import EVENTS, EXPECTED, ROOT, check, fresh_key, groups_by_env_vars, invoke_with_log

pytestmark = pytest.mark.models  # builds the layer; the invoke loads the models

TEMPLATE = ROOT / "template.yaml"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
SIZE_CHECK = ROOT / "layers" / "ocr" / "size_check.py"
LAMBDA_UNZIPPED_LIMIT = 262_144_000
RUNTIME_VERSION = "3.12"  # template.yaml: Runtime: python3.12 (test_template checks the template says so)
ELF_MACHINES = {0xB7: "arm64", 0x3E: "x86_64"}
HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine().lower()]
# What the Lambda Python runtime has in /var/runtime besides the standard library: boto3 and its dependencies.
RUNTIME_DISTRIBUTIONS = ("boto3", "botocore", "jmespath", "s3transfer", "python-dateutil", "six", "urllib3")
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


@functools.cache
def runtime_python() -> str:
    """python3.12 (the template's Runtime): RUNTIME_PYTHON as `make` finds it (tools/build.mk), else pyenv's, else
    the one on PATH (pyenv's shim on PATH only runs when that version is selected, hence asking pyenv first)."""
    found = os.environ.get("RUNTIME_PYTHON")
    if not found and shutil.which("pyenv"):
        bare = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout.split()
        versions = [v for v in bare if v.startswith(f"{RUNTIME_VERSION}.")]
        if versions:
            env = {**os.environ, "PYENV_VERSION": versions[-1]}
            which = subprocess.run(["pyenv", "which", f"python{RUNTIME_VERSION}"], env=env, capture_output=True)
            found = which.stdout.decode().strip() if which.returncode == 0 else None
    found = found or shutil.which(f"python{RUNTIME_VERSION}")
    assert found, f"python{RUNTIME_VERSION} (template.yaml's runtime) is needed: run the tests with `make test`"
    return found


def sam_build(template: Path, build_dir: Path, **env: str) -> subprocess.CompletedProcess:
    assert SAM.is_file(), "the AWS SAM CLI is installed by `make setup` (.venv-sam)"
    path = f"{Path(runtime_python()).parent}{os.pathsep}{os.environ['PATH']}"
    proc = subprocess.run(
        [str(SAM), "build", "--template", str(template), "--build-dir", str(build_dir)],
        cwd=template.parent,
        env={**os.environ, "PATH": path, "SAM_CLI_TELEMETRY": "0", **env},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, f"sam build failed\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    assert "Build Succeeded" in proc.stdout
    return proc


@pytest.fixture(scope="module")
def arm64_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = tmp_path_factory.mktemp("sam") / "build"
    sam_build(TEMPLATE, build)
    return build


@pytest.fixture(scope="module")
def host_build(arm64_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `sam build` makes of template.yaml for this machine's architecture."""
    if HOST_ARCH == "arm64":
        return arm64_build
    work = tmp_path_factory.mktemp("sam-host")
    text = TEMPLATE.read_text(encoding="utf-8")
    replacements = {  # old: (new, occurrences)
        " Architectures: [arm64]": (f" Architectures: [{HOST_ARCH}]", 1),
        "CompatibleArchitectures: [arm64]": (f"CompatibleArchitectures: [{HOST_ARCH}]", 1),
        "BuildArchitecture: arm64": (f"BuildArchitecture: {HOST_ARCH}", 2),
        "CodeUri: handler/": (f"CodeUri: {ROOT / 'handler'}/", 1),
        "ContentUri: layers/ocr/": (f"ContentUri: {ROOT / 'layers' / 'ocr'}/", 1),
    }
    for old, (new, occurrences) in replacements.items():
        assert text.count(old) == occurrences, old
        text = text.replace(old, new)
    (work / "template.yaml").write_text(text, encoding="utf-8")
    # layers/ocr/Makefile takes its target from ARCH (SAM passes only ARTIFACTS_DIR); x86_64 is over the limit.
    sam_build(work / "template.yaml", work / "build", ARCH=HOST_ARCH, LIMIT="1000000000")
    return work / "build"


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A /var/runtime: boto3 and its dependencies (pure Python), copied from this environment's installation."""
    runtime = tmp_path_factory.mktemp("runtime")
    for name in RUNTIME_DISTRIBUTIONS:
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            if file.suffix == ".pyc" or ".dist-info" in file.parts[0] or file.parts[0] in ("..", "bin"):
                continue
            target = runtime / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file.locate(), target)
    return runtime


def elf_machine(path: Path) -> str | None:
    header = path.read_bytes()[:20]
    if header[:4] != b"\x7fELF":
        return None
    return ELF_MACHINES.get(int.from_bytes(header[18:20], "little"), "other")


def test_function_and_layer_fit_lambdas_unzipped_limit(arm64_build: Path, deploy_report: list[str]) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(SIZE_CHECK),
            "--layer",
            str(arm64_build / "OcrLayer"),
            "--function",
            str(arm64_build / "OcrFunction"),
            "--limit",
            str(LAMBDA_UNZIPPED_LIMIT),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    totals = [line for line in proc.stdout.splitlines() if line.startswith(("unzipped", "headroom"))]
    deploy_report.append(f"sam build (arm64, {Path(runtime_python()).name}): function + layer against Lambda's limit")
    deploy_report.extend(f"  {line}" for line in totals)


def test_built_binaries_are_arm64(arm64_build: Path) -> None:
    machines = {}
    for path in arm64_build.rglob("*.so*"):
        if path.is_file():
            machines.setdefault(elf_machine(path), []).append(path.name)
    assert set(machines) == {"arm64"}, {machine: names[:5] for machine, names in machines.items()}
    assert any("onnxruntime" in name for name in machines["arm64"])
    assert any(name.startswith("_pydantic_core") for name in machines["arm64"])  # the function's own wheels too


def test_the_layer_is_pruned_and_the_function_holds_the_web_stack(arm64_build: Path) -> None:
    layer = arm64_build / "OcrLayer" / "python"
    models = sorted(p.name for p in (layer / "rapidocr" / "models").glob("*.onnx"))
    assert models == ["PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx", "ch_ppocr_mobile_v2.0_cls_mobile.onnx"]
    assert not list(layer.rglob("*.pyi"))
    assert not [p for p in layer.rglob("tests") if p.is_dir()]
    # rapidocr stays a findable package (the engine locates the models with importlib.util.find_spec) ...
    assert (layer / "rapidocr" / "__init__.py").is_file()
    engines = sorted(p.name for p in (layer / "rapidocr" / "inference_engine").iterdir() if p.is_dir())
    assert engines == ["__pycache__", "onnxruntime"]
    # ... but none of its run-time dependencies is installed: the layer is exactly the five pinned distributions.
    installed = {p.name.split("-")[0].lower() for p in layer.glob("*.dist-info")}
    assert installed == {"rapidocr", "onnxruntime", "opencv_python_headless", "numpy", "pillow"}, installed
    strays = sorted(name for name in RAPIDOCR_ONLY_MODULES if list(layer.glob(name)) or list(layer.glob(name + ".py")))
    assert not strays, strays
    task = arm64_build / "OcrFunction"
    assert (task / "cnid_ocr" / "lambda_handler.py").is_file()
    assert (task / "fastapi").is_dir() and (task / "mangum").is_dir()
    assert not (task / "numpy").exists() and not (task / "cv2").exists()
    assert not (task / "cardgen").exists() and not (task / "tests").exists()
    assert not (task / "Makefile").exists() and not (task / "bin").exists()


@pytest.mark.parametrize("artifact", ["OcrLayer", "OcrFunction"])
def test_bytecode_for_the_runtimes_python(arm64_build: Path, artifact: str) -> None:
    """Every module of the layer and the function has its .pyc for the runtime's Python (its magic number),
    hash-based and unchecked: /opt and /var/task are read-only on Lambda, so a missing or stale-looking .pyc means
    compiling that module at every cold start."""
    magic = subprocess.run(
        [runtime_python(), "-c", "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tag = "cpython-" + Path(runtime_python()).name.removeprefix("python").replace(".", "")
    sources = sorted((arm64_build / artifact).rglob("*.py"))
    assert len(sources) > 100
    missing, wrong = [], []
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        if not compiled.is_file():
            missing.append(str(source))
            continue
        header = compiled.read_bytes()[:8]
        flags = int.from_bytes(header[4:8], "little")
        if header[:4].hex() != magic or flags != 0b01:  # hash-based (bit 0), source not checked (bit 1 clear)
            wrong.append(str(compiled))
    assert not missing, missing[:5]
    assert not wrong, wrong[:5]


def test_sam_validate_lint_runs_without_aws_credentials(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k in ("AWS_REGION", "AWS_DEFAULT_REGION")}
    env |= {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    env["SAM_CLI_TELEMETRY"] = "0"
    ok = subprocess.run(
        [str(SAM), "validate", "--lint", "--template", str(TEMPLATE)], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text(encoding="utf-8").replace("MemorySize: 2048", "MemorySize: 20480000"))
    refused = subprocess.run(
        [str(SAM), "validate", "--lint", "--template", str(broken)], env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "E3034" in refused.stdout + refused.stderr


def test_the_built_handler_answers_every_event(host_build: Path, runtime_dir: Path, tmp_path: Path) -> None:
    key = fresh_key()
    seen = set()
    for env_vars, paths in groups_by_env_vars().items():
        origins_file = tmp_path / f"origins-{len(seen)}.json"
        args = [
            "--api-key",
            key,
            "--isolated",
            "--python",
            runtime_python(),
            "--task-dir",
            str(host_build / "OcrFunction"),
            "--layer-dir",
            str(host_build / "OcrLayer" / "python"),
            "--runtime-dir",
            str(runtime_dir),
            "--origins",
            str(origins_file),
        ]
        if env_vars:
            args += ["--env-vars", str(EVENTS / env_vars)]
        results, log = invoke_with_log(paths, *args)
        for name, result in results.items():
            check(name, result["response"], EXPECTED[name])
            seen.add(name)
        check_origins(json.loads(origins_file.read_text(encoding="utf-8")))
        check_embedded_metrics(log, len(results))
    assert seen == set(EXPECTED)


def check_embedded_metrics(log: list[str], requests: int) -> None:
    """The Lambda entry point turns on CloudWatch EMF: each request's log line names the namespace and function."""
    lines = [json.loads(line) for line in log if line.startswith("{")]
    request_lines = [line for line in lines if line.get("message") == "request"]
    assert len(request_lines) == requests, log[-20:]
    for line in request_lines:
        (namespace,) = {directive["Namespace"] for directive in line["_aws"]["CloudWatchMetrics"]}
        assert namespace == "cnid-ocr" and line["function"] == "cnid-ocr-local-ocr" and line["requests"] == 1


def check_origins(report: dict) -> None:
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
    # dependencies are not in the layer), and the layer provides only the OCR stack.
    assert not [name for name in origins if name.split(".")[0] == "rapidocr"]
    from_layer = {name.split(".")[0] for name, origin in origins.items() if origin == "layer"}
    assert from_layer <= {"onnxruntime", "cv2", "numpy", "PIL"}, from_layer
