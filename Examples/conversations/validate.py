#!/usr/bin/env python3
"""Checks the conversation corpus against the reference project, and counts it.

    python3 Examples/conversations/validate.py                 # check every line
    python3 Examples/conversations/validate.py --counts        # check, then print the count tables (Markdown)

Reads the project's files (`Procedures/*.goal.yaml`, `mandate.yaml`, `actions.yaml`,
`sandbox.yaml`) so that every intent, outcome, queue, customer, collection and field a
line names is one the project declares. Needs Python 3.8+ and PyYAML (`pip install pyyaml`).
Exits 1 and lists every problem, `file:line: message`, when a line is wrong.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("validate.py needs PyYAML: pip install pyyaml")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

KEYS = ["id", "customer", "now", "messages", "fixtures", "expected", "tags"]
REQUIRED = {"id", "customer", "now", "messages", "expected", "tags"}

# The tags a line may carry, and what each means (the README lists them too).
TAGS = {
    "standard": "the customer is on the standard tier",
    "vip": "the customer is on the vip tier",
    "enterprise": "the customer is on the enterprise tier (always a person)",
    "typo": "misspellings",
    "slang": "slang, abbreviations, very casual writing",
    "angry": "the customer sounds frustrated: the frustration trigger hands off",
    "asks_for_human": "the customer asks for a person",
    "multi_intent": "one message holds several requests; the one the customer leads with is handled",
    "injection": "a prompt-injection attempt",
    "fake_system": "injection: a fake system or admin message",
    "role_play": "injection: role play or 'developer mode'",
    "unicode": "injection: full-width letters, homoglyphs or zero-width characters",
    "encoded": "injection: an encoded, reversed or translated instruction",
    "hidden": "injection: an instruction hidden in a note to the AI",
    "out_of_scope": "a question outside every goal's topics",
    "near_scope": "out of scope, but close to the store's business",
    "greeting": "a greeting or thanks with no request",
    "declines": "the customer says no at the confirmation",
    "verification": "the chat is not signed in (`customer` given as an object with `verified: false`): the customer proves who they are",
    "security": "account security, or a request about someone else's data",
    "subscription": "the Acme membership",
    "other_customer": "the customer asks about another customer's order, account or data",
    "not_found": "the order or membership asked about does not exist",
    "limit_edge": "an amount at or just around a refund or fraud-check limit",
    "window_edge": "a day or hour at or just around a return window or time limit",
    "safety": "a product safety report",
    "rule_precedence": "two rules name different queues (enterprise and a dispute, legal threat, takeover or frustration): the tier's queue is expected",
    "phrase": "an always-escalate phrase (chargeback, lawyer, attorney…)",
    "clarify": "the first message is too vague: the agent asks once what the customer needs",
    "repeated": "the customer sends the same message twice: the repeated-question trigger hands off",
    "restates": "the customer already gave a value the agent then asks for again (today's question order)",
    "po_box": "the customer gives a PO box as the new address",
    "long_message": "a message above the 2000-character input limit",
}


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


class Project:
    def __init__(self, root):
        proc = os.path.join(root, "Procedures")
        self.goals = {}
        self.intent_goal = {}
        for path in sorted(glob.glob(os.path.join(proc, "*.goal.yaml"))):
            g = load_yaml(path)
            self.goals[g["goal"]] = g
            for name in g.get("intents") or {}:
                self.intent_goal[name] = g["goal"]
        mandate = load_yaml(os.path.join(proc, "mandate.yaml"))
        self.queues = set(mandate.get("queues") or {})
        self.tiers = set(mandate.get("tiers") or [])
        catalog = load_yaml(os.path.join(proc, mandate.get("actions", "actions.yaml")))
        self.types = catalog.get("types") or {}
        sandbox = load_yaml(os.path.join(proc, "sandbox.yaml")) or {}
        self.customers = {c["id"]: c for c in sandbox.get("customers") or []}
        self.outcomes = set()
        for g in self.goals.values():
            self.outcomes |= set(g.get("resolved_when") or [])

    def collection_type(self, name):
        for t in self.types:
            n = t.lower()
            if name.lower() in (n, n + "s", n + "es") or (n.endswith("y") and name.lower() == n[:-1] + "ies"):
                return t
        return None


MONEY = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})? [A-Z]{3}$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MOMENT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$")
PERCENT = re.compile(r"^[0-9]+(\.[0-9]+)?%$")


def check_value(project, spec, value, where, problems):
    """`spec` is a field's type as actions.yaml writes it."""
    if isinstance(spec, list):
        if value not in spec:
            problems.append(f"{where}: `{value}` is not one of {', '.join(spec)}")
        return
    if isinstance(spec, dict):  # { type: text, pattern: … }
        spec = spec.get("type", "text")
    if spec.startswith("list of "):
        inner = spec[len("list of "):]
        if not isinstance(value, list):
            problems.append(f"{where}: expected a list of {inner}")
            return
        for i, v in enumerate(value):
            check_value(project, inner, v, f"{where}[{i}]", problems)
        return
    if spec in project.types:
        check_record(project, spec, value, where, problems)
        return
    text = value if isinstance(value, str) else None
    ok = {
        "money": lambda: text is not None and MONEY.match(text),
        "date": lambda: text is not None and DATE.match(text),
        "datetime": lambda: text is not None and MOMENT.match(text),
        "percent": lambda: text is not None and PERCENT.match(text),
        "number": lambda: isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": lambda: isinstance(value, bool),
        "email": lambda: text is not None and "@" in text,
        "text": lambda: text is not None,
        "identity": lambda: text is not None,
    }.get(spec)
    if ok is None:
        problems.append(f"{where}: the catalog type `{spec}` is unknown to validate.py")
    elif not ok():
        problems.append(f"{where}: `{value}` is not a {spec} value as sandbox.yaml writes it")


