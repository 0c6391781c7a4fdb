"""The admin endpoints under /sandbox/ (seed, stats, faults, reset, token revocation).

They are for tests, the demo and benchmarks; the runner never calls them, and they need no
credentials and never fail by fault injection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runner.sandbox.api import ApiError, Request, Response, problem_response
from runner.sandbox.faults import FaultPlanError
from runner.sandbox.seed import SeedError, apply_seed

if TYPE_CHECKING:
    from runner.sandbox.server import Sandbox


def stats(sandbox: Sandbox) -> dict[str, Any]:
    """The counters of GET /sandbox/stats."""
    with sandbox.store.lock:
        return {
            "writes": sandbox.store.writes,
            "acceptedMigrations": {str(k): v for k, v in
                                   sandbox.store.accepted_migrations.items()},
            "requests": dict(sandbox.store.requests),
            "instances": len(sandbox.store.instances),
            "definitions": len(sandbox.store.definitions),
            "batchOperations": len(sandbox.store.batches),
            "faultsInjected": dict(sandbox.faults.injected),
            "serverVersion": str(sandbox.flavor.version),
        }


def handle_admin(sandbox: Sandbox, method: str, path: str,
                 request: Request) -> Response | None:
    """The /sandbox/* endpoints; None when the path is not one of them."""
    try:
        if (method, path) == ("POST", "/sandbox/seed"):
            return Response(200, apply_seed(sandbox.store, request.json(), None))
        if (method, path) == ("GET", "/sandbox/stats"):
            return Response(200, stats(sandbox))
        if (method, path) == ("POST", "/sandbox/reset"):
            sandbox.reset()
            return Response(204)
        if (method, path) == ("POST", "/sandbox/faults"):
            sandbox.configure_faults(request.json() or {})
            return Response(204)
        if (method, path) == ("POST", "/sandbox/revoke-tokens"):
            return Response(200, {"revoked": sandbox.auth.revoke_all()})
    except (SeedError, FaultPlanError) as exc:
        return problem_response(400, "Bad Request", str(exc), path)
    except ApiError as err:
        return problem_response(err.status, err.title, err.detail, path)
    return None
