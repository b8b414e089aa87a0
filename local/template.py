"""Reads template.yaml and creates its resources on a (moto) AWS endpoint.

The tests and the local stack both build their tables, functions and state machines from here, so
neither can drift from what `sam deploy` creates.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
ACCOUNT = "123456789012"
REGION = "us-east-1"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that understands CloudFormation's short-form intrinsics (!Ref, !GetAtt, ...)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as fh:
        data: dict[str, Any] = yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return data


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


@dataclass
class Names:
    """Local physical names and ARNs for logical ids, used to resolve !Ref / !GetAtt."""

    prefix: str = "roster-local"
    overrides: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def secret(self, reference: str) -> str:
        """A `{{resolve:secretsmanager:...}}` reference becomes a random value, fixed per run."""
        return self.secrets.setdefault(reference, secrets.token_urlsafe(32))

    def physical(self, logical_id: str) -> str:
        name = self.overrides.get(logical_id, f"{self.prefix}-{logical_id}")
        # S3 bucket names must be lower case; buckets are named ...Bucket by convention here.
        return name.lower() if logical_id.endswith("Bucket") else name

    def arn(self, template: dict[str, Any], logical_id: str) -> str:
        kind = template["Resources"][logical_id]["Type"]
        name = self.physical(logical_id)
        if kind == "AWS::Serverless::Function":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        if kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        if kind == "AWS::Serverless::StateMachine":
            return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
        if kind == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
        return f"arn:aws:local:{REGION}:{ACCOUNT}:{logical_id}/{name}"


def resolve(value: Any, template: dict[str, Any], names: Names, params: dict[str, str]) -> Any:
    """Resolves the intrinsics the local stack needs: Ref, GetAtt (Arn/Name), Sub, If, Equals."""
    if isinstance(value, list):
        return [resolve(v, template, names, params) for v in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        ref = value["Ref"]
        if ref in params:
            return params[ref]
        if ref == "AWS::Region":
            return REGION
        if ref == "AWS::AccountId":
            return ACCOUNT
        if ref == "AWS::URLSuffix":
            return "amazonaws.com"
        kind = template["Resources"].get(ref, {}).get("Type")
        if kind == "AWS::SQS::Queue":
            return queue_url(names.physical(ref))
        if kind == "AWS::Serverless::StateMachine":  # SAM's Ref of a state machine is its ARN
            return names.arn(template, ref)
        return names.physical(ref)
    if "Fn::GetAtt" in value:
        logical_id, attr = value["Fn::GetAtt"]
        return names.arn(template, logical_id) if attr.endswith("Arn") else names.physical(logical_id)
    if "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]

        def sub(m: re.Match[str]) -> str:
            ref = m.group(1)
            if "." in ref:
                return str(resolve({"Fn::GetAtt": ref.split(".", 1)}, template, names, params))
            return str(resolve({"Ref": ref}, template, names, params))

        text = re.sub(r"\$\{([^}!]+)\}", sub, text)
        return names.secret(text) if text.startswith("{{resolve:secretsmanager:") else text
    if "Fn::If" in value:
        cond, yes, no = value["Fn::If"]
        return resolve(yes if condition(template, cond, params) else no, template, names, params)
    return {k: resolve(v, template, names, params) for k, v in value.items()}


def condition(template: dict[str, Any], name: str, params: dict[str, str]) -> bool:
    spec = template.get("Conditions", {})[name]
    if "Fn::Equals" in spec:
        a, b = (resolve(v, template, Names(), params) for v in spec["Fn::Equals"])
        return bool(a == b)
    raise NotImplementedError(f"condition {name}: only Fn::Equals is supported locally")


def parameters(template: dict[str, Any], overrides: dict[str, str] | None = None) -> dict[str, str]:
    params = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
    return params | (overrides or {})


def table_kwargs(template: dict[str, Any], logical_id: str, names: Names) -> dict[str, Any]:
    props = template["Resources"][logical_id]["Properties"]
    kwargs: dict[str, Any] = {
        "TableName": names.physical(logical_id),
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in props:
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if "StreamSpecification" in props:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return kwargs


def create_tables(dynamodb: Any, template: dict[str, Any], names: Names) -> list[str]:
    created = []
    for logical_id, resource in resources(template, "AWS::DynamoDB::Table").items():
        kwargs = table_kwargs(template, logical_id, names)
        dynamodb.create_table(**kwargs)
        ttl = resource["Properties"].get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=kwargs["TableName"], TimeToLiveSpecification=ttl)
        created.append(kwargs["TableName"])
    return created


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    module: str
    attribute: str
    environment: dict[str, str]
    routes: list[tuple[str, str, bool]]  # (method, path, needs auth)


def functions(template: dict[str, Any], names: Names, params: dict[str, str]) -> list[FunctionSpec]:
    glob = template.get("Globals", {}).get("Function", {})
    genv = glob.get("Environment", {}).get("Variables", {})
    api_auth = {
        name: r["Properties"].get("Auth", {}).get("DefaultAuthorizer")
        for name, r in resources(template, "AWS::Serverless::HttpApi").items()
    }
    specs = []
    for logical_id, resource in resources(template, "AWS::Serverless::Function").items():
        props = resource["Properties"]
        env = {**genv, **props.get("Environment", {}).get("Variables", {})}
        module, attribute = props["Handler"].rsplit(".", 1)
        routes = []
        for event in props.get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            ep = event["Properties"]
            default_auth = api_auth.get(ep.get("ApiId", {}).get("Ref", ""))
            authorizer = ep.get("Auth", {}).get("Authorizer", default_auth)
            routes.append((ep["Method"].upper(), ep["Path"], bool(authorizer and authorizer != "NONE")))
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                code_dir=ROOT / props["CodeUri"],
                module=module,
                attribute=attribute,
                environment={k: str(resolve(v, template, names, params)) for k, v in env.items()},
                routes=routes,
            )
        )
    return specs


def authorizer_function(template: dict[str, Any]) -> str | None:
    """Logical id of the function behind the HTTP API's default authorizer."""
    for api in resources(template, "AWS::Serverless::HttpApi").values():
        auth = api["Properties"].get("Auth", {})
        default = auth.get("DefaultAuthorizer")
        if default:
            arn = auth["Authorizers"][default]["FunctionArn"]
            return str(arn["Fn::GetAtt"][0])
    return None


