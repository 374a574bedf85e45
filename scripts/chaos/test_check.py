#!/usr/bin/env python3
"""Self-test of scripts/chaos/check.py: on a history that passes, a planted loss, a planted
duplicate and a planted invented order (and a few more) must each be caught, naming the
planted operation.

Usage: test_check.py [--recorded DIR]
Without --recorded it uses a small built-in history; with it, the history.jsonl and snapshot/
of a real run (scripts/chaos.sh runs it on its own run after the check, and keeps the run in
.run/chaos/), so the plants land in a real history with real faults.
"""
import argparse
import copy
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check  # noqa: E402

RECORDED = None


def op(op_id, kind, status, body=None, req=None, start=0.0, end=0.1, sent=True):
    return {"id": op_id, "kind": kind, "status": status, "body": body, "req": req or {},
            "start": start, "end": end, "sent": sent, "replica": f"{kind}.a", "error": None}


def order_body(order_id, key, amount="1000.00", btc="0.02623056"):
    return {"id": order_id, "idempotence_key": key, "currency": "EUR", "amount": amount,
            "exchange_rate": "38123.45", "bitcoin_amount": btc,
            "created_at": "2026-12-03T10:00:00.000001Z"}


def built_in():
    """A small history that passes: two orders, a replay, a capped order, a listing walk,
    sequence draws, three events (two of them indeterminate, no answer and 503 unconfirmed, and
    in the stream)."""
    a, b = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b"
    req_a = {"key": "chaos-1", "currency": "EUR", "amount": "1000.00"}
    req_b = {"key": "chaos-2", "currency": "EUR", "amount": "2000.00"}
    body_b = order_body(b, "chaos-2", "2000.00", "0.05246112")
    body_b["created_at"] = "2026-12-03T10:00:01Z"
    history = [
        op(1, "order", 201, order_body(a, "chaos-1"), req_a),
        op(2, "order", 201, body_b, req_b, start=0.2, end=0.3),
        op(3, "replay", 200, order_body(a, "chaos-1"), req_a, start=0.5, end=0.6),
        op(4, "overcap", 409, {"error": {"code": "btc_cap_exceeded", "message": "m"}},
           {"key": "chaos-4", "currency": "EUR", "amount": "999999999.99"}),
        op(5, "list", 200, {"buy_orders": [body_b, order_body(a, "chaos-1")],
                            "last_reference": a, "has_more": False},
           {"walk": 5, "page": 0, "limit": 20, "last_reference": None}),
        op(6, "seq", 200, [1, 2, 3], {"version": 2, "direction": "forward", "count": 3}),
        op(7, "seq", 200, 9223372036854775807, {"version": 1, "direction": "reverse", "count": 1}),
        op(8, "event", 202, {"event_id": "e8", "routing_key": "chaos.Fruits"}, {"op": 8}),
        op(9, "event", None, None, {"op": 9}),
        op(11, "event", 503, {"error": {"code": "unconfirmed", "message": "m"}}, {"op": 11}),
        op(10, "pair_add", 201, {"base": "USD", "quote": "EUR"}, {"base": "USD", "quote": "EUR"}),
    ]
    write = [{"id": a, "key": "chaos-1", "currency": "EUR", "amount": "1000.00",
              "bitcoin_amount": "0.02623056", "created_at": "x"},
             {"id": b, "key": "chaos-2", "currency": "EUR", "amount": "2000.00",
              "bitcoin_amount": "0.05246112", "created_at": "y"}]
    snapshot = {
        "write_orders": write,
        "read_orders": [{k: v for k, v in row.items() if k != "key"} for row in write],
        "cap": [{"cap_btc": "100.00000000", "total_btc": "0.07869168"}],
        "outbox": [{"state": "published", "n": 2}],
        "stream": [{"routing_key": "chaos.Fruits", "message_id": "e8", "body": {"op": 8}},
                   {"routing_key": "chaos.Fruits", "message_id": "e9", "body": {"op": 9}},
                   {"routing_key": "chaos.Fruits", "message_id": "e11", "body": {"op": 11}}],
        "pairs": {"rate-cache.a": [{"base": "USD", "quote": "EUR"}]},
        "panics": [],
    }
    return history, snapshot


def recorded(directory: pathlib.Path):
    return (check.read_history(str(directory / "history.jsonl")),
            check.load_snapshot(directory / "snapshot"))


