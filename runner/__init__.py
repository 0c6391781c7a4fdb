"""c8migrate: declarative GitOps runner for Camunda 8 process-instance migration."""

__version__ = "0.1.0"
