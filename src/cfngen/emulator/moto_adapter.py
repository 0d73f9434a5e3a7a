"""Everything the emulator takes from moto, in one place, for the moto versions it was tested with.

The emulator is moto's server plus cfngen's gap fills. Every use of something moto
does not promise to keep - a private name (``_get_param``, ``_parse_template``,
``ResourceMap._delete_resource``), a method replaced on a moto class, a model
class or a backend - is here and nowhere else, behind small typed functions the
other emulator modules call. A new moto release is checked against this module
alone: :func:`check_version` refuses a version that is not in
:data:`TESTED_MOTO_VERSIONS` with a clear message (``CFNGEN_EMULATOR_ANY_MOTO=1``
tries it anyway), and setup.cfg pins moto to the same versions.

How the rest of the emulator plugs in:

* stack and change-set operations, events and status: :func:`hook_cloudformation`;
* per-resource create/update/delete and type lookup in moto's template parser:
  :func:`hook_resources`;
* models for types moto lacks: subclass :data:`MotoModel` and :func:`register_models`;
* what a moto model drops or lacks: :func:`patch_model` (wraps its create, delete or
  ``Fn::GetAtt``), keyed by the CloudFormation type, never by moto's class names;
* API actions moto lacks or answers wrongly: :func:`add_action`, :func:`before_action`
  (CloudFormation), :func:`add_ecs_action` (ECS);
* StackSets: :func:`hook_stack_sets`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, cast

import moto
from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.awslambda.utils import get_backend as lambda_backend
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing, responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import (
    AlreadyExistsException,
    CloudFormationError,
    StackInstanceNotFound,
    UnformattedGetAttTemplateException,
    ValidationError,
)
from moto.cloudformation.models import (
    Change,
    ChangeSet,
    CloudFormationBackend,
    Event,
    Stack,
    StackSet,
    cloudformation_backends,
)
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ecr.models import ECRBackend, ecr_backends
from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.eks.models import EKSBackend, eks_backends
from moto.elb import models as elb_models
from moto.elb.exceptions import CertificateNotFoundException
from moto.elbv2 import models as elbv2_models
from moto.elbv2.models import ELBv2Backend, elbv2_backends
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, get_account_id_from, iam_backends
from moto.kms.models import KmsBackend, kms_backends
from moto.logs.models import logs_backends
from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.servicediscovery.models import ServiceDiscoveryBackend, servicediscovery_backends
from moto.utilities.utils import get_partition

from cfngen.emulator.errors import EmulatorUnavailable

TESTED_MOTO_VERSIONS: Final = ("5.2.5",)  # keep in step with setup.cfg's moto pin
ANY_MOTO_ENV: Final = "CFNGEN_EMULATOR_ANY_MOTO"

MotoModel = CloudFormationModel  # base class of every CloudFormation resource model
Resource = Any  # what a model's create returns: a moto model object, or one of ours
Template = dict[str, Any]


class UnsupportedMoto(EmulatorUnavailable):
    """The installed moto is not a version this adapter was written and tested for."""


def check_version(version: str | None = None) -> None:
    """Refuse an untested moto: its internals may have moved under the emulator's fills."""
    version = version or moto.__version__
    if version in TESTED_MOTO_VERSIONS or os.environ.get(ANY_MOTO_ENV) == "1":
        return
    raise UnsupportedMoto(
        f"the cfngen emulator was written for moto {', '.join(TESTED_MOTO_VERSIONS)} and "
        f"moto {version} is installed; install a tested one (pip install 'cfngen[local]') "
        f"or set {ANY_MOTO_ENV}=1 to try this one anyway"
    )


def configure() -> None:
    """moto's settings for a local endpoint (a variable already set wins).

    Any region name is accepted (as in a test of a new region), and no sample AMIs
    are loaded: they cost a fresh account most of its set-up time, and no template
    of ours names an AMI (a real AMI id would not exist here anyway).
    """
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def replace(owner: object, name: str, value: object) -> None:
    """Replace one attribute of a moto module or class (the only place this is done)."""
    setattr(owner, name, value)


# --------------------------------------------------------------------------- backends


def cloudformation(account_id: str, region_name: str) -> CloudFormationBackend:
    return cloudformation_backends[account_id][region_name]


def ec2(account_id: str, region_name: str) -> EC2Backend:
    return ec2_backends[account_id][region_name]


def eks(account_id: str, region_name: str) -> EKSBackend:
    return eks_backends[account_id][region_name]


