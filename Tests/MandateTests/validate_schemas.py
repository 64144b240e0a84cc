"""Validates YAML files against Grammar/schemas with jsonschema; prints one line per failure.

Usage: python3 validate_schemas.py REPO FILE...   (exit 0 when every file validates)
"""
import json
import sys

import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    """YAML 1.2 reading, as an editor's language server does: no timestamps, only true/false booleans."""


Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def kind(path):
    name = path.rsplit("/", 1)[-1]
    if name == "mandate.yaml":
        return "mandate"
    if name.endswith(".goal.yaml"):
        return "goal"
    if name.endswith(".test.yaml"):
        return "test"
    if name == "actions.yaml":
        return "actions"
    return None


def main():
    repo, files = sys.argv[1], sys.argv[2:]
    failures = 0
    for path in files:
        k = kind(path)
        if k is None:
            continue
        schema = json.load(open(f"{repo}/Grammar/schemas/{k}.schema.json"))
        data = yaml.load(open(path), Loader=Loader)
        for error in jsonschema.Draft202012Validator(schema).iter_errors(data):
            failures += 1
            print(f"{path}: {'/'.join(map(str, error.path))}: {error.message}")
    sys.exit(1 if failures else 0)


main()
