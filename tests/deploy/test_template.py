"""template.yaml: cfn-lint clean (it runs the SAM transform offline) and the properties the deployment relies on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cfnlint.api import lint_file
from cnid_ocr.store.tables import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict:
    return load_template(TEMPLATE)


def resources_of(template: dict, kind: str) -> dict[str, dict]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == kind}


def test_cfn_lint_is_clean() -> None:
    """Errors, warnings and informational findings alike: the same as `cfn-lint template.yaml` exiting 0."""
    matches = lint_file(TEMPLATE)
    assert matches == [], "\n".join(str(m) for m in matches)


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    """The lint step really checks the SAM-transformed resources (not a no-op on the Serverless transform)."""
    broken = TEMPLATE.read_text(encoding="utf-8").replace("MemorySize: 2048", "MemorySize: 20480000", 1)
    assert broken != TEMPLATE.read_text(encoding="utf-8")
    path = tmp_path / "template.yaml"
    path.write_text(broken, encoding="utf-8")
    assert any(m.rule.id == "E3034" for m in lint_file(path))


def test_function_runtime_handler_and_limits(template: dict) -> None:
    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    props = function["Properties"]
    match = re.fullmatch(r"python3\.(\d+)", props["Runtime"])
    assert match and int(match.group(1)) >= 12
    assert props["Handler"] == "cnid_ocr.lambda_handler.handler"
    assert props["CodeUri"].rstrip("/") == "handler"
    assert props["Timeout"] <= 29  # below the HTTP API's 30 s integration timeout
    assert props["MemorySize"] >= 1769  # at least one full vCPU for ONNX Runtime
    (layer,) = resources_of(template, "AWS::Serverless::LayerVersion").values()
    assert props["Architectures"] == layer["Properties"]["CompatibleArchitectures"]
    assert layer["Metadata"]["BuildArchitecture"] == props["Architectures"][0]
    assert function["Metadata"]["BuildArchitecture"] == props["Architectures"][0]
    assert props["Runtime"] in layer["Properties"]["CompatibleRuntimes"]
    env = props["Environment"]["Variables"]
    for name in ("CNID_OCR_KEYS_TABLE", "CNID_OCR_USAGE_TABLE", "CNID_OCR_UPLOADS_BUCKET", "CNID_OCR_ALLOWED_ORIGINS"):
        assert name in env
    # What fits a 6 MB synchronous invocation once base64-encoded, with room for multipart framing and headers.
    limit = int(env["CNID_OCR_MAX_IMAGE_BYTES"])
    assert limit >= 4_000_000 and (limit + 64 * 1024) * 4 / 3 + 16 * 1024 < 6 * 1024 * 1024


def test_http_api_default_route_payload_v2(template: dict) -> None:
    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    events = function["Properties"]["Events"]
    (event,) = events.values()
    assert event["Type"] == "HttpApi"
    assert event["Properties"]["PayloadFormatVersion"] == "2.0"
    assert "Path" not in event["Properties"]  # $default: OPTIONS preflights reach the app's CORS handling


def test_parameters(template: dict) -> None:
    params = template["Parameters"]
    assert {"Stage", "AllowedOrigins", "LogRetentionDays"} <= set(params)
    assert params["AllowedOrigins"]["Default"] == "*"


def test_keys_table(template: dict) -> None:
    props = template["Resources"]["KeysTable"]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [{"AttributeName": "keyId", "KeyType": "HASH"}]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


def test_usage_table(template: dict) -> None:
    props = template["Resources"]["UsageTable"]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [
        {"AttributeName": "keyId", "KeyType": "HASH"},
        {"AttributeName": "period", "KeyType": "RANGE"},
    ]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    # The counters customers are billed from are as recoverable as the keys.
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_every_variable_the_template_sets_is_one_the_app_reads(template: dict) -> None:
    """No variable the app silently ignores (CNID_OCR_STAGE was one): each CNID_OCR_* is a Settings field."""
    from cnid_ocr.config import Settings

    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    env = function["Properties"]["Environment"]["Variables"]
    fields = {f"CNID_OCR_{name.upper()}" for name in Settings.model_fields}
    ours = {name for name in env if name.startswith("CNID_OCR_")}
    assert ours and ours <= fields, ours - fields
    assert env["CNID_OCR_DOCS"] == {"Ref": "ApiDocs"}
    assert template["Parameters"]["ApiDocs"]["AllowedValues"] == ["true", "false"]
    # Each value the parameter allows is one Settings accepts.
    for value in template["Parameters"]["ApiDocs"]["AllowedValues"]:
        assert Settings(docs=value).docs is (value == "true")


def test_the_per_ip_rate_limit_is_an_optional_edge(template: dict) -> None:
    """PerIpRateLimit > 0 puts CloudFront + a WAF rate rule per IP in front of the API; 0 (the default) adds none."""
    assert template["Parameters"]["PerIpRateLimit"]["Default"] == 0
    acl = template["Resources"]["EdgeWebAcl"]
    distribution = template["Resources"]["EdgeDistribution"]
    assert acl["Condition"] == distribution["Condition"] == template["Outputs"]["EdgeUrl"]["Condition"]
    condition = template["Conditions"][acl["Condition"]]
    assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": "PerIpRateLimit"}, 0]}]}
    (rule,) = acl["Properties"]["Rules"]
    statement = rule["Statement"]["RateBasedStatement"]
    assert statement["AggregateKeyType"] == "IP" and statement["Limit"] == {"Ref": "PerIpRateLimit"}
    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    config = distribution["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {"Fn::GetAtt": ["EdgeWebAcl", "Arn"]}
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert behaviour["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert "POST" in behaviour["AllowedMethods"]
    # A CLOUDFRONT-scoped web ACL exists only in us-east-1: the template says so before anything is created.
    (assertion,) = template["Rules"]["EdgeRateLimitNeedsUsEast1"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}


@pytest.mark.parametrize("table", ["KeysTable", "UsageTable"])
def test_keys_and_usage_outlive_the_stack(template: dict, table: str) -> None:
    """A deleted stack, or an update that replaces a table, must not take the API keys and usage counts with it."""
    resource = template["Resources"][table]
    assert resource.get("DeletionPolicy") == "Retain", table
    assert resource.get("UpdateReplacePolicy") == "Retain", table


def test_only_the_tables_are_retained(template: dict) -> None:
    """Nothing a user would miss stays behind: the uploads bucket's objects expire anyway, logs have retention."""
    retained = {name for name, res in template["Resources"].items() if res.get("DeletionPolicy") == "Retain"}
    assert retained == {"KeysTable", "UsageTable"}


