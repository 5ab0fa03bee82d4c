"""What `sam local invoke -e EVENT` does, without Docker: invoke the Lambda handler on API Gateway events.

    python tools/invoke.py events/front-card.json [more events ...] [--api-key KEY] [--env-vars FILE] [--json]
    make invoke EVENT=events/front-card.json ARGS='--json'

- Reads the function from template.yaml (the only AWS::Serverless::Function, or --function): its Handler, CodeUri,
  Timeout, MemorySize and Environment.Variables, resolving !Ref / !Sub / !GetAtt of the parameters (their defaults,
  or --parameter-overrides Name=Value) and of the stack's resources (local physical names).
- --env-vars FILE overrides variables as with sam: {"<LogicalId>": {"VAR": "value"}, "Parameters": {...}}.
- Storage: DYNAMODB_ENDPOINT_URL when set (tables created there if missing); otherwise an embedded moto server
  (DynamoDB and S3) with the tables created from template.yaml and the uploads bucket, torn down afterwards.
- API key: the events carry the local development key (events/make_events.py); --api-key KEY (or the environment's
  CNID_OCR_DEV_API_KEY) replaces the Bearer token in every event that has one. In the embedded store that key is
  registered first, so the events authenticate.
- Builds a Lambda context (request id, remaining time from the template's Timeout, memory, ARN), imports the handler
  module once (the init phase) and calls it per event; prints each response (--json: one JSON line per event with
  the event's path, the response and the duration).
- --isolated --task-dir D --layer-dir D [--runtime-dir D] [--python python3.12]: run the handler in a child
  `python -I -S` (the runtime's interpreter, with --python) whose sys.path is only those dirs and the standard
  library, the way Lambda's /var/task, /opt/python and /var/runtime are: proves the function package and the layer
  alone are enough (e.g. what `sam build` put in .aws-sam/build). The child reports where each imported module came
  from.

This file's top level imports only the standard library: the isolated child runs this same file.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
LOCAL_STACK = "cnid-ocr-local"
LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "123456789012"
DEV_API_KEY = "sk_live_LocalDevelopmentKeyForEventsOnly0000"  # the key in events/*.json


# --------------------------------------------------------------------------------------------------------------------
# The template: the function's settings with intrinsic functions resolved for a local run


class TemplateResolver:
    def __init__(self, template: dict, overrides: dict[str, str] | None = None) -> None:
        self.template = template
        self.params = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
        self.params.update(overrides or {})
        self.pseudo = {
            "AWS::StackName": LOCAL_STACK,
            "AWS::Region": os.environ.get("AWS_REGION", LOCAL_REGION),
            "AWS::AccountId": LOCAL_ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def ref(self, name: str) -> str:
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        resource = self.template["Resources"].get(name)
        if resource is None:
            raise KeyError(f"!Ref {name}: no such parameter or resource")
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::DynamoDB::Table" and "TableName" in props:
            return self.resolve(props["TableName"])
        if kind == "AWS::S3::Bucket":
            return self.resolve(props["BucketName"]) if "BucketName" in props else f"{LOCAL_STACK}-{name.lower()}"
        if "FunctionName" in props:
            return self.resolve(props["FunctionName"])
        return f"{LOCAL_STACK}-{name}"

    def get_att(self, name: str, attribute: str) -> str:
        kind = self.template["Resources"][name]["Type"]
        service = {"AWS::DynamoDB::Table": "dynamodb", "AWS::S3::Bucket": "s3"}.get(kind, "local")
        if service == "s3":
            return f"arn:aws:s3:::{self.ref(name)}"
        return f"arn:aws:{service}:{self.pseudo['AWS::Region']}:{LOCAL_ACCOUNT}:{name}/{self.ref(name)}"

    def sub(self, text: str, extra: dict[str, str] | None = None) -> str:
        import re

        def one(match: re.Match) -> str:
            name = match.group(1)
            if extra and name in extra:
                return extra[name]
            if "." in name and not name.startswith("AWS::"):
                return self.get_att(*name.split(".", 1))
            return self.ref(name)

        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::Sub":
                if isinstance(arg, list):
                    return self.sub(arg[0], {k: str(self.resolve(v)) for k, v in arg[1].items()})
                return self.sub(arg)
            if key == "Fn::GetAtt":
                return self.get_att(*(arg if isinstance(arg, list) else arg.split(".", 1)))
            if key == "Fn::Join":
                return arg[0].join(str(self.resolve(v)) for v in arg[1])
            if key == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def load_function(template_path: Path, logical_id: str | None, overrides: dict[str, str]) -> dict[str, Any]:
    from cnid_ocr.store.tables import load_template  # reads the CloudFormation short-form tags

    template = load_template(template_path)
    functions = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}
    if logical_id is None:
        if len(functions) != 1:
            raise SystemExit(f"several functions in the template, choose one with --function: {sorted(functions)}")
        (logical_id,) = functions
    resolver = TemplateResolver(template, overrides)
    props = resolver.resolve(functions[logical_id]["Properties"])
    env = {k: str(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
    tables = {
        name: resolver.ref(name) for name, res in template["Resources"].items() if res["Type"] == "AWS::DynamoDB::Table"
    }
    buckets = [resolver.ref(name) for name, res in template["Resources"].items() if res["Type"] == "AWS::S3::Bucket"]
    return {
        "logicalId": logical_id,
        "name": props.get("FunctionName", f"{LOCAL_STACK}-{logical_id}"),
        "handler": props["Handler"],
        "codeUri": (template_path.parent / props.get("CodeUri", ".")).resolve(),
        "runtime": props.get("Runtime"),
        "timeout": int(props.get("Timeout", 3)),
        "memory": int(props.get("MemorySize", 128)),
        "environment": env,
        "tables": tables,
        "buckets": buckets,
    }


# --------------------------------------------------------------------------------------------------------------------
# Lambda's side: context, environment, invocation (this part runs in the isolated child too)


class LambdaContext:
    """The attributes and method of the context object the Python runtime passes to handlers."""

    def __init__(self, function_name: str, memory_mb: int, timeout_s: int, region: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{function_name}"
        self.memory_limit_in_mb = str(memory_mb)
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_environment(function: dict[str, Any]) -> dict[str, str]:
    """The variables the Lambda runtime sets, then the function's own."""
    region = os.environ.get("AWS_REGION", LOCAL_REGION)
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function["name"],
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function["memory"]),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.get('runtime') or 'python'}",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function['name']}",
        "LAMBDA_TASK_ROOT": str(function["codeUri"]),
        **function["environment"],
    }