class CheckerCatchesPlantedFaults(unittest.TestCase):
    def setUp(self) -> None:
        self.history, self.snapshot = recorded(RECORDED) if RECORDED else built_in()
        created = [o for o in self.history if o["kind"] == "order" and o["status"] == 201]
        self.assertTrue(created, "the history has no created order to plant faults on")
        self.created = created[0]

    def failures(self, history, snapshot) -> dict:
        table = check.analyse(history, snapshot, [])
        return {name: ops for name, _, result, ops in table.rows if result == "FAIL"}

    def assert_caught(self, failures: dict, row_start: str, op_id) -> None:
        rows = [name for name in failures if name.startswith(row_start)]
        self.assertTrue(rows, f"no failing row '{row_start}…' in {list(failures)}")
        self.assertIn(op_id, failures[rows[0]])

    def test_the_unplanted_history_passes(self) -> None:
        self.assertEqual(self.failures(self.history, self.snapshot), {})

    def assert_missing_created_order_is_lost(self, table: str) -> None:
        snapshot = copy.deepcopy(self.snapshot)
        order_id = self.created["body"]["id"]
        snapshot[table] = [r for r in snapshot[table] if r["id"] != order_id]
        self.assert_caught(self.failures(self.history, snapshot), "orders lost",
                           self.created["id"])

    def test_a_created_order_missing_from_the_read_model_is_lost(self) -> None:
        self.assert_missing_created_order_is_lost("read_orders")

    def test_a_created_order_missing_from_the_write_model_is_lost(self) -> None:
        self.assert_missing_created_order_is_lost("write_orders")

    def test_a_second_order_for_one_key_is_a_duplicate(self) -> None:
        history = copy.deepcopy(self.history)
        twin = copy.deepcopy(self.created)
        twin["id"] = max(o["id"] for o in history) + 1
        twin["kind"] = "replay"
        twin["body"]["id"] = "ffffffff-ffff-ffff-ffff-ffffffffffff"
        history.append(twin)
        failures = self.failures(history, self.snapshot)
        self.assert_caught(failures, "orders doubled", twin["id"])
        self.assert_caught(failures, "replays that returned another order", twin["id"])

    def test_an_order_nobody_asked_for_is_invented(self) -> None:
        snapshot = copy.deepcopy(self.snapshot)
        row = dict(snapshot["write_orders"][0], id="eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee",
                   key="never-sent")
        snapshot["write_orders"].append(row)
        self.assert_caught(self.failures(self.history, snapshot), "orders invented",
                           f"write:{row['id']}")

    def test_an_order_that_was_refused_but_stored_is_unexpected(self) -> None:
        history = copy.deepcopy(self.history)
        refused = copy.deepcopy(self.created)
        refused["id"] = max(o["id"] for o in history) + 1
        refused["req"] = dict(refused["req"], key="chaos-refused")
        refused["status"], refused["body"] = 409, {"error": {"code": "btc_cap_exceeded"}}
        history.append(refused)
        snapshot = copy.deepcopy(self.snapshot)
        snapshot["write_orders"].append(dict(snapshot["write_orders"][0], key="chaos-refused",
                                             id="dddddddd-dddd-dddd-dddd-dddddddddddd"))
        self.assert_caught(self.failures(history, snapshot), "orders invented", refused["id"])

    def test_a_sequence_number_handed_out_twice_is_caught(self) -> None:
        history = copy.deepcopy(self.history)
        draws = [o for o in history if o["kind"] == "seq" and o["status"] == 200]
        twin = copy.deepcopy(draws[0])
        twin["id"] = max(o["id"] for o in history) + 1
        history.append(twin)
        self.assert_caught(self.failures(history, self.snapshot), "sequence numbers handed out twice",
                           twin["id"])

    def test_an_accepted_event_missing_from_the_stream_is_lost(self) -> None:
        accepted = [o for o in self.history if o["kind"] == "event" and o["status"] == 202]
        snapshot = copy.deepcopy(self.snapshot)
        snapshot["stream"] = [e for e in snapshot["stream"]
                              if e["message_id"] != accepted[0]["body"]["event_id"]]
        self.assert_caught(self.failures(self.history, snapshot), "events answered 202",
                           accepted[0]["id"])

    def test_an_event_refused_outright_but_in_the_stream_is_caught(self) -> None:
        history = copy.deepcopy(self.history)
        event = next(o for o in history if o["kind"] == "event" and o["status"] == 202)
        event["status"] = 503
        event["body"] = {"error": {"code": "broker_unavailable", "message": "m"}}
        self.assert_caught(self.failures(history, self.snapshot),
                           "events in the stream answered other than 202", event["id"])

    def test_a_cap_row_that_disagrees_with_the_orders_fails(self) -> None:
        snapshot = copy.deepcopy(self.snapshot)
        snapshot["cap"] = [{"cap_btc": "100", "total_btc": "0.00000001"}]
        self.assertIn("cap: sum of bitcoin_amount <= 100 and = the cap row",
                      self.failures(self.history, snapshot))


def main() -> None:
    global RECORDED
    parser = argparse.ArgumentParser()
    parser.add_argument("--recorded", type=pathlib.Path)
    args, rest = parser.parse_known_args()
    RECORDED = args.recorded
    unittest.main(argv=[sys.argv[0], *rest], verbosity=1)


if __name__ == "__main__":
    main()
