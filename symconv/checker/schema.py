"""A validator for the subset of JSON Schema that ``certificate.schema.json`` uses.

Keywords: ``type`` (object, array, string, integer), ``const``, ``enum``,
``required``, ``properties``, ``additionalProperties: false``, ``items``,
``minItems``, ``maxItems``, ``minimum``, ``pattern``, ``oneOf`` and local
``$ref`` (``#/$defs/NAME``). Any other keyword is refused, so the schema cannot
silently say more than is checked.

>>> violations({"a": 1}, {"type": "object", "required": ["a", "b"]})
["$: missing required key 'b'"]
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

__all__ = ["violations", "certificate_schema", "KEYWORDS"]

KEYWORDS = frozenset({"$schema", "$id", "title", "description", "$defs", "type", "const", "enum", "required",
                      "properties", "additionalProperties", "items", "minItems", "maxItems", "minimum", "pattern",
                      "oneOf", "$ref"})

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
}


@lru_cache(maxsize=1)
def certificate_schema() -> dict:
    """The shipped ``certificate.schema.json``."""
    return json.loads(resources.files("symconv.checker").joinpath("certificate.schema.json").read_text())


def violations(value: object, schema: dict, root: dict | None = None, path: str = "$") -> list[str]:
    """Every way ``value`` fails ``schema`` (empty: it validates), each as ``path: reason``."""
    root = schema if root is None else root
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise ValueError(f"schema keyword(s) {sorted(unknown)} at {path} are outside the supported subset")
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return violations(value, root["$defs"][name], root, path)
    if "oneOf" in schema:
        found = [violations(value, option, root, path) for option in schema["oneOf"]]
        matches = sum(not f for f in found)
        if matches == 0:  # the nearest alternative says what is wrong
            return min(found, key=len)
        return [] if matches == 1 else [f"{path}: matches {matches} of the oneOf alternatives, not 1"]
    if "type" in schema and not _TYPES[schema["type"]](value):
        return [f"{path}: expected {schema['type']}, got {json.dumps(value)[:60]}"]
    found = []
    if "const" in schema and value != schema["const"]:
        found.append(f"{path}: expected {json.dumps(schema['const'])}, got {json.dumps(value)[:60]}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: expected one of {schema['enum']}, got {json.dumps(value)[:60]}")
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        found.append(f"{path}: {value} is below the minimum {schema['minimum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        found.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        found += [f"{path}: missing required key {key!r}" for key in schema.get("required", ()) if key not in value]
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            found += [f"{path}: unexpected key {key!r}" for key in value if key not in properties]
        for key, sub in properties.items():
            if key in value:
                found += violations(value[key], sub, root, f"{path}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: {len(value)} item(s), fewer than {schema['minItems']}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            found.append(f"{path}: {len(value)} item(s), more than {schema['maxItems']}")
        if "items" in schema:
            for index, item in enumerate(value):
                found += violations(item, schema["items"], root, f"{path}[{index}]")
    return found