def import_handler(spec: str):
    import importlib

    module_name, _, attr = spec.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def invoke_all(function: dict[str, Any], events: list[tuple[str, dict]]) -> list[dict]:
    """Import the handler once (Lambda's init phase), then call it for each event, like warm invocations."""
    started, cpu_started = time.perf_counter(), time.process_time()
    handler = import_handler(function["handler"])
    init_ms = (time.perf_counter() - started) * 1000
    init_cpu_ms = (time.process_time() - cpu_started) * 1000
    results = []
    for path, event in events:
        context = LambdaContext(function["name"], function["memory"], function["timeout"], os.environ["AWS_REGION"])
        started, cpu_started = time.perf_counter(), time.process_time()
        response = handler(event, context)
        duration_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu_started) * 1000
        if duration_ms > function["timeout"] * 1000:
            print(f"warning: {path} took {duration_ms:.0f} ms, over the function's timeout", file=sys.stderr)
        # CPU time (all threads) is what a busy shared machine distorts least; wall time is what Lambda bills.
        results.append(
            {
                "event": path,
                "response": response,
                "durationMs": round(duration_ms, 1),
                "cpuMs": round(cpu_ms, 1),
                "initMs": round(init_ms, 1),
                "initCpuMs": round(init_cpu_ms, 1),
                "maxMemoryUsedMb": max_rss_mb(),
                "requestId": context.aws_request_id,
            }
        )
        init_ms = init_cpu_ms = 0.0
    return results


