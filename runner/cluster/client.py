"""ClusterClient: the only code that talks to a Camunda 8 cluster (REST API v2).

See docs/architecture.md ("Cluster client contract") and docs/cluster.md. Version differences
live in dialect.py and filters.py, retries in retry.py/transport.py, batch helpers in batch.py.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import httpx

from runner.bpmn.model import ProcessModel
from runner.cluster import batch, batch_start, bulk, readback
from runner.cluster.config import ClusterConfig
from runner.cluster.dialect import Dialect, key_text
from runner.cluster.elements import build_element_tree
from runner.cluster.filters import batch_filter, build_query
from runner.cluster.model import (
    BatchFollowResult,
    BatchItem,
    BatchStatus,
    DefinitionInfo,
    InstanceInfo,
    MigrateResult,
)
from runner.cluster.paging import iter_search
from runner.cluster.parse import batch_item, batch_status, definition_info, instance_info
from runner.cluster.problem import DefinitionNotFound, parse_problem
from runner.cluster.retry import SYSTEM_CLOCK, Clock, RetryPolicy
from runner.cluster.transport import RestSession, RetryListener
from runner.engine.state import ElementInstance, Instruction
from runner.errors import ClusterResponseError, UnsupportedServerVersion
from runner.plan.model import InstanceFilter
from runner.version import ServerVersion

DEFAULT_PAGE_SIZE = 1000


class ClusterClient:
    """A Camunda 8 cluster behind its REST API. Thread-safe (httpx.Client is)."""

    def __init__(self, config: ClusterConfig, *, transport: httpx.BaseTransport | None = None,
                 clock: Clock = SYSTEM_CLOCK, policy: RetryPolicy | None = None,
                 rng: random.Random | None = None, on_retry: RetryListener | None = None,
                 readback_settle: float = 0.5) -> None:
        """``transport`` replaces the network (tests: httpx.MockTransport); ``clock`` and
        ``rng`` make retries deterministic; ``readback_settle`` is how long a read back waits
        for eventually consistent search results before trusting "still on the source"."""
        self.config = config
        self.session = RestSession(config, transport=transport, clock=clock, policy=policy,
                                   rng=rng, on_retry=on_retry)
        self.readback_settle = readback_settle
        self._dialect: Dialect | None = None
        self._definition_versions: dict[str, int] = {}

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ClusterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- version -------------------------------------------------------------------------

    def server_version(self) -> ServerVersion:
        """The cluster's version: the configured override, else GET /v2/topology."""
        return self.dialect.version

    @property
    def dialect(self) -> Dialect:
        if self._dialect is None:
            version = self.config.server_version or self._detect_version()
            self._dialect = Dialect.for_version(version)
        return self._dialect

    def _detect_version(self) -> ServerVersion:
        body = self.session.json("GET", "/topology")
        text = body.get("gatewayVersion")
        if not isinstance(text, str):
            brokers = body.get("brokers")
            if isinstance(brokers, list) and brokers and isinstance(brokers[0], dict):
                text = brokers[0].get("version")
        try:
            return ServerVersion.parse(str(text))
        except ValueError as exc:
            raise UnsupportedServerVersion(
                f"the cluster's topology reports no usable version ({text!r})",
                hint="pass --server-version (or C8MIGRATE_SERVER_VERSION) to say which it is",
            ) from exc

    # -- definitions ---------------------------------------------------------------------

    def find_definition(self, process_id: str, version: int | None = None,
                        version_tag: str | None = None,
                        tenant_id: str | None = None) -> DefinitionInfo:
        """The deployed definition of ``process_id`` with that version or version tag (the
        latest when neither is given). Raises DefinitionNotFound."""
        flt: dict[str, Any] = {"processDefinitionId": process_id}
        if version is not None:
            flt["version"] = version
        if version_tag is not None:
            flt["versionTag"] = version_tag
        tenant = tenant_id or self.config.tenant_id
        if tenant:
            flt["tenantId"] = tenant
        body = {"filter": flt, "sort": [{"field": "version", "order": "DESC"}],
                "page": {"limit": 1}}
        answer = self.session.json("POST", "/process-definitions/search", json=body)
        items = [i for i in answer.get("items") or [] if isinstance(i, dict)]
        found = [definition_info(i) for i in items]
        # filter again on our side: an older server may ignore a field it does not know
        found = [d for d in found if d.process_id == process_id
                 and (version is None or d.version == version)
                 and (version_tag is None or d.version_tag == version_tag)]
        if not found:
            wanted = (f"version {version}" if version is not None else
                      f"version tag {version_tag!r}" if version_tag else "any version")
            raise DefinitionNotFound(
                f"no deployed process definition {process_id!r} ({wanted}"
                f"{', tenant ' + repr(tenant) if tenant else ''}) on the cluster",
                hint="deploy the BPMN first, or fix the plan's processDefinitionId/version",
            )
        best = max(found, key=lambda d: d.version)
        self._definition_versions[best.key] = best.version
        return best

    def definition_xml(self, key: str) -> bytes:
        """The deployed BPMN XML of definition ``key``."""
        response = self.session.request("GET", f"/process-definitions/{key}/xml")
        if response.status_code in (404, 405) and not self.dialect.cursor_paging:
            # 8.6/8.7 without the alpha v2 endpoint: Operate's v1 API (same host in C8 Run).
            base = self.config.address.removesuffix("/v2")
            response = self.session.request("GET", f"{base}/v1/process-definitions/{key}/xml")
        if response.status_code == 404:
            raise DefinitionNotFound(f"process definition {key} not found on the cluster",
                                     status=404, problem=parse_problem(response).as_dict())
        if response.status_code == 204 or (response.status_code == 200 and not response.content):
            raise ClusterResponseError(f"process definition {key} has no XML on the cluster",
                                       status=response.status_code)
        if response.status_code != 200:
            raise self.session.unexpected(response)
        return response.content

    # -- instances -----------------------------------------------------------------------

    def iter_instances(self, source_definition_key: str,
                       filter: InstanceFilter | None = None,
                       tenant_id: str | None = None,
                       page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[InstanceInfo]:
        """Instances of ``source_definition_key`` that match ``filter``, streamed page by page.

        The same selection in dry run and apply (see filters.py for what runs server- and
        client-side per version). Active-element filters cost one element search per
        candidate instance.
        """
        flt = filter or InstanceFilter()
        query = build_query(self.dialect, source_definition_key, flt,
                            tenant_id or self.config.tenant_id,
                            self._definition_versions.get(source_definition_key))
        # ascending keys on every version, so bulk element reads can join on them
        body = {"filter": query.server_filter,
                "sort": [{"field": "processInstanceKey", "order": "ASC"}]}
        for item in iter_search(self.session, self.dialect, "/process-instances/search", body,
                                page_size=page_size, sort_field="processInstanceKey"):
            info = instance_info(item)
            if info is None or not query.matches(info):
                continue
            if query.needs_active_elements:
                ids = {e.element_id for e in self.active_elements(info.key)}
                if not query.matches_elements(ids):
                    continue
            yield info

    def get_instance(self, key: str) -> InstanceInfo | None:
        """One process instance, or None when the cluster does not know it (any more)."""
        if self.dialect.has_instance_get:
            response = self.session.request("GET", f"/process-instances/{key}")
            if response.status_code == 404:
                return None
            return instance_info(self.session.expect_json(response))
        body = {"filter": {"processInstanceKey": self.dialect.key(key)}, "page": {"limit": 1}}
        answer = self.session.json("POST", "/process-instances/search", json=body)
        for item in answer.get("items") or []:
            info = instance_info(item) if isinstance(item, dict) else None
            if info is not None and info.key == key:
                return info
        return None

    def get_instances(self, keys: Sequence[str]) -> dict[str, InstanceInfo]:
        """Many instances by key; keys the cluster does not know are absent. 8.8+ reads
        chunks of keys with one ``$in`` search each, older versions one request per key."""
        if self.dialect.cursor_paging:
            return bulk.instances_by_key(self, keys)
        found: dict[str, InstanceInfo] = {}
        for key in keys:
            info = self.get_instance(key)
            if info is not None:
                found[key] = info
        return found

    def active_element_reader(self, definition_key: str, model: ProcessModel,
                              page_size: int = DEFAULT_PAGE_SIZE
                              ) -> bulk.ActiveElementReader | None:
        """A bulk reader of the active element trees of the definition's instances (8.8+;
        None on older versions). Ask it in ascending instance-key order."""
        if not self.dialect.cursor_paging:
            return None
        return bulk.ActiveElementReader(self, definition_key, model, page_size)

    def element_rows(self, instance_key: str, *,
                     scope_key: str | None = None) -> list[dict[str, Any]]:
        """The raw ACTIVE element-instance rows of an instance (or of one scope in it)."""
        d = self.dialect
        flt: dict[str, Any] = {"processInstanceKey": d.key(instance_key), "state": "ACTIVE"}
        if scope_key is not None:
            flt["elementInstanceScopeKey"] = d.key(scope_key)
        return list(iter_search(self.session, d, d.element_search_path, {"filter": flt},
                                page_size=DEFAULT_PAGE_SIZE, sort_field=d.element_key_field))

    def active_elements(self, instance_key: str) -> tuple[ElementInstance, ...]:
        """The instance's active element instances, the PROCESS row first, with parent keys.

        Parents come from ``treePath`` where the server reports it (8.6/8.7 flow-node
        instances); otherwise every element sits under the process instance unless active
        containers (sub-processes, multi-instance bodies) exist, whose direct children are
        then found with one ``elementInstanceScopeKey`` search per container.
        """
        return build_element_tree(self, instance_key, self.element_rows(instance_key))

    def taken_flows(self, instance_key: str) -> tuple[str, ...] | None:
        """Ids of the sequence flows the instance has taken (GET .../sequence-flows, 8.8+).

        None when the server has no such endpoint (8.6/8.7): unknown, not "none taken".
        """
        if not self.dialect.has_sequence_flows:
            return None
        body = self.session.json("GET", f"/process-instances/{instance_key}/sequence-flows")
        flows = []
        for item in body.get("items") or []:
            if isinstance(item, dict) and isinstance(item.get("sequenceFlowId"), str):
                flows.append(item["sequenceFlowId"])
        return tuple(dict.fromkeys(flows))

    def variables(self, instance_key: str) -> dict[str, Any] | None:
        """The instance's variables by name (POST /v2/variables/search, 8.8+), values parsed
        from their JSON text; the process scope wins over local scopes. None when unknown:
        an older server, no such endpoint, or a truncated value. (Added by the flow engineer:
        the dry run needs them to predict Z22.)"""
        if not self.dialect.has_sequence_flows:
            return None
        body = {"filter": {"processInstanceKey": instance_key}}
        values: dict[str, Any] = {}
        try:
            for item in iter_search(self.session, self.dialect, "/variables/search", body,
                                    page_size=DEFAULT_PAGE_SIZE, sort_field="variableKey"):
                name, text = item.get("name"), item.get("value")
                if item.get("isTruncated") or not isinstance(name, str) or text is None:
                    return None
                if name in values and key_text(item.get("scopeKey")) != instance_key:
                    continue
                values[name] = json.loads(text) if isinstance(text, str) else text
        except (ClusterResponseError, json.JSONDecodeError):
            return None
        return values

    # -- migration -----------------------------------------------------------------------

    def migrate(self, key: str, target_definition_key: str,
                instructions: Sequence[Instruction],
                operation_reference: int | None = None) -> MigrateResult:
        """Migrate one instance; raises MigrationRejected with the problem detail verbatim.

        Retries backpressure and Zeebe's transient rejections. When the outcome of an attempt
        is unknown (timeout or dropped connection after sending, 5xx), the instance is read
        back first: on the target definition it is reported migrated and not sent again.
        """
        return readback.migrate_with_readback(self, key, target_definition_key,
                                              instructions, operation_reference)

    def migration_body(self, target_definition_key: str, instructions: Sequence[Instruction],
                       operation_reference: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "targetProcessDefinitionKey": self.dialect.key(target_definition_key),
            "mappingInstructions": [{"sourceElementId": i.source, "targetElementId": i.target}
                                    for i in instructions],
        }
        if operation_reference is not None:
            body["operationReference"] = operation_reference
        return body

    # -- batch (8.8+) --------------------------------------------------------------------

    def _require_batch(self) -> None:
        if not self.dialect.has_batch_migration:
            raise UnsupportedServerVersion(
                f"batch migration needs Camunda 8.8 or newer (the cluster is "
                f"{self.dialect.version})", hint="use rollout mode single (or auto)")

    def start_batch_migration(self, filter: InstanceFilter,
                              target_key: str, instructions: Sequence[Instruction], *,
                              source_definition_key: str,
                              tenant_id: str | None = None,
                              exclude: Collection[str] = ()) -> str:
        """Start a server-side batch migration (POST /v2/process-instances/migration); returns
        the batch operation key. See filters.batch_filter for which filters are allowed.

        Sent once; when its outcome is unknown the batch it may have created is searched for
        (``exclude``: batch keys known to be others'); raises BatchStartUnknown when none
        appears (batch_start.py)."""
        self._require_batch()
        body = {"filter": batch_filter(source_definition_key, filter,
                                       tenant_id or self.config.tenant_id),
                "migrationPlan": self.migration_body(target_key, instructions)}
        return batch_start.start_batch_once(self, body, exclude=exclude)

    def find_batch_started_since(self, sent_at: datetime, exclude: Collection[str] = (),
                                 window: float = 0.0) -> str | None:
        """The newest migration batch started at or after ``sent_at`` and not in ``exclude``,
        searched for up to ``window`` seconds (the search lags writes); None if none."""
        self._require_batch()
        try:
            return batch_start.find_started_batch(self, sent_at, exclude, window,
                                                  reason="an earlier run stopped while starting")
        except batch_start.BatchStartUnknown:
            return None

    def batch_operation(self, key: str) -> BatchStatus | None:
        """The batch operation's status; None while the server does not know it yet (a 404
        right after creation is normal: the endpoint is eventually consistent)."""
        self._require_batch()
        response = self.session.request("GET", f"/batch-operations/{key}")
        if response.status_code == 404:
            return None
        return batch_status(self.session.expect_json(response))

    def iter_batch_items(self, key: str, state: str | None = None,
                         page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[BatchItem]:
        """The items of a batch operation (optionally only those in ``state``), streamed."""
        self._require_batch()
        flt: dict[str, Any] = {"batchOperationKey": key}
        if state is not None:
            flt["state"] = state
        for item in iter_search(self.session, self.dialect, "/batch-operation-items/search",
                                {"filter": flt}, page_size=page_size, sort_field="itemKey"):
            parsed = batch_item(item)
            if parsed is not None:
                yield parsed

    # -- helpers (batch.py) --------------------------------------------------------------

    def follow_batch(self, key: str, timeout: float = 600.0,
                     poll: float = 1.0) -> BatchFollowResult:
        """Poll the batch operation until it ends; state UNKNOWN on timeout (never success)."""
        return batch.follow_batch(self, key, timeout=timeout, poll=poll)

    def migrate_many(self, items: Iterable[batch.MigrationItem],
                     concurrency: int = batch.DEFAULT_CONCURRENCY) -> Iterator[batch.ItemResult]:
        """Single-mode migration of many instances, at most ``concurrency`` in flight,
        results streamed as they finish."""
        return batch.migrate_many(self, items, concurrency)
