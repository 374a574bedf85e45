"""Sends lines to a Fluentd forward input as Docker's fluentd logging driver does.

podman 4.3 has no fluentd log driver, so scripts/container_test.sh ships each container's log
with this instead: every line read from stdin becomes one record
{"log": line, "container_name": NAME, "source": "stdout"} tagged TAG, the driver's record
shape. The last record asks for an ack, and the script fails unless the collector gives it, so a
zero exit means every record was accepted.
Usage: python3 docker/forward_logs.py TAG NAME [HOST:PORT] < lines   (needs msgpack)
"""

import socket
import sys
import time
import uuid

import msgpack


def main():
    tag, name = sys.argv[1], sys.argv[2]
    host, _, port = (sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1:24224").rpartition(":")
    lines = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    chunk = uuid.uuid4().hex
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        for i, line in enumerate(lines):
            record = {"log": line, "container_name": name, "source": "stdout"}
            option = {"chunk": chunk} if i == len(lines) - 1 else {}
            conn.sendall(msgpack.packb([tag, int(time.time()), record, option]))
        if lines:
            unpacker = msgpack.Unpacker(raw=False)
            while True:
                data = conn.recv(4096)
                if not data:
                    sys.exit(f"forward_logs: {host}:{port} closed without acking {tag}")
                unpacker.feed(data)
                for answer in unpacker:
                    if isinstance(answer, dict) and answer.get("ack") == chunk:
                        print(f"forward_logs: {len(lines)} record(s) for {tag} acked")
                        return


if __name__ == "__main__":
    main()