def ecs(account_id: str, region_name: str) -> EC2ContainerServiceBackend:
    return ecs_backends[account_id][region_name]


def servicediscovery(account_id: str, region_name: str) -> ServiceDiscoveryBackend:
    return servicediscovery_backends[account_id][region_name]


def ecr(account_id: str, region_name: str) -> ECRBackend:
    return ecr_backends[account_id][region_name]


def elbv2(account_id: str, region_name: str) -> ELBv2Backend:
    return elbv2_backends[account_id][region_name]


def kms(account_id: str, region_name: str) -> KmsBackend:
    return kms_backends[account_id][region_name]


def iam(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


def s3(account_id: str, region_name: str = "us-east-1") -> S3Backend:
    return s3_backends[account_id][get_partition(region_name)]


def s3_partition(account_id: str, partition: str) -> S3Backend:
    return s3_backends[account_id][partition]


def existing_named(resource_type: str, name: str, account_id: str, region_name: str) -> Any:
    """The model object of a named resource that already exists (ImportExistingResources)."""
    if resource_type == "AWS::ECR::Repository":
        return ecr_backends[account_id][region_name].repositories.get(name)
    if resource_type == "AWS::Logs::LogGroup":
        return logs_backends[account_id][region_name].groups.get(name)
    if resource_type == "AWS::S3::Bucket":
        return s3_backends[account_id][partition(region_name)].buckets.get(name)
    if resource_type == "AWS::IAM::Role":
        roles = iam_backends[account_id][partition(region_name)].roles.values()
        return next((r for r in roles if r.name == name), None)
    return None


def bucket_owner(bucket: str) -> tuple[str, str] | None:
    """(partition, account) of the account holding ``bucket``, if any account does."""
    owner = s3_backends.bucket_accounts.get(bucket)
    return None if owner is None else (str(owner[0]), str(owner[1]))


def application_autoscaling(account_id: str, region_name: str) -> Any:
    return applicationautoscaling_backends[account_id][region_name]


def lambda_function_exists(account_id: str, region_name: str, arn: str) -> None:
    """Raise (as moto does) unless the Lambda function exists."""
    lambda_backend(account_id, region_name).get_function(arn)


def load_aws_managed_policy(account_id: str, region_name: str, arn: str) -> bool:
    """Put one AWS-managed policy into the account's IAM, from moto's copy of its document.

    moto loads either all of them (``MOTO_IAM_LOAD_MANAGED_POLICIES``, a second per
    account) or none; a template that attaches one needs exactly that one. False when
    the ARN is not an AWS-managed policy moto has a copy of.
    """
    if ":iam::aws:policy/" not in arn:
        return False
    backend = iam(account_id, region_name)
    if arn in backend.managed_policies:
        return True
    name = arn.rsplit("/", 1)[-1]
    data = json.loads(aws_managed_policies_data).get(name)
    if data is None:
        return False
    policy = AWSManagedPolicy.from_data(name, account_id, region_name, data)
    backend.managed_policies[policy.arn] = policy
    return True


def delete_as_moto(resource_type: str, physical_id: str, account_id: str, region: str) -> None:
    """moto's own CloudFormation delete of a resource (after a fill did what moto skips)."""
    model = model_for(resource_type)
    model.delete_from_cloudformation_json(physical_id, {"Properties": {}}, account_id, region)


def request_account(environ: dict[str, Any], access_key: str) -> str:
    """The account a request acts in, decided as moto decides it for its own services."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return str(environ["HTTP_X_MOTO_ACCOUNT_ID"])
    return get_account_id_from(access_key)


def reset_backends() -> None:
    """Empty every moto backend of every account and region."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def partition(region_name: str) -> str:
    return get_partition(region_name)


def now() -> Any:
    return utcnow()


# --------------------------------------------------------------------------- CloudFormation objects


def new_stack(
    *,
    name: str,
    template: str | Template,
    parameters: dict[str, Any],
    account_id: str,
    region_name: str,
    **kw: Any,
) -> Stack:
    """A moto Stack (moto types it abstract; it is the class its own backend creates)."""
    stack_class = cast(Any, Stack)
    return cast(
        Stack,
        stack_class(
            stack_id=cfn_utils.generate_stack_id(name, region_name, account_id),
            name=name,
            template=template,
            parameters=parameters,
            account_id=account_id,
            region_name=region_name,
            **kw,
        ),
    )


def new_change_set(
    backend: CloudFormationBackend,
    *,
    name: str,
    change_set_type: str,
    stack: Stack,
    template: str,
    parameters: dict[str, Any],
    description: str | None,
    **kw: Any,
) -> ChangeSet:
    return ChangeSet(
        change_set_type=change_set_type,
        change_set_id=cfn_utils.generate_changeset_id(
            name, backend.region_name, backend.account_id
        ),
        change_set_name=name,
        stack=stack,
        template=template,
        parameters=parameters,
        description=cast(str, description),
        **kw,
    )


def new_change(action: str, logical_id: str, resource_type: str, **fields: Any) -> Change:
    """One ``ResourceChange`` of a change set; ``fields`` are more API members (snake_case)."""
    change = Change(action=action, logical_resource_id=logical_id, resource_type=resource_type)
    show(change, **fields)
    return change


def validate_change_set_name(name: str) -> None:
    cfn_utils.validate_create_change_set(name)


def new_event(
    stack: Stack,
    logical_id: str,
    physical_id: str,
    resource_type: str,
    status: str,
    reason: str | None,
    token: str | None,
) -> Event:
    ev = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical_id,
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    show(ev, client_request_token=token)
    return ev


def show(obj: object, **fields: Any) -> None:
    """Set API fields moto's models lack: its serializer reads them by snake_case name.

    moto 5.2 renders a response from the model's attributes named after the API
    members (``ParentId`` from ``parent_id``); that is how ``ParentId``/``RootId``,
    nested change-set links and ``Replacement`` reach the caller.
    """
    for name, value in fields.items():
        setattr(obj, name, value)


def parse_template(body: str) -> Template:
    """A template body as moto reads it (JSON or YAML with short-form tags)."""
    return cfn_models.Stack.parse_template(body)


def refresh(stack: Stack) -> None:
    """Re-read a stack's template, description and outputs after its template changed."""
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()


def load_template(stack: Stack, template: str, parameters: dict[str, Any]) -> None:
    """Give a REVIEW_IN_PROGRESS stack the template and parameters of its change set."""
    stack.template, stack.parameters = template, parameters
    stack._parse_template()
    stack.resource_map = stack._create_resource_map()


def output_value(stack: Stack, key: str) -> Any:
    """A stack output's value, or KeyError."""
    output = stack.output_map[key] if key in set(stack.output_map.outputs) else None
    if output is None:
        raise KeyError(key)
    return output.value


# --------------------------------------------------------------------------- the resource map


def location(rmap: ResourceMap) -> tuple[str, str]:
    """(account, region) a stack's resources live in."""
    return rmap._account_id, rmap._region_name


def parsed(rmap: ResourceMap) -> dict[str, Any]:
    """Logical id -> created resource (moto's own dict, changes are kept)."""
    return rmap._parsed_resources


def declared(rmap: ResourceMap) -> dict[str, Template]:
    """Logical id -> the resource's template JSON."""
    return cast(dict[str, Template], rmap._resource_json_map)


def condition_holds(rmap: ResourceMap, condition: str) -> bool:
    return bool(rmap.lazy_condition_map[condition])


def create_now(rmap: ResourceMap, logical_id: str) -> None:
    """Create a resource of the map before the one that refers to it."""
    rmap[logical_id]


def resource_diff(rmap: ResourceMap, template: Template, parameters: dict[str, Any]) -> Any:
    """What an update adds, modifies and removes (moto's diff, as hooked)."""
    return rmap.build_resource_diff(template, parameters)


def begin_update(rmap: ResourceMap, template: Template, parameters: dict[str, Any]) -> None:
    """Point a resource map at an update's template, parameters, mappings and conditions.

    moto's ``ResourceMap.update`` does this between deleting what the update removes and
    creating what it adds; CloudFormation deletes last, so the emulator drives the steps
    itself (:func:`update_now`, :func:`create_now`) and deletes in a cleanup phase.
    """
    rmap._template = template
    if parameters is not None:  # moto keeps the old ones for {}: a dropped last parameter
        rmap.input_parameters = parameters
    rmap.load_mapping()
    rmap.load_parameters()
    rmap.load_conditions()
    rmap._resource_json_map = template["Resources"]


def update_now(rmap: ResourceMap, logical_id: str) -> None:
    """Apply a resource's new template JSON (through the hooked per-resource update)."""
    rmap._parsed_resources[logical_id] = parsing.parse_and_update_resource(
        logical_id,
        rmap._resource_json_map[logical_id],
        rmap,
        account_id=rmap._account_id,
        region_name=rmap._region_name,
    )


@dataclass(frozen=True)
class Saved:
    """What an update changes in a stack and its resource map, to put back on rollback."""

    template: Any
    parameters: Any
    map_template: Any
    declared: Any
    inputs: Any


def save(stack: Stack) -> Saved:
    rmap = stack.resource_map
    return Saved(
        stack.template,
        stack.parameters,
        rmap._template,
        rmap._resource_json_map,
        rmap.input_parameters,
    )


def restore(stack: Stack, saved: Saved) -> None:
    rmap = stack.resource_map
    stack.template, stack.parameters = saved.template, saved.parameters
    rmap._template, rmap._resource_json_map = saved.map_template, saved.declared
    rmap.input_parameters = saved.inputs


def is_plain_value(resource: object) -> bool:
    """moto keeps parameters and conditions next to resources; they have nothing to delete."""
    return resource is None or isinstance(resource, str | list | dict | int | float)


# --------------------------------------------------------------------------- hooks


ResourceHook = Callable[[str, Template, ResourceMap, str, str], Any]
DeleteHook = Callable[[ResourceMap, Any, Template], None]


@dataclass(frozen=True)
class MotoResources:
    """moto's own per-resource functions, for hooks that add to them."""

    create: ResourceHook
    update: ResourceHook
    delete: DeleteHook
    clean_json: Callable[[Any, ResourceMap], Any]
    class_for: Callable[[str], type[MotoModel] | None]
    null_types: frozenset[str]
    diff: Callable[..., dict[str, list[str]]]  # (rmap, template, parameters) -> by action


MOTO_RESOURCES: Final = MotoResources(
    create=parsing.parse_and_create_resource,
    update=parsing.parse_and_update_resource,
    delete=parsing.ResourceMap._delete_resource,
    clean_json=parsing.clean_json,
    class_for=parsing.resource_class_from_type,
    null_types=frozenset(parsing.NULL_MODELS),
    diff=parsing.ResourceMap.build_resource_diff,
)


def hook_resources(
    *,
    create: ResourceHook,
    update: ResourceHook,
    delete: DeleteHook,
    clean_json: Callable[[Any, ResourceMap], Any],
    class_for: Callable[[str], type[MotoModel] | None],
) -> None:
    """Route moto's template parser through ours for every resource of every stack."""
    replace(parsing, "parse_and_create_resource", create)
    replace(parsing, "parse_and_update_resource", update)
    replace(parsing.ResourceMap, "_delete_resource", delete)
    replace(parsing, "clean_json", clean_json)
    replace(parsing, "resource_class_from_type", class_for)


def hook_resource_diff(diff: Callable[..., dict[str, list[str]]]) -> None:
    """``diff(moto_diff, rmap, template, parameters)`` decides what an update adds,
    modifies and removes (moto's own answer is ``moto_diff``)."""
    moto_diff = MOTO_RESOURCES.diff

    def build(
        rmap: ResourceMap, template: Template, parameters: dict[str, Any] | None = None
    ) -> dict[str, list[str]]:
        return diff(moto_diff, rmap, template, parameters)

    replace(ResourceMap, "build_resource_diff", build)


def register_models(models: dict[str, type[MotoModel]]) -> None:
    """Serve these CloudFormation types with these models (moto caches its model map)."""
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    parsing.get_model_map().update(models)


@dataclass(frozen=True)
class CloudFormationHooks:
    """Our versions of moto's CloudFormation backend operations (see stack_ops, change_sets)."""

    create_stack: Callable[..., Stack]
    delete_stack: Callable[[CloudFormationBackend, str], None]
    create_change_set: Callable[..., tuple[str, str]]
    describe_change_set: Callable[[CloudFormationBackend, str], Any]
    delete_change_set: Callable[[CloudFormationBackend, str], None]
    execute_change_set: Callable[..., None]
    describe_stack_events: Callable[[CloudFormationBackend, str], list[Event]]
    status: property  # Stack.status: what a busy or held stack reports
    read_template_url: Callable[[str, str, str], str]


def hook_cloudformation(hooks: CloudFormationHooks) -> None:
    backend = CloudFormationBackend
    for name in (
        "create_stack",
        "delete_stack",
        "create_change_set",
        "describe_change_set",
        "delete_change_set",
        "execute_change_set",
        "describe_stack_events",
    ):
        replace(backend, name, getattr(hooks, name))
    replace(Stack, "status", hooks.status)
    for module in (cfn_utils, cfn_models, responses):  # each imported moto's reader by name
        replace(module, "get_stack_from_s3_url", hooks.read_template_url)


def json_first_templates() -> None:
    """Read JSON templates with json: moto tries PyYAML's pure-Python loader first on every
    template (a tenth of a deploy), and our deployer sends JSON. YAML still goes to moto."""
    moto_parse = cfn_models.Stack.parse_template

    def parse(template: str) -> Template:
        if template.lstrip().startswith("{"):
            try:
                return cast(Template, json.loads(template))
            except ValueError:
                pass
        return moto_parse(template)

    replace(cfn_models.Stack, "parse_template", staticmethod(parse))


def hook_bucket_permission(check: Callable[[Any, str, str], Any]) -> None:
    """``check(bucket, action, resource)`` decides a bucket policy's answer."""
    replace(FakeBucket, "get_permission", check)


def bucket_policy(bucket: Any) -> dict[str, Any] | None:
    return None if bucket.policy is None else dict(json.loads(bucket.policy.decode()))


def policy_permission(policy: dict[str, Any] | None, action: str, resource: str) -> Any:
    """moto's IAM evaluation of a (possibly trimmed) bucket policy."""
    if not policy or not policy.get("Statement"):
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)


