#!/usr/bin/env python3
"""Validates an out folder's JSON files against Sources/Pipeline/Schemas (JSON Schema 2020-12).

Usage: validate_schemas.py SCHEMA_DIR OUT_DIR. Prints one line per problem; exits 1 on any.
Needs the jsonschema package (pip install jsonschema).
"""
import json
import os
import sys

import jsonschema
import referencing


def main():
    schemas, out = sys.argv[1], sys.argv[2]
    resources = []
    for name in os.listdir(schemas):
        contents = json.load(open(os.path.join(schemas, name), encoding="utf-8"))
        resources.append((contents["$id"], referencing.Resource.from_contents(contents)))
    registry = referencing.Registry().with_resources(resources)
    problems = 0
    checked = 0
    for name in ["corpus", "kwic", "frequencies", "run-report", "suggestions"]:
        path = os.path.join(out, name + ".json")
        if not os.path.exists(path):
            continue
        schema = json.load(open(os.path.join(schemas, name + ".schema.json"), encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(
            schema, registry=registry, format_checker=jsonschema.FormatChecker())
        for error in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
            print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
            problems += 1
        checked += 1
    print(f"checked {checked} files, {problems} problems")
    sys.exit(1 if problems or checked == 0 else 0)


if __name__ == "__main__":
    main()
