"""The HTTP side: moto's WSGI app on loopback, wrapped with call accounting and a control API.

Control API (JSON, only on the emulator's own port):

* ``GET /_cfngen/calls`` -> ``{"s3:PutObject": 3, ...}``; ``DELETE`` resets the counts
* ``POST /_cfngen/faults`` with a fault (see :mod:`cfngen.emulator.faults`) -> ``{"id": ...}``;
  ``GET`` lists the active faults (with ``hits``); ``DELETE`` clears them all;
  ``DELETE /_cfngen/faults/<id>`` releases one (a busy stack turns idle, a held operation ends)
* ``POST /_cfngen/reset`` -> empty every moto backend, faults and counts
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from cfngen.emulator import ecs_models, eks_addons, service_fills
from cfngen.emulator import moto_adapter as moto
from cfngen.emulator.faults import FAULTS, FaultError

CONTROL_PREFIX = "/_cfngen/"
_CREDENTIAL = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")
_S3_BUCKET_SUBRESOURCES = {
    "policy": "BucketPolicy",
    "encryption": "BucketEncryption",
    "publicAccessBlock": "PublicAccessBlock",
    "lifecycle": "BucketLifecycleConfiguration",
    "versioning": "BucketVersioning",
    "tagging": "BucketTagging",
    "location": "BucketLocation",
}

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


def _s3_action(method: str, path: str, query: dict[str, list[str]]) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "ListBuckets"
    if len(parts) == 1:
        for key, name in _S3_BUCKET_SUBRESOURCES.items():
            if key in query:
                return {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method) + name
        return {
            "HEAD": "HeadBucket",
            "PUT": "CreateBucket",
            "DELETE": "DeleteBucket",
            "GET": "ListObjects",
            "POST": "DeleteObjects",
        }.get(method, method)
    return {
        "HEAD": "HeadObject",
        "PUT": "PutObject",
        "GET": "GetObject",
        "DELETE": "DeleteObject",
    }.get(method, method)


def classify(environ: Environ) -> tuple[str, str]:
    """(service, action) of a request; reads a form body and puts it back."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CREDENTIAL.search(auth)
    service = match.group(1) if match else "unknown"
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, target.rsplit(".", 1)[-1]
    if service == "s3":
        return service, _s3_action(method, environ.get("PATH_INFO", "/"), query)
    if "Action" in query:
        return service, query["Action"][0]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return service, form["Action"][0]
    return service, f"{method} {environ.get('PATH_INFO', '/')}"


def _fill(service: str, action: str, environ: Environ) -> service_fills.Answer | None:
    """An answer moto lacks (:mod:`cfngen.emulator.service_fills`), or None for moto's own."""
    if service == "eks":
        return service_fills.eks(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", "/"),
            environ.get("QUERY_STRING", ""),
        )
    if service == "servicequotas":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        return service_fills.service_quotas(action, body)
    return None


def _throttled(service: str, start_response: StartResponse, json_protocol: bool) -> list[bytes]:
    if json_protocol:
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")])
        return [body]
    if service == "s3":
        body = b"<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"
        start_response("503 Slow Down", [("Content-Type", "application/xml")])
        return [body]
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
        b"<Message>Rate exceeded</Message></Error><RequestId>cfngen-fault</RequestId>"
        b"</ErrorResponse>"
    )
    start_response("400 Bad Request", [("Content-Type", "text/xml")])
    return [body]


def _json(start_response: StartResponse, status: str, payload: Any) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(payload, indent=2, sort_keys=True).encode()]


def _control(environ: Environ, start_response: StartResponse) -> list[bytes]:
    path = environ.get("PATH_INFO", "")[len(CONTROL_PREFIX) :].strip("/")
    method = environ.get("REQUEST_METHOD", "GET")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    if path == "calls" and method == "GET":
        return _json(start_response, "200 OK", FAULTS.counted())
    if path == "calls" and method == "DELETE":
        FAULTS.clear_calls()
        return _json(start_response, "200 OK", {})
    if path == "faults" and method == "POST":
        try:
            fault = FAULTS.add(json.loads(body or b"{}"))
        except (FaultError, ValueError) as exc:
            return _json(start_response, "400 Bad Request", {"error": str(exc)})
        return _json(start_response, "200 OK", {"id": fault.id, "faults": FAULTS.listed()})
    if path == "faults" and method == "DELETE":
        FAULTS.clear()
        return _json(start_response, "200 OK", {})
    if path == "faults" and method == "GET":
        return _json(start_response, "200 OK", {"faults": FAULTS.listed()})
    if path.startswith("faults/") and method == "DELETE":
        fault_id = path.removeprefix("faults/")
        if not FAULTS.release(fault_id):
            return _json(start_response, "404 Not Found", {"error": f"no active fault {fault_id}"})
        return _json(start_response, "200 OK", {"faults": FAULTS.listed()})
    if path == "reset" and method == "POST":
        FAULTS.clear()
        FAULTS.clear_calls()
        moto.reset_backends()
        eks_addons.reset()
        ecs_models.reset()
        return _json(start_response, "200 OK", {})
    return _json(start_response, "404 Not Found", {"error": f"no control endpoint {path}"})


class Middleware:
    """Counts every call, answers throttling faults and the control API, else moto."""

    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return _control(environ, start_response)
        service, action = classify(environ)
        FAULTS.begin_request(service, action)
        if FAULTS.take_throttle(action):
            return _throttled(service, start_response, "HTTP_X_AMZ_TARGET" in environ)
        if service == "eks":  # the add-on and Pod Identity reads moto's EKS lacks
            answered = eks_addons.eks_api(environ, start_response)
            if answered is not None:
                return answered
        filled = _fill(service, action, environ)
        if filled is not None:
            status, headers, body = filled
            start_response(status, headers)
            return [body]
        try:
            return self.app(environ, start_response)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # an engine bug must not kill the server thread
            body = (
                "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>"
                f"<Message>emulator error: {type(exc).__name__}: {exc}</Message></Error>"
                "</ErrorResponse>"
            ).encode()
            start_response("500 Internal Server Error", [("Content-Type", "text/xml")])
            return [body]
