"""Questionnaire definitions: YAML files validated by a JSON schema, stored as immutable versions."""