def max_rss_mb() -> int:
    """Peak resident memory of this process so far: what Lambda reports as "Max Memory Used"."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux


def module_origins(roots: dict[str, str]) -> dict[str, str]:
    """For each imported module with a file: the root it came from ('stdlib', a named root, or 'OTHER:<path>')."""
    import sysconfig

    stdlib = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
    origins = {}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        real = os.path.realpath(file)
        origin = next((label for label, root in roots.items() if real.startswith(root + os.sep)), None)
        if real == os.path.realpath(__file__):
            origin = "bootstrap"  # this runner, in the role of Lambda's runtime bootstrap
        if origin is None and any(real.startswith(s + os.sep) for s in stdlib) and "-packages" not in real:
            origin = "stdlib"
        origins[name] = origin or f"OTHER:{real}"
    return origins


def child_main(argv: list[str]) -> int:
    """Isolated child: `python -I -S invoke.py --child SPEC.json`; writes its report to the spec's "output" file
    (stdout and stderr are the function's log, as on Lambda)."""
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    roots = {label: os.path.realpath(path) for label, path in spec["paths"].items()}
    # Lambda's order: /var/task, /opt/python, then the runtime's own packages (boto3).
    sys.path[:0] = [roots[label] for label in ("task", "layer", "runtime") if label in roots]
    os.environ.update(spec["environment"])
    function = spec["function"]
    events = [(path, json.loads(Path(path).read_text(encoding="utf-8"))) for path in spec["events"]]
    for _, event in events:
        inject_api_key(event, spec.get("apiKey"))
    results = invoke_all(function, events)
    report = {"results": results, "origins": module_origins(roots), "sysPath": sys.path}
    Path(spec["output"]).write_text(json.dumps(report), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------------------------------------------------
# The developer's side: storage, keys, printing


def inject_api_key(event: dict, api_key: str | None) -> None:
    if not api_key:
        return
    headers = event.get("headers") or {}
    for name in list(headers):
        if name.lower() == "authorization" and headers[name].startswith("Bearer "):
            headers[name] = f"Bearer {api_key}"


@contextlib.contextmanager
def local_storage(function: dict[str, Any], template_path: Path, api_key: str):
    """Yields the environment additions for the store: DYNAMODB_ENDPOINT_URL when set (tables created there if
    missing), else the embedded store of `cnid-ocr serve` (cnid_ocr.local.prepare_store: moto's server one request
    at a time, tables from the template, the uploads bucket), with the events' key registered. Never real AWS: the
    tables are named as a local stack would name them."""
    from cnid_ocr.config import Settings
    from cnid_ocr.local import prepare_store
    from cnid_ocr.services import build_stores

    env = function["environment"]
    os.environ.setdefault("AWS_REGION", LOCAL_REGION)
    settings = Settings(
        keys_table=env.get("CNID_OCR_KEYS_TABLE", function["tables"].get("KeysTable")),
        usage_table=env.get("CNID_OCR_USAGE_TABLE", function["tables"].get("UsageTable")),
        uploads_bucket=env.get("CNID_OCR_UPLOADS_BUCKET", ""),
        template=template_path,
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    settings, embedded = prepare_store(settings, allow_embedded=True, aws=False)
    try:
        extra = {
            "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
            "DYNAMODB_ENDPOINT_URL": str(settings.dynamodb_endpoint_url),
        }
        if embedded is not None:
            extra["S3_ENDPOINT_URL"] = str(settings.s3_endpoint_url)  # the same server answers S3
            keys, _ = build_stores(settings)
            keys.register_key(api_key, "local invoke (tools/invoke.py)")
        yield extra
    finally:
        if embedded is not None:
            embedded.stop()


def printable(result: dict) -> str:
    response = result["response"]
    body = response.get("body", "")
    if response.get("isBase64Encoded"):
        body = f"<{len(base64.b64decode(body)):,} bytes, base64>"
    else:
        with contextlib.suppress(ValueError, TypeError):
            body = json.dumps(json.loads(body), ensure_ascii=False, indent=2)
    headers = "\n".join(f"  {k}: {v}" for k, v in sorted((response.get("headers") or {}).items()))
    timing = f"init {result['initMs']:.0f} ms (cpu {result['initCpuMs']:.0f}), " if result["initMs"] else ""
    timing += f"duration {result['durationMs']:.0f} ms, cpu {result['cpuMs']:.0f} ms, "
    timing += f"max memory {result['maxMemoryUsedMb']} MB"
    return f"== {result['event']}  ->  {response.get('statusCode')}  ({timing})\n{headers}\n{body}\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", nargs="+", type=Path, help="API Gateway event JSON files")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--function", help="logical id of the function (default: the only one)")
    parser.add_argument("--api-key", default=None, help="Bearer token to put into the events (default: dev key)")
    parser.add_argument("--env-vars", type=Path, help="sam-style JSON: {LogicalId: {VAR: value}, Parameters: {...}}")
    parser.add_argument("--parameter-overrides", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true", help="one JSON line per event")
    parser.add_argument("--isolated", action="store_true", help="run in a child python -I -S with only these dirs:")
    parser.add_argument("--task-dir", type=Path, help="the function package (/var/task); default: CodeUri")
    parser.add_argument("--layer-dir", type=Path, help="the layer's python/ dir (/opt/python)")
    parser.add_argument("--runtime-dir", type=Path, help="the runtime's packages, e.g. boto3 (/var/runtime)")
    parser.add_argument("--origins", type=Path, help="isolated: write the imported modules' origins here (JSON)")
    parser.add_argument("--python", default=sys.executable, help="isolated: the runtime's interpreter (python3.12)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT / "handler"))  # cnid_ocr for reading the template, as in the repo
    overrides = dict(item.split("=", 1) for item in args.parameter_overrides)
    env_vars: dict[str, dict[str, str]] = {}
    if args.env_vars:
        env_vars = json.loads(args.env_vars.read_text(encoding="utf-8"))
        overrides.update(env_vars.get("Parameters", {}))
    function = load_function(args.template, args.function, overrides)
    function["environment"].update({k: str(v) for k, v in env_vars.get(function["logicalId"], {}).items()})
    api_key = args.api_key or os.environ.get("CNID_OCR_DEV_API_KEY") or DEV_API_KEY
    with local_storage(function, args.template, api_key) as storage_env:
        if args.isolated:
            results = run_isolated(args, function, storage_env, api_key)
        else:
            os.environ.update(lambda_environment(function))
            os.environ.update(storage_env)
            sys.path.insert(0, str(function["codeUri"]))
            events = [(str(path), json.loads(path.read_text(encoding="utf-8"))) for path in args.events]
            for _, event in events:
                inject_api_key(event, api_key)
            # As with sam local invoke: the function's log goes to stderr, the responses to stdout.
            with contextlib.redirect_stdout(sys.stderr):
                results = invoke_all(function, events)
    for result in results:
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(printable(result))
    return 0


def run_isolated(args: argparse.Namespace, function: dict, storage_env: dict[str, str], api_key: str) -> list[dict]:
    import tempfile

    if not args.layer_dir:
        raise SystemExit("--isolated needs --layer-dir (the layer's python/ dir)")
    task_dir = (args.task_dir or function["codeUri"]).resolve()
    paths = {"task": str(task_dir), "layer": str(args.layer_dir.resolve())}
    if args.runtime_dir:
        paths["runtime"] = str(args.runtime_dir.resolve())
    function = {**function, "codeUri": str(task_dir)}
    environment = {**lambda_environment(function), **storage_env}
    workdir = Path(tempfile.mkdtemp(prefix="cnid-invoke-"))
    output = workdir / "report.json"
    spec = {
        "paths": paths,
        "environment": environment,
        "function": function,
        "apiKey": api_key,
        "events": [str(p.resolve()) for p in args.events],
        "output": str(output),
    }
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps(spec, default=str), encoding="utf-8")
    try:
        # -I: no PYTHON* variables, no user site, no script dir on sys.path; -S: no site-packages at all;
        # -B: no .pyc written, as /var/task and /opt are read-only on Lambda (so imports compile every cold start).
        child_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
        }
        proc = subprocess.run(
            [args.python, "-I", "-S", "-B", str(Path(__file__).resolve()), "--child", str(spec_path)],
            capture_output=True,
            text=True,
            env=child_env,
            timeout=600,
        )
        # The function's log (stdout/stderr), as CloudWatch would have it.
        sys.stderr.write(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise SystemExit(f"isolated invoke failed with exit code {proc.returncode}")
        report = json.loads(output.read_text(encoding="utf-8"))
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    if args.origins:
        args.origins.write_text(json.dumps({"origins": report["origins"], "sysPath": report["sysPath"]}, indent=2))
    return report["results"]


if __name__ == "__main__":
    sys.exit(main())
