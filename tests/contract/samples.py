"""Responses as an 8.8 cluster sends them (every field the spec requires for 8.8), used to
check that they match both schemas and that the client reads them correctly."""

from __future__ import annotations

from typing import Any

PROBLEM_409: dict[str, Any] = {
    "type": "about:blank", "title": "INVALID_STATE", "status": 409,
    "detail": "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate process "
              "instance '2251799813690746' but no mapping instruction defined for active element "
              "with id 'Task_Pay'. Elements cannot be migrated without a mapping.",
    "instance": "/v2/process-instances/2251799813690746/migration",
}

SAMPLES: dict[tuple[str, str, int], Any] = {
    ("GET", "/topology", 200): {
        "brokers": [{"nodeId": 0, "host": "camunda-zeebe-0", "port": 26501, "version": "8.8.3",
                     "partitions": [{"partitionId": 1, "role": "leader",
                                     "health": "healthy"}]}],
        "clusterSize": 1, "partitionsCount": 1, "replicationFactor": 1,
        "gatewayVersion": "8.8.3", "lastCompletedChangeId": "-1",
    },
    ("POST", "/process-definitions/search", 200): {
        "items": [{"name": "Order", "resourceName": "order.bpmn", "version": 4,
                   "versionTag": "2026.1", "processDefinitionId": "order-process",
                   "tenantId": "<default>", "processDefinitionKey": "2251799813686749",
                   "hasStartForm": False}],
        "page": {"totalItems": 1, "hasMoreTotalItems": False, "startCursor": "WzFd",
                 "endCursor": "WzFd"},
    },
    ("POST", "/process-instances/search", 200): {
        "items": [{"processDefinitionId": "order-process", "processDefinitionName": "Order",
                   "processDefinitionVersion": 3, "processDefinitionVersionTag": None,
                   "startDate": "2026-01-05T10:00:00.000Z", "endDate": None, "state": "ACTIVE",
                   "hasIncident": True, "tenantId": "<default>",
                   "processInstanceKey": "2251799813690746",
                   "processDefinitionKey": "2251799813686001",
                   "parentProcessInstanceKey": None, "parentElementInstanceKey": None,
                   "tags": []}],
        "page": {"totalItems": 1, "hasMoreTotalItems": False,
                 "startCursor": "WzIyNTE3OTk4MTM2OTA3NDZd",
                 "endCursor": "WzIyNTE3OTk4MTM2OTA3NDZd"},
    },
    ("GET", "/process-instances/2251799813690746", 200): {
        "processDefinitionId": "order-process", "processDefinitionName": "Order",
        "processDefinitionVersion": 4, "processDefinitionVersionTag": "2026.1",
        "startDate": "2026-01-05T10:00:00.000Z", "endDate": None, "state": "ACTIVE",
        "hasIncident": False, "tenantId": "<default>", "processInstanceKey": "2251799813690746",
        "processDefinitionKey": "2251799813686749", "parentProcessInstanceKey": None,
        "parentElementInstanceKey": None, "tags": [],
    },
    ("POST", "/element-instances/search", 200): {
        "items": [
            {"processDefinitionId": "order-process", "startDate": "2026-01-05T10:00:00.000Z",
             "endDate": None, "elementId": "order-process", "elementName": "Order",
             "type": "PROCESS", "state": "ACTIVE", "hasIncident": False,
             "tenantId": "<default>", "elementInstanceKey": "2251799813690746",
             "processInstanceKey": "2251799813690746",
             "processDefinitionKey": "2251799813686001", "incidentKey": None},
            {"processDefinitionId": "order-process", "startDate": "2026-01-05T10:00:01.000Z",
             "endDate": None, "elementId": "Task_Pay", "elementName": "Pay",
             "type": "SERVICE_TASK", "state": "ACTIVE", "hasIncident": True,
             "tenantId": "<default>", "elementInstanceKey": "2251799813690760",
             "processInstanceKey": "2251799813690746",
             "processDefinitionKey": "2251799813686001", "incidentKey": "2251799813690770"},
        ],
        "page": {"totalItems": 2, "hasMoreTotalItems": False, "startCursor": "WzFd",
                 "endCursor": "WzJd"},
    },
    ("GET", "/process-instances/2251799813690746/sequence-flows", 200): {
        "items": [{"sequenceFlowId": "Flow_1", "processInstanceKey": "2251799813690746",
                   "processDefinitionKey": "2251799813686001",
                   "processDefinitionId": "order-process", "elementId": "Flow_1",
                   "tenantId": "<default>"}],
    },
    ("POST", "/process-instances/migration", 200): {
        "batchOperationKey": "2251799813699999", "batchOperationType": "MIGRATE_PROCESS_INSTANCE",
    },
    ("GET", "/batch-operations/2251799813699999", 200): {
        "batchOperationKey": "2251799813699999", "state": "PARTIALLY_COMPLETED",
        "batchOperationType": "MIGRATE_PROCESS_INSTANCE",
        "startDate": "2026-01-05T11:00:00.000Z", "endDate": "2026-01-05T11:00:09.000Z",
        "operationsTotalCount": 10, "operationsFailedCount": 1, "operationsCompletedCount": 9,
        "errors": [],
    },
    ("POST", "/batch-operation-items/search", 200): {
        "items": [{"operationType": "MIGRATE_PROCESS_INSTANCE",
                   "batchOperationKey": "2251799813699999", "itemKey": "2251799813690746",
                   "processInstanceKey": "2251799813690746", "state": "FAILED",
                   "processedDate": "2026-01-05T11:00:05.000Z",
                   "errorMessage": PROBLEM_409["detail"]}],
        "page": {"totalItems": 1, "hasMoreTotalItems": False, "startCursor": "WzFd",
                 "endCursor": "WzFd"},
    },
    ("POST", "/process-instances/2251799813690746/migration", 409): PROBLEM_409,
}
