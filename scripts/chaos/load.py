#!/usr/bin/env python3
"""The chaos run's clients: a steady mixed load against both replicas of every service, each
operation and its answer recorded as one JSON line of the history (scripts/chaos/check.py reads
it).

Usage: CHAOS_API_KEY=... load.py --endpoints FILE --history FILE --seconds N --seed S

FILE of endpoints: {"create-buy-order.a": "http://127.0.0.1:port", ...}. A history line:
  {"id": 17, "worker": 2, "kind": "order", "replica": "create-buy-order.b", "start": 1.23,
   "end": 1.31, "method": "PUT", "path": "/buy_order", "req": {...}, "status": 201,
   "body": {...} or "text", "error": null, "sent": true}
`status` is null when no answer came: `sent` false (connection refused: nothing was asked, a
definite failure) or true (a timeout or reset after the request left: indeterminate).
Operations (kind): order (a new key), replay (an earlier key, the same body), reuse (an earlier
key, another amount), overcap (an order no cap can hold), list (a page of a listing walk;
req.walk and req.page), seq (v1/v2, forward/reverse), event (to a registered schema; the body
carries the op id), register, pair_add, pairs, rate, price.
Only the standard library, so it runs on any python3.
"""
import argparse
import http.client
import json
import os
import random
import threading
import time
import urllib.parse

WORKERS = 6
OPS_PER_SECOND_PER_WORKER = 10
CLIENT_TIMEOUT_S = 12
CURRENCIES = ["EUR", "GBP", "USD"]
PAIRS = [("USD", "EUR"), ("USD", "GBP"), ("USD", "JPY"), ("EUR", "USD"), ("EUR", "GBP"),
         ("EUR", "CHF")]
EVENTS = {
    "Fruits": {"type": "object", "properties": {"fruit": {"type": "string"},
                                                "op": {"type": "integer"}},
               "required": ["fruit", "op"]},
    "Colors": {"type": "object", "properties": {"color": {"type": "string"},
                                                "op": {"type": "integer"}},
               "required": ["color", "op"]},
}
CLIENT = "chaos"
# kind: weight
MIX = {"order": 30, "replay": 10, "reuse": 4, "overcap": 2, "list": 10, "seq": 16, "event": 14,
       "pair_add": 3, "pairs": 3, "rate": 4, "price": 4}


