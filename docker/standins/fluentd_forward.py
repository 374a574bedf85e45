"""Fluentd forward-protocol collector: the stand-in for the fluent/fluentd image.

Accepts the forward protocol (v1) on 0.0.0.0:$FLUENTD_PORT (24224): Message, Forward,
PackedForward and CompressedPackedForward entries, answering {"ack": chunk} when an entry asks
for one. Every record goes to stdout as fluentd's stdout output prints it,
"<time> <tag>: <record as JSON>", after the filter of docker/fluentd/fluent.conf: a `log` field
that holds a JSON object is replaced by that object's fields.
"""

import datetime
import gzip
import json
import os
import signal
import socketserver
import sys

import msgpack


def unpack_time(value):
    # EventTime is msgpack extension 0: seconds and nanoseconds, two big-endian uint32.
    if isinstance(value, msgpack.ExtType) and value.code == 0 and len(value.data) == 8:
        return int.from_bytes(value.data[:4], "big") + int.from_bytes(value.data[4:], "big") / 1e9
    return float(value)


def parse_log_field(record):
    log = record.get("log")
    if isinstance(log, str):
        try:
            parsed = json.loads(log)
        except ValueError:
            return record
        if isinstance(parsed, dict):
            record = {k: v for k, v in record.items() if k != "log"}
            record.update(parsed)
    return record


def emit(tag, time, record):
    stamp = datetime.datetime.fromtimestamp(time, datetime.timezone.utc)
    line = json.dumps(parse_log_field(record), default=str, separators=(",", ":"))
    sys.stdout.write(f"{stamp.strftime('%Y-%m-%d %H:%M:%S.%f000 +0000')} {tag}: {line}\n")


def entries_of(message):
    """(tag, [(time, record)], option) of one forward-protocol message."""
    tag, body = message[0], message[1]
    if isinstance(body, (bytes, bytearray)):
        option = message[2] if len(message) > 2 and isinstance(message[2], dict) else {}
        if option.get("compressed") == "gzip":
            body = gzip.decompress(body)
        stream = msgpack.Unpacker(raw=False, strict_map_key=False)
        stream.feed(body)
        return tag, [(e[0], e[1]) for e in stream], option
    if isinstance(body, list):
        option = message[2] if len(message) > 2 and isinstance(message[2], dict) else {}
        return tag, [(e[0], e[1]) for e in body], option
    option = message[3] if len(message) > 3 and isinstance(message[3], dict) else {}
    return tag, [(body, message[2])], option


class Forward(socketserver.BaseRequestHandler):
    def handle(self):
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            unpacker.feed(data)
            for message in unpacker:
                if not isinstance(message, list) or len(message) < 2:
                    continue  # a heartbeat or garbage: nothing to record
                try:
                    tag, entries, option = entries_of(message)
                    for time, record in entries:
                        if isinstance(record, dict):
                            emit(tag, unpack_time(time), record)
                except (ValueError, TypeError, IndexError, OSError) as error:
                    print(f"fluentd_forward: dropped a malformed message: {error}", file=sys.stderr)
                    continue
                if option.get("chunk"):
                    self.request.sendall(msgpack.packb({"ack": option["chunk"]}))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    # As PID 1 in a container, SIGTERM would otherwise be ignored until the engine's SIGKILL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    port = int(os.environ.get("FLUENTD_PORT", "24224"))
    print(f"fluentd_forward: listening for the forward protocol on 0.0.0.0:{port}", file=sys.stderr)
    with Server(("0.0.0.0", port), Forward) as server:
        server.serve_forever()
