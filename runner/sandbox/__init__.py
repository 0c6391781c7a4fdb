"""The sandbox: a local server speaking the Orchestration Cluster REST API subset c8migrate
uses, judging migrations with the same engine as validation (docs/sandbox.md)."""
