"""Create the DynamoDB tables exactly as ``template.yaml`` declares them (local serve, tests, CLI).

The template is the single source of the deployed schema; reading it here means local and test tables cannot drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError

from .dynamo import error_code

# Logical IDs in template.yaml -> the Settings attribute holding the physical name used locally.
TABLE_SETTINGS = {"KeysTable": "keys_table", "UsageTable": "usage_table"}


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, !GetAtt ...) as their long-form dicts."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{tag_suffix}", node.start_mark)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    """The template as data, its short-form tags read as long-form dicts. The path comes from ``Settings.template``."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - SafeLoader subclass


def table_definitions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``AWS::DynamoDB::Table`` resources by logical ID, as CreateTable arguments (minus the name)."""
    tables = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        tables[logical_id] = {
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
            "ttl": props.get("TimeToLiveSpecification"),
        }
    return tables


def create_tables_from_template(client, names: dict[str, str], template_path: Path) -> None:
    """Create each table named in ``names`` (logical ID -> physical name) unless it already exists."""
    definitions = table_definitions(load_template(template_path))
    for logical_id, table_name in names.items():
        definition = dict(definitions[logical_id])
        ttl = definition.pop("ttl")
        try:
            client.create_table(TableName=table_name, **definition)
        except ClientError as exc:
            if error_code(exc) != "ResourceInUseException":
                raise
            continue
        client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        if ttl and ttl.get("Enabled"):
            client.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
