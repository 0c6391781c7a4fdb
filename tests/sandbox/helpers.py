"""Helpers shared by the sandbox tests."""

from __future__ import annotations

from pathlib import Path

import httpx

DATA = Path(__file__).resolve().parent / "data"


def deploy(client: httpx.Client, *names: str, tenant: str | None = None) -> dict[str, str]:
    """Deploy files from tests/sandbox/data over the real endpoint; version -> key."""
    keys = {}
    for name in names:
        data = {"tenantId": tenant} if tenant else None
        response = client.post("/v2/deployments", data=data,
                               files=[("resources", (name, (DATA / name).read_bytes(),
                                                     "application/xml"))])
        assert response.status_code == 200, response.text
        for entry in response.json()["deployments"]:
            process = entry["processDefinition"]
            keys[str(process["processDefinitionVersion"])] = process["processDefinitionKey"]
    return keys
