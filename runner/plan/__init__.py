"""Migration plans: YAML files with a JSON Schema, loaded with line/column locations."""
