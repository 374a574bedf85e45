"""Drives the Redis cache backend of Django or Flask-Caching against a server, one line of
JSON per call: {"call": name, "ok": bool, "detail": text}. Run by tests/api/cache_backends.rs.

Usage: cache_backends.py django|flask PORT PROTOCOL
"""

import json
import sys
import traceback


def report(name, check):
    try:
        result = check()
        ok, detail = (result, "") if isinstance(result, bool) else result
    except Exception as exc:  # the test wants every failure, named
        ok, detail = False, "".join(traceback.format_exception_only(type(exc), exc)).strip()
    print(json.dumps({"call": name, "ok": bool(ok), "detail": str(detail)}), flush=True)


def raw_ttl(client, key):
    return client.ttl(key)


def django_calls(port, protocol):
    import django
    from django.conf import settings

    settings.configure(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}",
                "OPTIONS": {"protocol": protocol},
            }
        }
    )
    django.setup()
    from django.core.cache import cache

    raw = cache._cache.get_client(write=True)
    key = cache.make_key

    def touch_none():
        cache.set("t2", 1, 100)
        return cache.touch("t2", None) and raw_ttl(raw, key("t2")) == -1

    calls = [
        ("set", lambda: cache.set("a", {"x": 1}, 30) is None and raw_ttl(raw, key("a")) > 0),
        ("get", lambda: (cache.get("a") == {"x": 1} and cache.get("missing", "d") == "d", cache.get("a"))),
        ("add", lambda: cache.add("b", 2) is True and cache.add("b", 3) is False and cache.get("b") == 2),
        ("delete", lambda: cache.delete("b") is True and cache.delete("b") is False),
        ("set_many", lambda: (cache.set_many({"m1": 1, "m2": "two"}, 30) == [], "")),
        ("get_many", lambda: (cache.get_many(["a", "m1", "m2", "nope"]) == {"a": {"x": 1}, "m1": 1, "m2": "two"},
                              cache.get_many(["a", "m1", "m2", "nope"]))),
        ("delete_many", lambda: cache.delete_many(["m1", "m2"]) is None and cache.get("m1") is None),
        ("incr", lambda: cache.set("n", 1) is None and cache.incr("n") == 2 and cache.incr("n", 5) == 7),
        ("decr", lambda: cache.decr("n") == 6 and cache.decr("n", 6) == 0),
        ("has_key", lambda: cache.has_key("a") and not cache.has_key("nope")),
        ("touch", lambda: cache.touch("a", 100) and 95 <= raw_ttl(raw, key("a")) <= 100),
        ("touch_none", touch_none),
        ("clear", lambda: cache.clear() and cache.get("a") is None and not cache.has_key("n")),
    ]
    for name, check in calls:
        report(name, check)


def flask_calls(port, protocol):
    from flask import Flask
    from flask_caching import Cache

    app = Flask(__name__)
    cache = Cache(
        app,
        config={
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_HOST": "127.0.0.1",
            "CACHE_REDIS_PORT": port,
            "CACHE_OPTIONS": {"protocol": protocol},
        },
    )
    with app.app_context():
        backend = cache.cache
        raw = backend._write_client
        calls = [
            ("set", lambda: cache.set("a", {"x": 1}, timeout=30) and raw_ttl(raw, backend.key_prefix + "a") > 0),
            ("get", lambda: (cache.get("a") == {"x": 1} and cache.get("missing") is None, cache.get("a"))),
            ("add", lambda: cache.add("b", 2) and not cache.add("b", 3) and cache.get("b") == 2),
            ("delete", lambda: cache.delete("b") and not cache.has("b")),
            ("set_many", lambda: (sorted(cache.set_many({"m1": 1, "m2": "two"}, timeout=30)) == ["m1", "m2"],
                                  "returns the keys set")),
            ("get_many", lambda: (cache.get_many("a", "m1", "m2", "nope") == [{"x": 1}, 1, "two", None],
                                  cache.get_many("a", "m1", "m2", "nope"))),
            ("delete_many", lambda: (sorted(cache.delete_many("m1", "m2")) == ["m1", "m2"]
                                     and cache.get("m1") is None)),
            ("incr", lambda: cache.set("n", 1) and backend.inc("n") == 2 and backend.inc("n", 5) == 7),
            ("decr", lambda: backend.dec("n") == 6 and backend.dec("n", 6) == 0),
            ("has_key", lambda: cache.has("a") and not cache.has("nope")),
            ("clear", lambda: cache.clear() and cache.get("a") is None and not cache.has("n")),
        ]
        for name, check in calls:
            report(name, check)


if __name__ == "__main__":
    framework, port, protocol = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    {"django": django_calls, "flask": flask_calls}[framework](port, protocol)
