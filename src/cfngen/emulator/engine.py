"""The CloudFormation behaviour a rehearsal needs and moto lacks, patched into moto once.

moto runs a stack operation synchronously inside the API call, emits only
stack-level events, has no failure states and leaves change-set outputs stale.
:func:`install` replaces a few backend methods so that, seen through the API:

* every resource gets ``*_IN_PROGRESS`` / ``*_COMPLETE`` / ``*_FAILED`` events
  (:mod:`cfngen.emulator.stack_state`, :mod:`cfngen.emulator.resource_hooks`);
* a failed create rolls back to ``ROLLBACK_COMPLETE`` (or is deleted with
  ``OnStackFailure=DELETE``), a failed update to ``UPDATE_ROLLBACK_COMPLETE``
  (``UPDATE_ROLLBACK_FAILED`` by fault), and a failed nested stack surfaces in
  its parent as "Embedded stack ... was not successfully created"
  (:mod:`cfngen.emulator.stack_ops`);
* an update modifies what resolved values change: a parameter's new default, and
  whatever refers to a replaced resource (:mod:`cfngen.emulator.update_diff`);
* nested stacks update in place, get ``ParentId``/``RootId``
  (:mod:`cfngen.emulator.stack_ops`) and, with ``IncludeNestedStacks``, nested
  change sets (:mod:`cfngen.emulator.change_sets`);
* busy stacks, termination protection and non-updatable states are refused
  like CloudFormation does, and ``ContinueUpdateRollback`` /
  ``UpdateTerminationProtection`` exist (:mod:`cfngen.emulator.stack_ops`);
* template URLs are read in every form our packager and ``aws cloudformation
  package`` write (virtual-hosted, path-style, ``localhost`` or ``127.0.0.1``),
  and TLS-only bucket policies do not deny plain-HTTP loopback reads
  (:mod:`cfngen.emulator.template_urls`);
* an HTTPS listener may name any ACM certificate ARN: a rehearsal cannot hold the
  user's real certificate (AWS checks that it exists and is issued; we cannot)
  (:mod:`cfngen.emulator.resource_hooks`);
* ECS services keep every property, blue/green services roll out through ECS's
  lifecycle stages and Service Connect registers in Cloud Map
  (:mod:`cfngen.emulator.ecs_models`, :mod:`cfngen.emulator.cloud_map`).

The resource semantics stay moto's: a rehearsal proves wiring, not AWS behaviour.
This module only wires the pieces in, through :mod:`cfngen.emulator.moto_adapter`
(the one module that touches moto's internals); it also decides which model
serves which resource type (:func:`model_for`).
"""

from __future__ import annotations

import logging
import warnings

from cfngen.emulator import (
    change_sets,
    ecs_models,
    fill_types,
    fills,
    models,
    security_fills,
    stack_ops,
    stack_state,
    stacksets,
    template_urls,
    update_diff,
)
from cfngen.emulator import moto_adapter as moto
from cfngen.emulator import resource_hooks as hooks
from cfngen.emulator.moto_adapter import MOTO_RESOURCES, MotoModel

MODELS: dict[str, type[MotoModel]] = {
    **models.EMULATED_TYPES,
    **fill_types.FILLED_TYPES,
    **ecs_models.TYPES,
}
_installed: list[bool] = []


def model_for(resource_type: str) -> type[MotoModel] | None:
    """The model that serves a type: ours, else moto's, else a placeholder.

    ``Custom::*`` go to the custom-resource fill (moto's would run the Lambda in
    Docker); a type nobody models is accepted as a :class:`~models.GenericResource`.
    """
    if resource_type in MODELS:
        return MODELS[resource_type]
    if resource_type.startswith("Custom::"):
        return fill_types.CustomResource
    found = MOTO_RESOURCES.class_for(resource_type)
    if found is None and resource_type not in MOTO_RESOURCES.null_types:
        return models.GenericResource
    return found


def install() -> None:
    """Check moto's version (every time), and patch it once per process."""
    moto.check_version()
    if _installed:
        return
    moto.configure()
    _installed.append(True)
    logging.getLogger("moto").setLevel(logging.ERROR)  # unsupported-attribute chatter
    warnings.filterwarnings("ignore", module="moto")
    moto.register_models(MODELS)
    moto.hook_resources(
        create=hooks.create_resource,
        update=hooks.update_resource,
        delete=hooks.delete_resource,
        clean_json=hooks.clean_json,
        class_for=model_for,
    )
    moto.hook_cloudformation(
        moto.CloudFormationHooks(
            create_stack=stack_ops.create_stack,
            delete_stack=stack_ops.delete_stack,
            create_change_set=change_sets.create_change_set,
            describe_change_set=change_sets.describe_change_set,
            delete_change_set=change_sets.delete_change_set,
            execute_change_set=change_sets.execute_change_set,
            describe_stack_events=stack_state.describe_stack_events,
            status=stack_state.STATUS,
            read_template_url=template_urls.read_template_url,
        )
    )
    moto.hook_resource_diff(update_diff.resource_diff)
    moto.json_first_templates()
    moto.hook_bucket_permission(template_urls.bucket_permission)
    moto.hook_certificate_check(hooks.certificate_check)
    moto.before_action(["create_change_set", "create_stack"], stack_state.remember_request)
    moto.before_action(
        ["describe_change_set", "delete_change_set", "execute_change_set"],
        stack_state.remember_stack_name,
    )
    moto.add_action("continue_update_rollback", stack_ops.continue_update_rollback)
    moto.around_action("describe_stack_resources", stack_ops.describe_stack_resources)
    moto.add_action("update_termination_protection", stack_ops.update_termination_protection)
    for name, action in ecs_models.ACTIONS.items():
        moto.add_ecs_action(name, action)
    for resource_type, patch in {**fills.MODEL_PATCHES, **security_fills.MODEL_PATCHES}.items():
        moto.patch_model(resource_type, patch)
    stacksets.install()