class History:
    """Op ids and the history file, shared by the workers."""

    def __init__(self, path: str, t0: float) -> None:
        self.file = open(path, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.next_id = 0
        self.t0 = t0
        self.keys: list[tuple[str, dict]] = []  # every key sent, with its first body

    def new_id(self) -> int:
        with self.lock:
            self.next_id += 1
            return self.next_id

    def record(self, entry: dict) -> None:
        line = json.dumps(entry, sort_keys=True)
        with self.lock:
            self.file.write(line + "\n")
            self.file.flush()


class Client:
    def __init__(self, endpoints: dict, key: str, history: History, worker: int,
                 rng: random.Random) -> None:
        self.endpoints = endpoints
        self.key = key
        self.history = history
        self.worker = worker
        self.rng = rng

    def replica(self, service: str) -> str:
        return f"{service}.{self.rng.choice('ab')}"

    def call(self, kind: str, service: str, method: str, path: str, req=None, body=None,
             headers=None, op_id=None, replica=None) -> dict:
        """Sends one request and records it; returns the history entry."""
        replica = replica or self.replica(service)
        url = urllib.parse.urlparse(self.endpoints[replica])
        entry = {"id": op_id or self.history.new_id(), "worker": self.worker, "kind": kind,
                 "replica": replica, "method": method, "path": path, "req": req,
                 "status": None, "body": None, "error": None, "sent": False, "headers": {}}
        all_headers = {"Authorization": f"Bearer {self.key}"}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        payload = None if body is None else json.dumps(body).encode()
        entry["start"] = round(time.monotonic() - self.history.t0, 4)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=CLIENT_TIMEOUT_S)
        try:
            try:
                connection.connect()
            except OSError as error:
                entry["error"] = f"connect: {error}"
                return entry
            entry["sent"] = True
            connection.request(method, path, body=payload, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            entry["status"] = response.status
            replayed = response.getheader("Idempotent-Replayed")
            if replayed:
                entry["headers"]["idempotent-replayed"] = replayed
            text = raw.decode("utf-8", "replace")
            try:
                entry["body"] = json.loads(text)
            except ValueError:
                entry["body"] = text[:500]
        except (OSError, http.client.HTTPException) as error:
            entry["error"] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
            entry["end"] = round(time.monotonic() - self.history.t0, 4)
            self.history.record(entry)
        return entry

    # ---- operations ----
    def order(self) -> None:
        op = self.history.new_id()
        key = f"chaos-{op}"
        currency = self.rng.choice(CURRENCIES)
        if self.rng.random() < 0.7:
            amount = f"{self.rng.randint(500, 5000)}.{self.rng.randint(0, 99):02d}"
        else:
            amount = f"{self.rng.randint(1, 50)}.{self.rng.randint(0, 99):02d}"
        body = {"currency": currency, "amount": amount}
        with self.history.lock:
            self.history.keys.append((key, body))
        self.call("order", "create-buy-order", "PUT", "/buy_order", req={"key": key, **body},
                  body=body, headers={"Idempotency-Key": key}, op_id=op)

    def earlier_key(self):
        with self.history.lock:
            if not self.history.keys:
                return None
            return self.rng.choice(self.history.keys)

    def replay(self) -> None:
        earlier = self.earlier_key()
        if earlier is None:
            return self.order()
        key, body = earlier
        self.call("replay", "create-buy-order", "PUT", "/buy_order", req={"key": key, **body},
                  body=body, headers={"Idempotency-Key": key})

    def reuse(self) -> None:
        earlier = self.earlier_key()
        if earlier is None:
            return self.order()
        key, body = earlier
        other = {"currency": body["currency"], "amount": f"{self.rng.randint(1, 9)}.{self.rng.randint(0, 99):02d}"}
        if other["amount"] == body["amount"]:
            other["amount"] = "10.01"
        self.call("reuse", "create-buy-order", "PUT", "/buy_order", req={"key": key, **other},
                  body=other, headers={"Idempotency-Key": key})

    def overcap(self) -> None:
        op = self.history.new_id()
        key = f"chaos-{op}"
        body = {"currency": "EUR", "amount": "999999999.99"}
        self.call("overcap", "create-buy-order", "PUT", "/buy_order", req={"key": key, **body},
                  body=body, headers={"Idempotency-Key": key}, op_id=op)

    def listing(self) -> None:
        walk = self.history.new_id()
        limit = self.rng.choice([5, 20, 50, 100])
        replica = self.replica("fetch-buy-orders")
        last = None
        for page in range(self.rng.randint(1, 4)):
            path = f"/buy_orders?limit={limit}" + (f"&last_reference={last}" if last else "")
            entry = self.call("list", "fetch-buy-orders", "GET", path, replica=replica,
                              req={"walk": walk, "page": page, "limit": limit,
                                   "last_reference": last})
            body = entry["body"]
            if entry["status"] != 200 or not isinstance(body, dict) or not body.get("has_more"):
                return
            last = body.get("last_reference")

    def seq(self) -> None:
        direction = self.rng.choice(["forward", "reverse"])
        if self.rng.random() < 0.4:
            self.call("seq", "sequence", "GET", f"/v1/{direction}",
                      req={"version": 1, "direction": direction, "count": 1})
        else:
            count = self.rng.randint(1, 20)
            self.call("seq", "sequence", "GET", f"/v2/{direction}?count={count}",
                      req={"version": 2, "direction": direction, "count": count})

    def event(self) -> None:
        op = self.history.new_id()
        name = self.rng.choice(list(EVENTS))
        body = {"fruit": self.rng.choice(["apple", "pear", "plum"])} if name == "Fruits" else \
            {"color": self.rng.choice(["red", "green", "blue"])}
        body["op"] = op
        self.call("event", "event-gateway", "POST", f"/{CLIENT}/{name}/send_event",
                  req={"event": name, "op": op}, body=body, op_id=op)

    def pair_add(self) -> None:
        base, quote = self.rng.choice(PAIRS)
        self.call("pair_add", "rate-cache", "POST", "/pairs", req={"base": base, "quote": quote},
                  body={"base": base, "quote": quote})

    def pairs(self) -> None:
        self.call("pairs", "rate-cache", "GET", "/pairs")

    def rate(self) -> None:
        base, quote = self.rng.choice(PAIRS)
        self.call("rate", "rate-cache", "GET", f"/rates/{base}/{quote}",
                  req={"base": base, "quote": quote})

    def price(self) -> None:
        currency = self.rng.choice(CURRENCIES)
        self.call("price", "btc-price", "GET", f"/btc_price/{currency}", req={"currency": currency})


def register_schemas(client: Client, deadline: float) -> None:
    """Registers every event schema (retried until answered 201/200, both replicas)."""
    for name, schema in EVENTS.items():
        for replica in ("event-gateway.a", "event-gateway.b"):
            while True:
                entry = client.call("register", "event-gateway", "POST",
                                    f"/{CLIENT}/{name}/register_event", req={"event": name},
                                    body=schema, replica=replica)
                if entry["status"] in (200, 201):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"could not register {name}: {entry}")
                time.sleep(0.5)


def worker(client: Client, until: float) -> None:
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    period = 1 / OPS_PER_SECOND_PER_WORKER
    actions = {"order": client.order, "replay": client.replay, "reuse": client.reuse,
               "overcap": client.overcap, "list": client.listing, "seq": client.seq,
               "event": client.event, "pair_add": client.pair_add, "pairs": client.pairs,
               "rate": client.rate, "price": client.price}
    while True:
        started = time.monotonic()
        if started >= until:
            return
        actions[client.rng.choices(kinds, weights)[0]]()
        # Pacing: a steady rate, not a busy loop that starves the services on a small machine.
        spare = period - (time.monotonic() - started)
        if spare > 0:
            time.sleep(spare)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--history", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    with open(args.endpoints, encoding="utf-8") as file:
        endpoints = json.load(file)
    key = os.environ.get("CHAOS_API_KEY", "")
    t0 = time.monotonic()
    history = History(args.history, t0)
    register_schemas(Client(endpoints, key, history, 0, random.Random(args.seed)), t0 + 60)
    until = t0 + args.seconds
    threads = [threading.Thread(target=worker, daemon=True,
                                args=(Client(endpoints, key, history, n,
                                             random.Random(args.seed * 100 + n)), until))
               for n in range(1, WORKERS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"load: {history.next_id} operation ids used in {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