def hook_certificate_check(check: Callable[[str, str, str, str], None]) -> None:
    """``check(account, region, certificate_arn, user_arn)``: moto's listener certificate test."""
    replace(elbv2_models, "register_certificate", check)


def moto_certificate_check(account_id: str, region: str, arn: str, user: str) -> None:
    """moto's own check; raises :class:`CertificateNotFound` for a certificate ACM lacks."""
    elb_models.register_certificate(account_id, region, arn, user)


CertificateNotFound = CertificateNotFoundException


# --------------------------------------------------------------------------- API actions


class Request:
    """The API call a moto response handler serves: its parameters and backend."""

    def __init__(self, handler: CloudFormationResponse) -> None:
        self.handler = handler

    def param(self, name: str, default: Any = None) -> Any:
        return self.handler._get_param(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        return bool(self.handler._get_bool_param(name, default))

    def params(self) -> dict[str, Any]:
        return dict(self.handler._get_params())

    @property
    def backend(self) -> CloudFormationBackend:
        return self.handler.cloudformation_backend


Action = Callable[[Request], ActionResult | EmptyResult]


def add_action(name: str, action: Action) -> None:
    """Serve API action ``name`` (snake_case) with ``action``, in place of moto's if any."""

    def handler(self: CloudFormationResponse) -> ActionResult | EmptyResult:
        return action(Request(self))

    replace(CloudFormationResponse, name, handler)


def before_action(names: Iterable[str], before: Callable[[Request], None]) -> None:
    """Run ``before`` on each call of these actions, then moto's handler."""
    for name in names:
        moto_handler = getattr(CloudFormationResponse, name)

        def handler(self: CloudFormationResponse, moto_handler: Any = moto_handler) -> Any:
            before(Request(self))
            return moto_handler(self)

        replace(CloudFormationResponse, name, handler)


def around_action(name: str, around: Callable[[Request, Callable[[], Any]], Any]) -> None:
    """``around(request, moto)`` serves the action; ``moto()`` runs moto's own handler."""
    moto_handler = getattr(CloudFormationResponse, name)

    def handler(self: CloudFormationResponse) -> Any:
        return around(Request(self), lambda: moto_handler(self))

    replace(CloudFormationResponse, name, handler)


class EcsRequest:
    """An ECS API call (JSON protocol): its parameters, account and region."""

    def __init__(self, handler: EC2ContainerServiceResponse) -> None:
        self.handler = handler

    def param(self, name: str, default: Any = None) -> Any:
        return self.handler._get_param(name, default)

    @property
    def account_id(self) -> str:
        return str(self.handler.current_account)

    @property
    def region(self) -> str:
        return str(self.handler.region)


def add_ecs_action(name: str, action: Callable[[EcsRequest], ActionResult]) -> None:
    """Serve ECS API action ``name`` (snake_case), which moto lacks, with ``action``."""

    def handler(self: EC2ContainerServiceResponse) -> ActionResult:
        return action(EcsRequest(self))

    replace(EC2ContainerServiceResponse, name, handler)


def result(payload: dict[str, Any] | None = None) -> ActionResult | EmptyResult:
    return EmptyResult() if payload is None else ActionResult(payload)


# --------------------------------------------------------------------------- StackSets


@dataclass(frozen=True)
class StackSetHooks:
    """Our StackSet instance operations and what moto's StackSet misreports."""

    create_stack_instances: Callable[..., str]
    update_instances: Callable[..., dict[str, Any]]
    update: Callable[..., dict[str, Any]]
    delete_stack_instances: Callable[..., None]
    managed_execution: property
    describe_stack_instance: Callable[..., dict[str, Any]]


def hook_stack_sets(hooks: StackSetHooks) -> None:
    for name in ("create_stack_instances", "update_instances", "update", "delete_stack_instances"):
        replace(StackSet, name, getattr(hooks, name))
    replace(StackSet, "managed_execution", hooks.managed_execution)
    replace(CloudFormationBackend, "describe_stack_instance", hooks.describe_stack_instance)


def stack_instances(stackset: StackSet) -> list[Any]:
    """The stack set's own list of instances (the emulator keeps its own objects in it)."""
    return cast(list[Any], stackset.stack_instances)


def organization_accounts(stackset: StackSet, ous: list[str]) -> list[tuple[str, str]]:
    """(account, OU) of every account in these OUs and their child OUs."""
    org = stackset.instances.org_backend
    child = [ou.id for ou in org.ou if ou.parent_id in ous]
    return [
        (acct.id, ou_id)
        for ou_id in ous + child
        for acct in org.accounts
        if acct.parent_id == ou_id
    ]


# --------------------------------------------------------------------------- models moto has


@dataclass(frozen=True)
class ModelPatch:
    """What a fill changes in a model moto has, named by its CloudFormation type."""

    create: Callable[..., Resource] | None = (
        None  # create(moto_create, name, json, account, region)
    )
    delete: Callable[[Any, str, str], None] | None = None  # delete(resource, account, region)
    attribute: Callable[..., Any] | None = None  # attribute(moto_attribute, resource, name)
    attributes: frozenset[str] | None = None  # the Fn::GetAtt names it answers (all of them)


def model_for(resource_type: str) -> type[MotoModel]:
    """moto's own model class for a CloudFormation type."""
    for model in parsing.get_model_list():
        if model.cloudformation_type() == resource_type:
            return model
    raise KeyError(f"moto {moto.__version__} has no model for {resource_type}")


def _no_attribute(resource: object, name: str) -> Any:
    """A model without ``get_cfn_attribute`` answers no ``Fn::GetAtt``."""
    raise UnformattedGetAttTemplateException()


def patch_model(resource_type: str, patch: ModelPatch) -> None:
    """Apply a fill to moto's model of ``resource_type`` (its class methods, once)."""
    model = model_for(resource_type)
    if patch.create is not None:
        moto_create = model.create_from_cloudformation_json
        make = patch.create

        def create(
            cls: type, /, name: str, cfn_json: Template, account: str, region: str, **kw: Any
        ) -> Resource:
            return make(moto_create, name, cfn_json, account, region, **kw)

        replace(model, "create_from_cloudformation_json", classmethod(create))
    if patch.delete is not None:
        replace(model, "delete", patch.delete)
    if patch.attribute is not None:
        moto_attribute = getattr(model, "get_cfn_attribute", _no_attribute)
        answer = patch.attribute

        def attribute(self: Any, name: str) -> Any:
            return answer(moto_attribute, self, name)

        replace(model, "get_cfn_attribute", attribute)
    if patch.attributes is not None:
        names = patch.attributes
        replace(model, "has_cfn_attr", classmethod(lambda cls, attr: attr in names))


GetAttUnsupported = UnformattedGetAttTemplateException


# --------------------------------------------------------------------------- the server


def wsgi_app() -> Callable[..., Any]:
    """moto's WSGI application that serves every service by the request's host and auth."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return cast(Callable[..., Any], DomainDispatcherApplication(create_backend_app))


def request_handler() -> type:
    """moto's request handler without its per-request log line."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return QuietHandler


__all__ = [
    "ANY_MOTO_ENV",
    "MOTO_RESOURCES",
    "TESTED_MOTO_VERSIONS",
    "ActionResult",
    "AlreadyExistsException",
    "CertificateNotFound",
    "ChangeSet",
    "CloudFormationBackend",
    "CloudFormationError",
    "CloudFormationHooks",
    "EcsRequest",
    "EmptyResult",
    "Event",
    "GetAttUnsupported",
    "ModelPatch",
    "MotoModel",
    "Request",
    "ResourceMap",
    "Saved",
    "Stack",
    "StackInstanceNotFound",
    "StackSet",
    "StackSetHooks",
    "UnsupportedMoto",
    "ValidationError",
]