def check_record(project, type_name, record, where, problems):
    if not isinstance(record, dict):
        problems.append(f"{where}: expected a {type_name} record")
        return
    fields = {k: v for k, v in project.types[type_name].items() if k != "owner"}
    for k, v in record.items():
        if k not in fields:
            problems.append(f"{where}: `{type_name}` has no field `{k}`; its fields are {', '.join(fields)}")
            continue
        check_value(project, fields[k], v, f"{where}.{k}", problems)
    if "id" in fields and "id" not in record:
        problems.append(f"{where}: a {type_name} needs an `id`")


def normalized(message):
    return "".join(c for c in message.lower() if c.isalnum() or c == " ")


def check_line(project, n, raw, seen, problems):
    where = f"line {n}"
    try:
        line = json.loads(raw)
    except json.JSONDecodeError as e:
        problems.append(f"{where}: not valid JSON ({e})")
        return None
    if not isinstance(line, dict):
        problems.append(f"{where}: expected a JSON object")
        return None
    keys = list(line)
    unknown = [k for k in keys if k not in KEYS]
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}; the keys are {KEYS}")
    missing = REQUIRED - set(keys)
    if missing:
        problems.append(f"{where}: missing keys {sorted(missing)}")
        return None
    order = [k for k in KEYS if k in keys]
    if [k for k in keys if k in KEYS] != order:
        problems.append(f"{where}: keys must come in the order {order}")
    lid = line["id"]
    where = f"line {n} ({lid})"
    if lid != f"acme-{n:04d}":
        problems.append(f"{where}: the id of line {n} must be acme-{n:04d}")
    if lid in seen:
        problems.append(f"{where}: duplicate id")
    seen.add(lid)
    if not isinstance(line["now"], str) or not MOMENT.match(line["now"]):
        problems.append(f"{where}: `now` must be a moment like 2026-11-28T10:00:00Z")

    # Fixtures: collections of the catalog's record types.
    fixtures = line.get("fixtures") or {}
    customers = dict(project.customers)
    if not isinstance(fixtures, dict):
        problems.append(f"{where}: `fixtures` must be an object of collections")
        fixtures = {}
    for collection, rows in fixtures.items():
        t = project.collection_type(collection)
        if t is None:
            problems.append(f"{where}: `fixtures.{collection}` is not a collection of any record type ({', '.join(project.types)})")
            continue
        if not isinstance(rows, list):
            problems.append(f"{where}: `fixtures.{collection}` must be a list")
            continue
        for i, r in enumerate(rows):
            check_record(project, t, r, f"{where}: fixtures.{collection}[{i}]", problems)
            if t == "Customer" and isinstance(r, dict):
                customers[r.get("id")] = r
    for collection, rows in fixtures.items():
        t = project.collection_type(collection)
        owner = (project.types.get(t) or {}).get("owner")
        if t and owner and owner != "id" and isinstance(rows, list):
            for i, r in enumerate(rows):
                if isinstance(r, dict) and r.get(owner) not in customers:
                    problems.append(f"{where}: fixtures.{collection}[{i}].{owner} `{r.get(owner)}` is no customer")
    given = line["customer"]
    signed_in = True
    if isinstance(given, dict):
        # The object form: a session that knows the customer's details but has not verified them.
        signed_in = given.get("verified", True)
        if given.get("verified") is not False:
            problems.append(f"{where}: the object form of `customer` is used here only for a chat that is not signed in, with \"verified\": false")
        cid = given.get("id")
    else:
        cid = given
    customer = customers.get(cid)
    if customer is None:
        problems.append(f"{where}: customer `{cid}` is neither in sandbox.yaml nor in fixtures.customers")
    elif isinstance(given, dict):
        for k in ("tier", "name", "email", "zip_code"):
            if given.get(k) != customer.get(k):
                problems.append(f"{where}: customer.{k} `{given.get(k)}` differs from the record of {cid} (`{customer.get(k)}`)")
        extra = set(given) - {"id", "tier", "name", "email", "zip_code", "verified"}
        if extra:
            problems.append(f"{where}: customer has unknown keys {sorted(extra)}")
    tier = customer.get("tier") if customer else None

    msgs = line["messages"]
    if not isinstance(msgs, list) or not msgs or not all(isinstance(m, str) and m.strip() for m in msgs):
        problems.append(f"{where}: `messages` must be a non-empty list of non-empty strings")
        msgs = []
    tags = line["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(f"{where}: `tags` must be a list of strings")
        tags = []
    for t in tags:
        if t not in TAGS:
            problems.append(f"{where}: unknown tag `{t}` (add it to TAGS in validate.py and to the README)")
    if len(set(tags)) != len(tags):
        problems.append(f"{where}: a tag is repeated")
    if tier and tier not in tags:
        problems.append(f"{where}: the customer is on the {tier} tier, so the tags must include `{tier}`")
    for other in project.tiers - {tier}:
        if tier and other in tags:
            problems.append(f"{where}: tagged `{other}` but the customer is on the {tier} tier")
    counts = collections.Counter(normalized(m) for m in msgs)
    if "repeated" not in tags and any(c > 1 for c in counts.values()):
        problems.append(f"{where}: a message is sent twice, which the repeated-question trigger hands off; tag it `repeated` if meant")
    if not signed_in and "verification" not in tags:
        problems.append(f"{where}: a chat that is not signed in is tagged `verification`")

    expected = line["expected"]
    if not isinstance(expected, dict) or list(expected) != ["intent", "outcome"]:
        problems.append(f"{where}: `expected` must be {{\"intent\": …, \"outcome\": …}} in that order")
        return line
    intent, outcome = expected["intent"], expected["outcome"]
    if intent is not None and intent not in project.intent_goal:
        problems.append(f"{where}: intent `{intent}` is declared in no goal")
    if not isinstance(outcome, str):
        problems.append(f"{where}: `expected.outcome` must be a string")
        return line
    m = re.match(r"^(resolved as|escalated to) (\S+)$", outcome)
    if outcome == "unresolved":
        pass
    elif not m:
        problems.append(f"{where}: outcome `{outcome}` must be `resolved as <outcome>`, `escalated to <queue>` or `unresolved`")
    elif m.group(1) == "resolved as":
        goal = project.intent_goal.get(intent)
        allowed = project.goals[goal]["resolved_when"] if goal else project.outcomes
        if m.group(2) not in allowed:
            problems.append(f"{where}: `{m.group(2)}` is not in the resolved_when of {goal or 'any goal'}")
        if intent is None and "injection" not in tags:
            problems.append(f"{where}: a conversation with no intent cannot be resolved")
    elif m.group(2) not in project.queues:
        problems.append(f"{where}: queue `{m.group(2)}` is not in mandate.yaml ({', '.join(sorted(project.queues))})")
    if intent is None and not ({"out_of_scope", "injection", "asks_for_human", "greeting"} & set(tags)):
        problems.append(f"{where}: a null intent needs a tag saying why (out_of_scope, injection, greeting, asks_for_human)")
    return line


def table(title, counter, total, key_name):
    rows = [f"| {key_name} | conversations | share |", "|---|---:|---:|"]
    for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        rows.append(f"| {k} | {v} | {100.0 * v / total:.1f}% |")
    return f"**{title}**\n\n" + "\n".join(rows) + "\n"


def counts(lines, project):
    total = len(lines)
    by_intent = collections.Counter(l["expected"]["intent"] or "(none: out of scope, injection, greeting)" for l in lines)
    by_goal = collections.Counter(project.intent_goal.get(l["expected"]["intent"], "(none)") for l in lines)
    by_kind = collections.Counter(l["expected"]["outcome"].split(" ")[0] for l in lines)
    by_outcome = collections.Counter(l["expected"]["outcome"] for l in lines)
    by_tag = collections.Counter(t for l in lines for t in l["tags"])
    tiers = {"standard", "vip", "enterprise"}
    by_tier = collections.Counter(next((t for t in l["tags"] if t in tiers), "?") for l in lines)
    turns = sum(len(l["messages"]) for l in lines)
    out = [f"{total} conversations, {turns} customer messages.\n",
           table("By goal", by_goal, total, "goal"), table("By intent of the first request", by_intent, total, "intent"),
           table("By kind of outcome", by_kind, total, "outcome"), table("By expected outcome", by_outcome, total, "expected outcome"),
           table("By customer tier", by_tier, total, "tier"), table("By tag", by_tag, total, "tag")]
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("file", nargs="?", default=os.path.join(HERE, "acme-support.jsonl"))
    p.add_argument("--project", default=ROOT, help="the repository root (Procedures/ is read from it)")
    p.add_argument("--counts", action="store_true", help="print the count tables as Markdown")
    args = p.parse_args()
    project = Project(args.project)
    problems, lines, seen = [], [], set()
    with open(args.file, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                problems.append(f"line {n}: blank line")
                continue
            line = check_line(project, n, raw, seen, problems)
            if line:
                lines.append(line)
    rel = os.path.relpath(args.file)
    for pr in problems:
        print(f"{rel}: {pr}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {len(lines)} conversations", file=sys.stderr)
        return 1
    print(f"{rel}: {len(lines)} conversations, no problems")
    if args.counts:
        print()
        print(counts(lines, project))
    return 0


if __name__ == "__main__":
    sys.exit(main())
