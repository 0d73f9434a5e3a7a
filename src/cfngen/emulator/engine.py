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
  (:mod:`cfngen.emulator.resource_hooks`).

The resource semantics stay moto's: a rehearsal proves wiring, not AWS behaviour.
This module only wires the pieces in; :mod:`cfngen.emulator.models` and
:mod:`cfngen.emulator.stacksets` call back through the names it re-exports.
"""

from __future__ import annotations

import logging
import warnings

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing, responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.models import CloudFormationBackend, Stack

from cfngen.emulator import fills, models
from cfngen.emulator.change_sets import (
    create_change_set,
    delete_change_set,
    describe_change_set,
    execute_change_set,
)
from cfngen.emulator.resource_hooks import (
    _class_from_type,
    _clean_json,
    _create_resource,
    _delete_resource,
    _register_certificate,
    _update_resource,
)
from cfngen.emulator.stack_ops import (
    _continue_update_rollback,
    _run_update,
    _update_termination_protection,
    create_nested,
    create_stack,
    delete_stack,
    engine_delete_stack,
    update_nested,
)
from cfngen.emulator.stack_state import (
    _status_get,
    _status_set,
    _with_request_params,
    _wrap_stack_name,
    describe_stack_events,
)
from cfngen.emulator.template_urls import _bucket_permission, read_template_url

__all__ = [  # what models.py and stacksets.py call back into
    "_run_update",
    "create_nested",
    "engine_delete_stack",
    "install",
    "update_nested",
]

_installed = False
_orig_cs_response = responses.CloudFormationResponse.create_change_set
_orig_create_stack_response = responses.CloudFormationResponse.create_stack


def install() -> None:
    """Patch moto once per process; idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    logging.getLogger("moto").setLevel(logging.ERROR)  # unsupported-attribute chatter
    warnings.filterwarnings("ignore", module="moto")
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    parsing.get_model_map().update(models.EMULATED_TYPES)
    parsing.resource_class_from_type = _class_from_type
    parsing.clean_json = _clean_json
    parsing.parse_and_create_resource = _create_resource
    parsing.parse_and_update_resource = _update_resource
    parsing.ResourceMap._delete_resource = _delete_resource
    for module in (cfn_utils, cfn_models, responses):
        module.get_stack_from_s3_url = read_template_url  # type: ignore[attr-defined]
    from moto.s3.models import FakeBucket

    FakeBucket.get_permission = _bucket_permission  # type: ignore[method-assign]
    from moto.elbv2 import models as elbv2_models

    elbv2_models.register_certificate = _register_certificate  # type: ignore[assignment]
    Stack.status = property(_status_get, _status_set)  # type: ignore[assignment]
    backend = CloudFormationBackend
    backend.create_stack = create_stack  # type: ignore[method-assign]
    backend.create_change_set = create_change_set  # type: ignore[method-assign]
    backend.describe_change_set = describe_change_set  # type: ignore[method-assign]
    backend.delete_change_set = delete_change_set  # type: ignore[method-assign]
    backend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    backend.delete_stack = delete_stack  # type: ignore[method-assign]
    backend.describe_stack_events = describe_stack_events  # type: ignore[method-assign]
    resp = responses.CloudFormationResponse
    resp.create_change_set = _with_request_params(_orig_cs_response)  # type: ignore[method-assign]
    resp.create_stack = _with_request_params(_orig_create_stack_response)  # type: ignore[method-assign]
    for name in ("describe_change_set", "delete_change_set", "execute_change_set"):
        setattr(resp, name, _wrap_stack_name(getattr(resp, name)))
    resp.continue_update_rollback = _continue_update_rollback  # type: ignore[attr-defined]
    resp.update_termination_protection = _update_termination_protection  # type: ignore[attr-defined]
    fills.install()
