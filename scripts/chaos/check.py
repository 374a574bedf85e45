#!/usr/bin/env python3
"""The chaos run's checker, after Jepsen's set-full, total-queue and unique-ids: reads the
history scripts/chaos/load.py recorded, takes a snapshot of the databases, the event stream and
the logs, and prints one table of invariants; exits 1 naming the operation ids of any failure.

Usage (scripts/chaos.sh runs it):
  check.py --history H --snapshot DIR [--psql PSQL --pg-port P --listener BIN --amqp-url URL
           --endpoints FILE --logs DIR] [--faults FILE] [--seed S]
With --psql the snapshot is taken first (into DIR); without, DIR must already hold one (the
self-test, scripts/chaos/test_check.py, plants faults in recorded ones).

An answer is ok (2xx), a definite failure (refused before sending, 4xx, or 503
`price_unavailable`: nothing was stored) or indeterminate (no answer after sending, or any other
5xx: it may or may not have happened). Indeterminate operations may appear or not; ok ones
must, definite failures must not.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

ORDER_KINDS = ("order", "replay", "reuse", "overcap")
SHOWN_IDS = 12


# ---- snapshot ---------------------------------------------------------------------------------
def psql_json(psql: str, port: str, database: str, query: str):
    sql = f"SELECT coalesce(json_agg(t), '[]'::json) FROM ({query}) t"
    out = subprocess.run([psql, "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database,
                          "-Atq", "-c", sql], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def read_stream(listener: str, amqp_url: str, expected: set, quiet_s: float = 3,
                deadline_s: float = 60) -> list:
    """Every event of the client's stream, from its first offset: read until every expected
    message id has arrived and nothing new came for `quiet_s`, or `deadline_s` passed."""
    env = dict(os.environ, AMQP_URL=amqp_url)
    process = subprocess.Popen([listener, "chaos", "--from", "first"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env)
    os.set_blocking(process.stdout.fileno(), False)
    events, buffer, seen = [], "", set()
    deadline = time.monotonic() + deadline_s
    last_new = time.monotonic()
    while time.monotonic() < deadline:
        chunk = process.stdout.read()  # bytes, or None while nothing is waiting (non-blocking)
        if chunk:
            buffer += chunk.decode("utf-8", errors="replace")
            *lines, buffer = buffer.split("\n")
            for line in lines:
                event = parse_listener_line(line)
                if event:
                    events.append(event)
                    seen.add(event["message_id"])
                    last_new = time.monotonic()
        elif process.poll() is not None:
            break
        if expected <= seen and time.monotonic() - last_new > quiet_s:
            break
        time.sleep(0.1)
    process.terminate()
    process.wait(timeout=10)
    return events


def parse_listener_line(line: str):
    """`chaos.Fruits id=<message id> client=.. event=.. schema_version=.. {json}`."""
    match = re.match(r"^(\S+) id=(\S*) .*?(\{.*)$", line)
    if not match:
        return None
    try:
        body = json.loads(match.group(3))
    except ValueError:
        body = match.group(3)
    return {"routing_key": match.group(1), "message_id": match.group(2), "body": body}


def get_json(url: str, key: str):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def take_snapshot(args, history: list, directory: pathlib.Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    psql, port = args.psql, str(args.pg_port)
    snapshot = {
        "write_orders": psql_json(psql, port, "btc_orders_write",
                                  "SELECT id, idempotence_key AS key, currency, amount::text, "
                                  "bitcoin_amount::text, created_at FROM buy_orders"),
        "read_orders": psql_json(psql, port, "btc_orders_read",
                                 "SELECT id, currency, amount::text, bitcoin_amount::text, "
                                 "created_at FROM buy_orders"),
        "cap": psql_json(psql, port, "btc_orders_write",
                         "SELECT cap_btc::text, total_btc::text FROM btc_cap"),
        "outbox": psql_json(psql, port, "btc_orders_write",
                            "SELECT state, count(*) AS n FROM outbox GROUP BY state"),
    }
    key = os.environ.get("CHAOS_API_KEY", "")
    with open(args.endpoints, encoding="utf-8") as file:
        endpoints = json.load(file)
    snapshot["pairs"] = {replica: get_json(endpoints[replica] + "/pairs", key)
                         for replica in ("rate-cache.a", "rate-cache.b")}
    accepted = {op["body"]["event_id"] for op in history
                if op["kind"] == "event" and op["status"] == 202 and isinstance(op["body"], dict)}
    snapshot["stream"] = read_stream(args.listener, args.amqp_url, accepted)
    panics = []
    for log in sorted(pathlib.Path(args.logs).glob("*.log")):
        if log.name in ("load.log",):
            continue
        for number, line in enumerate(log.read_text(errors="replace").splitlines(), 1):
            if "panicked" in line:
                panics.append({"file": log.name, "line": number, "text": line[:300]})
    snapshot["panics"] = panics
    for name, value in snapshot.items():
        (directory / f"{name}.json").write_text(json.dumps(value, indent=1, default=str))


def load_snapshot(directory: pathlib.Path) -> dict:
    return {path.stem: json.loads(path.read_text()) for path in directory.glob("*.json")}


# ---- classification ---------------------------------------------------------------------------
def outcome(op: dict) -> str:
    """ok, fail (definitely did not happen) or info (may or may not have)."""
    status = op.get("status")
    if status is None:
        return "info" if op.get("sent") else "fail"
    if 200 <= status < 300:
        return "ok"
    if 400 <= status < 500:
        return "fail"
    if status == 503 and error_code(op) == "price_unavailable":
        return "fail"
    return "info"


def error_code(op: dict):
    body = op.get("body")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return None


# ---- invariants -------------------------------------------------------------------------------
class Table:
    def __init__(self) -> None:
        self.rows = []

    def info(self, name: str, value) -> None:
        self.rows.append((name, str(value), "", []))

    def check(self, name: str, ops, value=None) -> None:
        ops = sorted(set(ops))
        self.rows.append((name, str(len(ops) if value is None else value),
                          "ok" if not ops else "FAIL", ops))

    @property
    def failed(self) -> bool:
        return any(result == "FAIL" for _, _, result, _ in self.rows)

    def render(self) -> str:
        width = max(len(name) for name, *_ in self.rows)
        lines = [f"{'invariant':<{width}}  {'value':>10}  result  operation ids",
                 f"{'-' * width}  {'-' * 10}  ------  -------------"]
        for name, value, result, ops in self.rows:
            shown = " ".join(map(str, ops[:SHOWN_IDS])) + (" ..." if len(ops) > SHOWN_IDS else "")
            lines.append(f"{name:<{width}}  {value:>10}  {result:<6}  {shown}".rstrip())
        return "\n".join(lines)


def check_orders(history: list, snapshot: dict, table: Table) -> None:
    write = snapshot["write_orders"]
    read = {row["id"]: row for row in snapshot["read_orders"]}
    by_key = defaultdict(list)
    for row in write:
        by_key[row["key"]].append(row)
    write_by_id = {row["id"]: row for row in write}
    ops_by_key = defaultdict(list)
    for op in history:
        if op["kind"] in ORDER_KINDS:
            ops_by_key[op["req"]["key"]].append(op)

    lost, doubled, invented, wrong_replay, read_differs = [], [], [], [], []
    for key, ops in ops_by_key.items():
        oks = [op for op in ops if outcome(op) == "ok" and isinstance(op["body"], dict)]
        ids = {op["body"].get("id") for op in oks}
        rows = by_key.get(key, [])
        if len(ids) > 1 or len(rows) > 1:
            doubled += [op["id"] for op in oks]
        for op in oks:
            order_id = op["body"].get("id")
            if order_id not in write_by_id or order_id not in read:
                lost.append(op["id"])
            same_body = (op["body"].get("currency") == op["req"]["currency"]
                         and Decimal(str(op["body"].get("amount"))) == Decimal(op["req"]["amount"]))
            if not same_body or (rows and rows[0]["id"] != order_id):
                wrong_replay.append(op["id"])
        # A replay of an order already answered ok, with the same body, must return it.
        for op in ops:
            if op["kind"] != "replay" or outcome(op) != "fail" or op["status"] is None:
                continue
            earlier = [o for o in oks if o["end"] < op["start"]
                       and o["req"]["currency"] == op["req"]["currency"]
                       and o["req"]["amount"] == op["req"]["amount"]]
            if earlier:
                wrong_replay.append(op["id"])
        if rows and ops and all(outcome(op) == "fail" for op in ops):
            invented += [op["id"] for op in ops]
    sent_keys = set(ops_by_key)
    invented += [f"write:{row['id']}" for row in write if row["key"] not in sent_keys]
    invented += [f"read:{order_id}" for order_id in read if order_id not in write_by_id]
    for order_id, row in read.items():
        original = write_by_id.get(order_id)
        if original and (original["currency"], Decimal(original["amount"]),
                         Decimal(original["bitcoin_amount"])) != (
                row["currency"], Decimal(row["amount"]), Decimal(row["bitcoin_amount"])):
            read_differs.append(f"read:{order_id}")

    table.info("orders in the write model / read model", f"{len(write)}/{len(read)}")
    table.check("orders lost (ok answer, missing from write or read model)", lost)
    table.check("orders doubled (one key, two orders)", doubled)
    table.check("orders invented or unexpected (never asked, or refused)", invented)
    table.check("read model rows that differ from the write model", read_differs)
    table.check("replays that returned another order (or were refused)", wrong_replay)

    total = sum((Decimal(row["bitcoin_amount"]) for row in write), Decimal(0))
    cap = snapshot["cap"][0] if snapshot["cap"] else {"cap_btc": "100", "total_btc": "0"}
    bad_cap = []
    if total > Decimal(cap["cap_btc"]) or total > 100 or total != Decimal(cap["total_btc"]):
        bad_cap.append(f"sum={total},cap_row={cap['total_btc']}")
    table.check("cap: sum of bitcoin_amount <= 100 and = the cap row", bad_cap, value=str(total))
    capped = sum(1 for op in history if op["kind"] in ORDER_KINDS
                 and error_code(op) == "btc_cap_exceeded")
    table.info("orders refused by the cap (409)", capped)
    pending = sum(row["n"] for row in snapshot.get("outbox", []) if row["state"] != "published")
    table.check("outbox rows not published at the end", [f"outbox:{pending}"] if pending else [],
                value=pending)


def check_listing(history: list, snapshot: dict, table: Table) -> None:
    write_ids = {row["id"] for row in snapshot["write_orders"]}
    walks = defaultdict(list)
    for op in history:
        if op["kind"] == "list" and outcome(op) == "ok" and isinstance(op["body"], dict):
            walks[op["req"]["walk"]].append(op)
    bad, unknown = [], []
    for ops in walks.values():
        ops.sort(key=lambda op: op["req"]["page"])
        seen, previous = set(), None
        for op in ops:
            for order in op["body"].get("buy_orders", []):
                position = (datetime.fromisoformat(order["created_at"]), order["id"])
                if order["id"] in seen or (previous is not None and position >= previous):
                    bad.append(op["id"])
                seen.add(order["id"])
                previous = position
                if order["id"] not in write_ids:
                    unknown.append(op["id"])
    table.check("listing walks with a repeat or out of order", bad)
    table.check("listed orders not in the write model", unknown)


def check_sequence(history: list, table: Table) -> None:
    handed = defaultdict(list)
    misordered = []
    for op in history:
        if op["kind"] != "seq" or outcome(op) != "ok":
            continue
        body = op["body"]
        numbers = body if isinstance(body, list) else [body]
        try:
            numbers = [int(n) for n in numbers]
        except (TypeError, ValueError):
            misordered.append(op["id"])
            continue
        if len(numbers) != op["req"]["count"]:
            misordered.append(op["id"])
        step = 1 if op["req"]["direction"] == "forward" else -1
        if any((b - a) * step <= 0 for a, b in zip(numbers, numbers[1:])):
            misordered.append(op["id"])
        for number in numbers:
            handed[number].append(op["id"])
    twice = [op for ops in handed.values() if len(ops) > 1 for op in ops]
    table.info("sequence numbers handed out", len(handed))
    table.check("sequence numbers handed out twice", twice)
    table.check("sequence answers out of order or miscounted", misordered)


# 503s that do not say the write did not happen: `unconfirmed` (sent, the broker's confirm
# never came) and `request_timeout` (the whole-request deadline passed mid-way). Indeterminate
# answers, like no answer at all.
INDETERMINATE_CODES = ("unconfirmed", "request_timeout")


def indeterminate_503(op: dict) -> bool:
    """True for a 503 whose code is indeterminate (see INDETERMINATE_CODES)."""
    body = op["body"] if isinstance(op["body"], dict) else {}
    return op["status"] == 503 and body.get("error", {}).get("code") in INDETERMINATE_CODES


def check_events(history: list, snapshot: dict, table: Table) -> None:
    ops = {op["id"]: op for op in history if op["kind"] == "event"}
    in_stream = defaultdict(list)
    invented = []
    for event in snapshot["stream"]:
        body = event["body"]
        op_id = body.get("op") if isinstance(body, dict) else None
        if op_id not in ops:
            invented.append(f"stream:{event['message_id']}")
        else:
            in_stream[op_id].append(event)
    lost = [op_id for op_id, op in ops.items()
            if op["status"] == 202 and not any(e["message_id"] == op["body"].get("event_id")
                                               for e in in_stream.get(op_id, []))]
    unanswered = [op_id for op_id in in_stream
                  if ops[op_id]["status"] not in (None, 202) and not indeterminate_503(ops[op_id])]
    doubled = [op_id for op_id, events in in_stream.items() if len(events) > 1]
    indeterminate = sum(1 for op_id in in_stream
                        if ops[op_id]["status"] is None or indeterminate_503(ops[op_id]))
    table.info("events in the stream (of them with no or an indeterminate answer)",
               f"{len(snapshot['stream'])} ({indeterminate})")
    table.check("events answered 202 but missing from the stream", lost)
    table.check("events in the stream answered other than 202", unanswered)
    table.check("events in the stream twice", doubled)
    table.check("events in the stream never sent", invented)


def check_pairs(history: list, snapshot: dict, table: Table) -> None:
    missing, bad_rates = [], []
    for replica, pairs in snapshot["pairs"].items():
        listed = {(p["base"], p["quote"]) for p in pairs}
        for op in history:
            if op["kind"] == "pair_add" and outcome(op) == "ok" and \
                    (op["req"]["base"], op["req"]["quote"]) not in listed:
                missing.append(op["id"])
    for op in history:
        if op["kind"] == "rate" and outcome(op) == "ok" and isinstance(op["body"], dict):
            body = op["body"]
            try:
                low, mean, high = (Decimal(str(body[k])) for k in ("min", "average", "max"))
                if not (low <= mean <= high) or int(body["samples"]) < 1:
                    bad_rates.append(op["id"])
            except (KeyError, ArithmeticError, ValueError):
                bad_rates.append(op["id"])
    table.check("rate pairs added but missing from GET /pairs", missing)
    table.check("rate aggregates with min <= average <= max broken", bad_rates)


def analyse(history: list, snapshot: dict, faults: list) -> Table:
    table = Table()
    table.info("faults injected", len(faults))
    answered = [op for op in history if op["status"] is not None]
    counts = defaultdict(int)
    for op in history:
        counts[outcome(op)] += 1
    table.info("operations attempted / answered", f"{len(history)}/{len(answered)}")
    table.info("ok / failed / indeterminate", f"{counts['ok']}/{counts['fail']}/{counts['info']}")
    check_orders(history, snapshot, table)
    check_listing(history, snapshot, table)
    check_sequence(history, table)
    check_events(history, snapshot, table)
    check_pairs(history, snapshot, table)
    table.check("5xx other than 503", [op["id"] for op in history
                                       if op["status"] and op["status"] >= 500
                                       and op["status"] != 503])
    table.check("panic lines in the logs",
                [f"{p['file']}:{p['line']}" for p in snapshot.get("panics", [])])
    return table


def read_history(path: str) -> list:
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", required=True)
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--psql")
    parser.add_argument("--pg-port")
    parser.add_argument("--listener")
    parser.add_argument("--amqp-url")
    parser.add_argument("--endpoints")
    parser.add_argument("--logs")
    parser.add_argument("--faults")
    parser.add_argument("--seed")
    args = parser.parse_args()
    history = read_history(args.history)
    directory = pathlib.Path(args.snapshot)
    if args.psql:
        take_snapshot(args, history, directory)
    faults = []
    if args.faults:
        faults = [line for line in pathlib.Path(args.faults).read_text().splitlines() if line]
    table = analyse(history, load_snapshot(directory), faults)
    if args.seed:
        print(f"chaos check, seed {args.seed}:")
    print(table.render())
    sys.exit(1 if table.failed else 0)


if __name__ == "__main__":
    main()