def test_uploads_bucket_private_encrypted_expiring(template: dict) -> None:
    props = template["Resources"]["UploadsBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    lifecycle = props["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r["ExpirationInDays"] <= 1 for r in lifecycle)


def test_log_groups_have_retention(template: dict) -> None:
    groups = resources_of(template, "AWS::Logs::LogGroup")
    assert groups
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def _statements(template: dict) -> list[dict]:
    (role,) = resources_of(template, "AWS::IAM::Role").values()
    return [s for policy in role["Properties"]["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def test_iam_is_least_privilege(template: dict) -> None:
    statements = _statements(template)
    for statement in statements:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), actions
        assert statement["Resource"] != "*"
    actions = {a for s in statements for a in s["Action"]}
    assert not any(a.startswith(("dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:PutItem")) for a in actions)
    # Every resource is one of this stack's.
    for statement in statements:
        assert "GetAtt" in str(statement["Resource"]) or "Sub" in str(statement["Resource"])


def test_outputs_have_the_api_url(template: dict) -> None:
    assert "execute-api" in str(template["Outputs"]["ApiUrl"]["Value"])


def test_moto_tables_from_template(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from cnid_ocr.store.tables import create_tables_from_template
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables_from_template(client, {"KeysTable": "k", "UsageTable": "u"}, TEMPLATE)
        assert client.describe_time_to_live(TableName="u")["TimeToLiveDescription"]["AttributeName"] == "expiresAt"
        assert client.describe_table(TableName="k")["Table"]["KeySchema"][0]["AttributeName"] == "keyId"
