"""The cluster client: the only code that speaks HTTP to a Camunda 8 cluster."""