def _empty_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "# handlers run in-process in the local stack\n")
    return buf.getvalue()


def create_functions(lambda_client: Any, iam: Any, template: dict[str, Any], names: Names) -> None:
    """Registers each function with moto so state machines can name their ARNs; the code that runs
    is the real handler, dispatched in-process (see local.lambdas)."""
    role = iam.create_role(
        RoleName=f"{names.prefix}-lambda",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    code = _empty_zip()
    for logical_id, resource in resources(template, "AWS::Serverless::Function").items():
        lambda_client.create_function(
            FunctionName=names.physical(logical_id),
            Runtime="python3.13",
            Role=role,
            Handler=resource["Properties"]["Handler"],
            Code={"ZipFile": code},
        )


def substitute(text: str, subs: dict[str, str]) -> str:
    """Applies DefinitionSubstitutions (`${Name}`) the way CloudFormation does; unknown names stay."""
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: subs.get(m.group(1), m.group(0)), text)


def state_machine_definitions(
    template: dict[str, Any], names: Names, params: dict[str, str]
) -> dict[str, str]:
    """Logical id → definition text with DefinitionSubstitutions applied, exactly as deploy does."""
    out = {}
    for logical_id, resource in resources(template, "AWS::Serverless::StateMachine").items():
        props = resource["Properties"]
        text = (ROOT / props["DefinitionUri"]).read_text()
        subs = {
            k: str(resolve(v, template, names, params))
            for k, v in props.get("DefinitionSubstitutions", {}).items()
        }
        out[logical_id] = substitute(text, subs)
    return out


def create_state_machines(
    sfn: Any, iam: Any, template: dict[str, Any], names: Names, params: dict[str, str]
) -> None:
    definitions = state_machine_definitions(template, names, params)
    if not definitions:
        return
    role = iam.create_role(
        RoleName=f"{names.prefix}-states",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    for logical_id, definition in definitions.items():
        sfn.create_state_machine(name=names.physical(logical_id), definition=definition, roleArn=role)


def queue_url(name: str) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


def create_queues(sqs: Any, template: dict[str, Any], names: Names) -> list[str]:
    """SQS queues (redrive policies included) under their local names."""
    created = []
    queues = resources(template, "AWS::SQS::Queue").items()
    # Dead-letter queues first: a redrive policy names a queue that must exist.
    for logical_id, spec in sorted(queues, key=lambda q: "RedrivePolicy" in q[1].get("Properties", {})):
        props = resolve(spec.get("Properties", {}), template, names, {})
        attributes = {k: str(props[k]) for k in ("VisibilityTimeout", "MessageRetentionPeriod") if k in props}
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        name = names.physical(logical_id)
        sqs.create_queue(QueueName=name, Attributes=attributes)
        created.append(name)
    return created


def create_buckets(s3: Any, template: dict[str, Any], names: Names) -> list[str]:
    created = []
    for logical_id in resources(template, "AWS::S3::Bucket"):
        s3.create_bucket(Bucket=names.physical(logical_id))
        created.append(names.physical(logical_id))
    return created


def create_email_identities(ses: Any, template: dict[str, Any], names: Names, params: dict[str, str]) -> None:
    """moto refuses to send from unverified identities, so every template identity is verified."""
    for resource in resources(template, "AWS::SES::EmailIdentity").values():
        identity = str(resolve(resource["Properties"]["EmailIdentity"], template, names, params))
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)


USER_POOL_PROPERTIES = (
    "UsernameAttributes",
    "AutoVerifiedAttributes",
    "UsernameConfiguration",
    "Policies",
    "AdminCreateUserConfig",
    "AccountRecoverySetting",
)
CLIENT_PROPERTIES = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
)


def create_user_pools(
    cognito: Any, template: dict[str, Any], names: Names, params: dict[str, str]
) -> dict[str, str]:
    """The Cognito user pools and their app clients. Their ids are Cognito's, so they become the
    names' overrides: `!Ref UserPool` in a function's environment resolves to the real pool id."""
    created: dict[str, str] = {}
    for logical_id, resource in resources(template, "AWS::Cognito::UserPool").items():
        props = resolve(resource.get("Properties", {}), template, names, params)
        kwargs = {k: props[k] for k in USER_POOL_PROPERTIES if k in props}
        pool = cognito.create_user_pool(
            PoolName=str(props.get("UserPoolName", names.physical(logical_id))), **kwargs
        )
        names.overrides[logical_id] = created[logical_id] = pool["UserPool"]["Id"]
    for logical_id, resource in resources(template, "AWS::Cognito::UserPoolClient").items():
        props = resolve(resource["Properties"], template, names, params)
        kwargs = {k: props[k] for k in CLIENT_PROPERTIES if k in props}
        client = cognito.create_user_pool_client(UserPoolId=props["UserPoolId"], **kwargs)
        names.overrides[logical_id] = created[logical_id] = client["UserPoolClient"]["ClientId"]
    return created
