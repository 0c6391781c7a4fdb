"""Deploying BPMN resources: multipart parsing, versioning like Zeebe.

A process gets a new version when its resource changed since its latest version
(checksum of the resource bytes and the resource name); an identical redeploy returns the
existing definition and version, as Zeebe's duplicate detection does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP

from runner.bpmn.parser import parse_bpmn_bytes
from runner.errors import BpmnLoadError
from runner.sandbox.store import DEFAULT_TENANT, Definition, Store


class DeploymentRejected(ValueError):
    """The resources cannot be deployed (HTTP 400 INVALID_ARGUMENT)."""


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> tuple[list[Resource], str | None]:
    """The ``resources`` parts and the optional ``tenantId`` part of a deployment request."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise DeploymentRejected("expected a multipart/form-data request")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise DeploymentRejected("the multipart body could not be parsed")
    resources: list[Resource] = []
    tenant: str | None = None
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "tenantId":
            tenant = data.decode("utf-8").strip()
        elif name == "resources":
            filename = part.get_filename() or "resource.bpmn"
            resources.append(Resource(str(filename), data))
    if not resources:
        raise DeploymentRejected("No resources provided: expected at least one 'resources' part")
    return resources, tenant


def deploy(store: Store, resources: list[Resource],
           tenant_id: str | None) -> tuple[int, list[Definition]]:
    """Deploy ``resources``; the deployment key and the definitions (new or existing)."""
    tenant = tenant_id or DEFAULT_TENANT
    parsed = []
    errors = []
    for resource in resources:
        try:
            parsed.append((resource, parse_bpmn_bytes(resource.data, resource.name)))
        except BpmnLoadError as exc:
            reasons = "; ".join(f.message for f in exc.findings) or exc.message
            errors.append(f"'{resource.name}': {reasons}")
    if errors:
        raise DeploymentRejected(
            "Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new "
            "resources, but encountered the following errors:\n" + "\n".join(errors))
    with store.lock:
        deployment_key = store.allocate_keys(1)
        result: list[Definition] = []
        for resource, document in parsed:
            checksum = hashlib.sha256(resource.data).hexdigest()
            for process_id, model in document.processes.items():
                if not model.is_executable:
                    continue
                latest = store.latest(tenant, process_id)
                if latest is not None and latest.checksum == checksum \
                        and latest.resource_name == resource.name:
                    result.append(latest)
                    continue
                definition = Definition(
                    key=store.allocate_keys(1), process_id=process_id,
                    version=(latest.version + 1) if latest else 1,
                    version_tag=model.version_tag, name=model.name, tenant_id=tenant,
                    resource_name=resource.name, xml=resource.data, checksum=checksum,
                    model=model)
                store.add_definition(definition)
                result.append(definition)
        if not result:
            raise DeploymentRejected(
                "Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy "
                "new resources, but encountered the following errors:\n"
                "no executable process in the resources")
        return deployment_key, result
