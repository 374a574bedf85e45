#!/usr/bin/env python3
"""The fault schedule of one chaos run, drawn from the seed (scripts/chaos.sh prints and runs it).

Usage: schedule.py SEED SECONDS

One fault a line: `AT KIND TARGET DURATION` (seconds from the start of the load; TARGET is `-`
when the kind has none). Kinds:
  kill SERVICE.REPLICA D      kill -9, restarted D seconds later
  pause SERVICE.REPLICA D     SIGSTOP, SIGCONT D seconds later (longer than the deadlines)
  postgres - D                pg_ctl stop -m immediate, started again D seconds later
  rabbitmq - D                the node killed (kill -9), started again D seconds later
  blackhole LINK D            the link drops every byte for D seconds (test-support proxy)
Faults run one after another; the first five are the five kinds in an order drawn from the
seed, so even the short profile injects each kind once. None starts in the last 20 s, so every
fault is over and recovered from before the load stops.
"""
import random
import sys

SERVICES = ["create-buy-order", "btc-price", "read-model-sync", "fetch-buy-orders", "sequence",
            "event-gateway", "rate-cache"]
# Links through the proxy: every replica a reaches PostgreSQL and RabbitMQ through `pg` and
# `mq`, and create-buy-order.a reaches btc-price.a through `price`.
LINKS = ["pg", "mq", "price"]
KINDS = ["kill", "pause", "postgres", "rabbitmq", "blackhole"]
# Longer than every deadline the services run with in chaos.sh (REQUEST_TIMEOUT_MS and
# DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS 5000) and shorter than the clients' 12 s timeout.
PAUSE_SECONDS = (6, 9)


def fault(rng: random.Random, kind: str) -> tuple[str, str, int]:
    replica = f"{rng.choice(SERVICES)}.{rng.choice('ab')}"
    if kind == "kill":
        return kind, replica, rng.randint(1, 5)
    if kind == "pause":
        return kind, replica, rng.randint(*PAUSE_SECONDS)
    if kind in ("postgres", "rabbitmq"):
        return kind, "-", rng.randint(2, 6)
    return kind, rng.choice(LINKS), rng.randint(5, 10)


def schedule(seed: int, seconds: float) -> list[tuple[int, str, str, int]]:
    rng = random.Random(seed)
    kinds = KINDS[:]
    rng.shuffle(kinds)
    faults = []
    at = rng.randint(8, 12)
    while at + 20 <= seconds:
        kind = kinds.pop(0) if kinds else rng.choice(KINDS)
        kind, target, duration = fault(rng, kind)
        faults.append((at, kind, target, duration))
        # Room to recover: restarts take a few seconds (RabbitMQ's up to ten).
        at += duration + rng.randint(8, 14) + (8 if kind == "rabbitmq" else 0)
    return faults


def main() -> None:
    seed, seconds = int(sys.argv[1]), float(sys.argv[2])
    for at, kind, target, duration in schedule(seed, seconds):
        print(at, kind, target, duration)


if __name__ == "__main__":
    main()
