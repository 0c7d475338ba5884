#!/usr/bin/env python3
"""Write a copy of an OpenAPI document whose unsatisfiable closed `allOf`s are merged.

Usage: normalize_openapi_allof.py INPUT.yaml OUTPUT.(yaml|json)

Why: the shared public contract declares e.g.

    Tenant:
      allOf:
        - $ref: "#/components/schemas/ObjectMeta"   # additionalProperties: false, props id/createdAt/updatedAt
        - type: object
          additionalProperties: false               # props name/slug/description
          ...

Under JSON Schema (OpenAPI 3.1) `additionalProperties` only sees the `properties` of the
schema it sits in, so every `allOf` member is checked on its own: ObjectMeta rejects `name`,
the second member rejects `id`, and NO object can satisfy both. A response validator must then
flag every correct Tenant, Organization, Cluster, ... as invalid. The evident intent is
"ObjectMeta's fields plus these fields, and nothing else", so each such `allOf` is replaced by
ONE object schema whose `properties` and `required` are the unions of the members' and which
keeps `additionalProperties: false` — exactly as strict as intended, and satisfiable.

Only `allOf`s whose members are all plain object schemas (after resolving local `$ref`s) with
at least one closed member (`additionalProperties: false`) are rewritten; anything else is left
alone. A property declared differently by two members is an error (we refuse to guess).
The source document is never modified.
"""
from __future__ import annotations

import copy
import json
import sys
from typing import Any

import yaml

# Keywords a member may carry and still be merged; anything else (oneOf, not, if, ...) is left alone.
MERGEABLE = {"type", "properties", "required", "additionalProperties", "description", "title"}


def resolve(document: dict, node: Any) -> Any:
    """Follows local `#/...` references (possibly chained)."""
    seen = set()
    while isinstance(node, dict) and set(node) == {"$ref"}:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            return node
        seen.add(ref)
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def merge_all_of(document: dict, schema: dict) -> dict | None:
    """The merged replacement for `schema`, or None when it is not a closed-objects allOf."""
    members = [resolve(document, m) for m in schema["allOf"]]
    if not all(isinstance(m, dict) and m.get("type", "object") == "object" and set(m) <= MERGEABLE
               for m in members):
        return None
    if not any(m.get("additionalProperties") is False for m in members):
        return None  # open members compose fine under allOf; nothing to fix
    properties: dict[str, Any] = {}
    required: list[str] = []
    for member in members:
        for name, prop in member.get("properties", {}).items():
            if name in properties and properties[name] != prop:
                raise SystemExit(f"allOf members disagree on property '{name}'; refusing to merge")
            properties[name] = copy.deepcopy(prop)
        for name in member.get("required", []):
            if name not in required:
                required.append(name)
    merged = {k: v for k, v in schema.items() if k != "allOf"}  # keep description, title, ...
    merged.update({"type": "object", "additionalProperties": False, "properties": properties})
    if required:
        merged["required"] = required
    return merged


def walk(document: dict, node: Any, path: str, changed: list[str]) -> Any:
    if isinstance(node, dict):
        node = {k: walk(document, v, f"{path}/{k}", changed) for k, v in node.items()}
        if isinstance(node.get("allOf"), list):
            merged = merge_all_of(document, node)
            if merged is not None:
                changed.append(path)
                return merged
        return node
    if isinstance(node, list):
        return [walk(document, v, f"{path}/{i}", changed) for i, v in enumerate(node)]
    return node


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    changed: list[str] = []
    normalized = walk(document, document, "#", changed)
    with open(target, "w", encoding="utf-8") as handle:
        if target.endswith(".json"):
            json.dump(normalized, handle, indent=2)
        else:
            yaml.safe_dump(normalized, handle, sort_keys=False, allow_unicode=True)
    for path in changed:
        print(f"normalized closed allOf at {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
