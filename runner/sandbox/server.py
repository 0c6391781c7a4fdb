"""The sandbox's HTTP server: routing, version gates, auth, faults, admin endpoints.

Standard library only (ThreadingHTTPServer, HTTP/1.1 keep-alive). Every response is
written with one ``write`` and TCP_NODELAY, so small answers do not wait for Nagle.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from runner.sandbox.admin import handle_admin
from runner.sandbox.api import Api, ApiError, Request, Response, problem_response
from runner.sandbox.auth import Authenticator, AuthSettings, TokenError
from runner.sandbox.faults import FaultInjector, parse_plan
from runner.sandbox.store import Store
from runner.sandbox.views import Flavor
from runner.version import ServerVersion

Handler = Callable[[Api, dict[str, str], Request], Response]


@dataclass(frozen=True, slots=True)
class Route:
    """One API operation: method, path pattern, name (for stats and faults), versions."""

    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler
    since: str = "8.6"
    before: str | None = None
    """First version that no longer has the route."""


def _route(method: str, path: str, name: str, handler: Handler, since: str = "8.6",
           before: str | None = None) -> Route:
    # path keys are numbers, so /process-instances/migration is never a {key}
    regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>-?[0-9]+)", path) + "$")
    return Route(method, regex, name, handler, since, before)


ROUTES: tuple[Route, ...] = (
    _route("GET", "/v2/topology", "topology", Api.topology),
    _route("POST", "/v2/deployments", "deploy", Api.deploy),
    _route("POST", "/v2/process-definitions/search", "definition-search", Api.definition_search),
    _route("GET", "/v2/process-definitions/{key}", "definition-get", Api.definition_get),
    _route("GET", "/v2/process-definitions/{key}/xml", "definition-xml", Api.definition_xml),
    _route("POST", "/v2/process-instances/search", "instance-search", Api.instance_search),
    _route("GET", "/v2/process-instances/{key}", "instance-get", Api.instance_get),
    _route("GET", "/v2/process-instances/{key}/sequence-flows", "sequence-flows",
           Api.sequence_flows, since="8.8"),
    _route("POST", "/v2/element-instances/search", "element-search", Api.element_search,
           since="8.8"),
    _route("POST", "/v2/flownode-instances/search", "flownode-search", Api.element_search,
           before="8.8"),
    _route("POST", "/v2/variables/search", "variable-search", Api.variable_search,
           since="8.8"),
    _route("POST", "/v2/process-instances/{key}/migration", "migrate", Api.migrate),
    _route("POST", "/v2/process-instances/migration", "batch-migrate", Api.batch_migrate,
           since="8.8"),
    _route("GET", "/v2/batch-operations/{key}", "batch-get", Api.batch_get, since="8.8"),
    _route("POST", "/v2/batch-operation-items/search", "batch-items", Api.batch_items,
           since="8.8"),
    _route("POST", "/v2/batch-operations/search", "batch-search", Api.batch_search,
           since="8.8"),
)
ROUTE_NAMES = frozenset(r.name for r in ROUTES) | {"token"}


@dataclass
class SandboxConfig:
    """Everything the sandbox is started with."""

    host: str = "127.0.0.1"
    port: int = 0
    server_version: ServerVersion = field(default_factory=lambda: ServerVersion(8, 8, 0))
    auth: AuthSettings = field(default_factory=AuthSettings)
    search_lag_ms: int = 0
    faults: dict[str, Any] = field(default_factory=dict)
    verbose: bool = False


class Sandbox:
    """The state and behaviour behind the HTTP server."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config.search_lag_ms)
        self.flavor = Flavor(config.server_version)
        self.auth = Authenticator(config.auth)
        self.faults = FaultInjector(parse_plan(config.faults))
        self._apply_fault_settings()
        self.api = Api(self.store, self.flavor, lambda: self.store.search_lag_s,
                       lambda: self.batch_not_found_s)
        self.routes = [r for r in ROUTES if self.flavor.version.at_least(r.since)
                       and (r.before is None or not self.flavor.version.at_least(r.before))]

    def _apply_fault_settings(self) -> None:
        plan = self.faults.plan
        lag_ms = plan.search_lag_ms if plan.search_lag_ms is not None \
            else self.config.search_lag_ms
        self.store.search_lag_s = lag_ms / 1000.0
        gone_ms = plan.batch_not_found_ms if plan.batch_not_found_ms is not None else lag_ms
        self.batch_not_found_s = gone_ms / 1000.0

    def configure_faults(self, document: Any) -> None:
        self.faults.configure(parse_plan(document))
        self._apply_fault_settings()

    def reset(self) -> None:
        self.store.reset()
        self.faults.configure(parse_plan(self.config.faults))
        self._apply_fault_settings()

    def token(self, request: Request) -> Response:
        try:
            body = self.auth.issue_token(request.body, request.headers.get("authorization"))
        except TokenError as exc:
            status = 401 if exc.error == "invalid_client" else 400
            return Response(status, {"error": exc.error, "error_description": exc.description})
        return Response(200, body, headers={"Cache-Control": "no-store"})

    def dispatch(self, request: Request) -> tuple[Response | None, str | None]:
        """The response, and the fault that strikes it ('drop' means: send nothing)."""
        path = request.path.split("?", 1)[0]
        admin = handle_admin(self, request.method, path, request) \
            if path.startswith("/sandbox/") else None
        if admin is not None:
            return admin, None
        if path == "/oauth/token" and request.method == "POST":
            return self._guarded("token", request, lambda: self.token(request))
        if not self.auth.allows(request.headers.get("authorization")):
            self.store.count_request("unauthorized")
            return problem_response(401, "Unauthorized", "The request is not authenticated: "
                                    "missing or invalid credentials", path,
                                    {"WWW-Authenticate": self._challenge()}), None
        matching = [(r, m) for r in self.routes if (m := r.pattern.match(path))]
        # a literal segment wins over a template: /process-instances/search is no {key}
        matching.sort(key=lambda rm: rm[0].pattern.pattern.count("(?P<"))
        for route, match in matching:
            if route.method == request.method:
                return self._call(route, match.groupdict(), request)
        if matching:
            return problem_response(405, "Method Not Allowed", f"Request method "
                                    f"'{request.method}' is not supported.", path), None
        return problem_response(404, "Not Found",
                                f"No endpoint {request.method} {path}.", path), None

    def _call(self, route: Route, params: dict[str, str],
              request: Request) -> tuple[Response | None, str | None]:
        return self._guarded(route.name, request,
                             lambda: route.handler(self.api, params, request))

    def _challenge(self) -> str:
        return 'Basic realm="camunda"' if self.config.auth.mode == "basic" else "Bearer"

    def _guarded(self, name: str, request: Request,
                 run: Callable[[], Response]) -> tuple[Response | None, str | None]:
        self.store.count_request(name)
        plan = self.faults.plan
        if plan.latency_ms:
            time.sleep(plan.latency_ms / 1000.0)
        rule = self.faults.draw(name)
        path = request.path
        if rule is not None and rule.kind == "unavailable":
            return problem_response(503, "RESOURCE_EXHAUSTED", "Expected to handle REST API "
                                    "request, but the server is overloaded (backpressure)",
                                    path), None
        if rule is not None and rule.kind == "throttle":
            return problem_response(429, "Too Many Requests", "Rate limit exceeded", path,
                                    {"Retry-After": str(rule.retry_after)}), None
        if rule is not None and rule.kind == "exhausted":
            return problem_response(500, "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED: Expected "
                                    "to execute the command, but the broker is out of "
                                    "resources", path), None
        try:
            response = run()
        except ApiError as err:
            response = problem_response(err.status, err.title, err.detail, path)
        return response, ("drop" if rule is not None else None)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "c8migrate-sandbox"
    sandbox: Sandbox

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        if self.sandbox.config.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, self.path, headers, body)
        try:
            response, fault = self.sandbox.dispatch(request)
        except Exception as exc:  # a bug in the sandbox: answer 500, keep serving
            traceback.print_exc(file=sys.stderr)
            response, fault = problem_response(500, "INTERNAL_ERROR",
                                               f"{type(exc).__name__}: {exc}", self.path), None
        if fault == "drop" or response is None:
            self.close_connection = True  # the work is done; the answer is lost
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.body is None:
            payload = b""
        elif isinstance(response.body, bytes):
            payload = response.body
        else:
            payload = json.dumps(response.body, separators=(",", ":")).encode()
        reason = HTTPStatus(response.status).phrase
        lines = [f"HTTP/1.1 {response.status} {reason}", f"Server: {self.server_version}",
                 f"Content-Length: {len(payload)}"]
        if payload:
            lines.append(f"Content-Type: {response.content_type}")
        lines.extend(f"{k}: {v}" for k, v in response.headers.items())
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def make_server(sandbox: Sandbox) -> SandboxServer:
    """Bind the server (port 0 picks a free port); call ``serve_forever`` to run it."""
    handler = type("SandboxHandler", (_Handler,), {"sandbox": sandbox})
    return SandboxServer((sandbox.config.host, sandbox.config.port), handler)
