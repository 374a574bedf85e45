#!/usr/bin/env python3
"""A local stand-in for the third-party price APIs, serving the recorded real responses the tests
use, so ./run.sh and the end-to-end test work with no internet:

  GET /v2/exchange-rates?currency=BTC    Coinbase (btc-price fixture)
  GET /v2/exchange-rates?currency=<CUR>  Coinbase (rate-cache fixture for USD or EUR)
  GET /0/public/Ticker?pair=XBT<CUR>     Kraken
  GET /eurofxref-daily.xml               ECB daily reference rates

Usage: scripts/upstream_mock.py [PORT]   (default 9000; 0 picks a free port, printed on stdout;
MOCK_HOST is the address to bind, default 127.0.0.1). With MOCK_MOVE=1 (./run.sh --offline sets
it) every price and rate moves a little over time (within 0.5%, a five-minute wave), so a person
sees prices change and the rate charts get a min and a max; without it they are the recordings'
exact values, as the end-to-end test expects.
"""
import decimal
import http.server
import math
import os
import pathlib
import re
import sys
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = {
    "btc-price": ROOT / "services/btc-price/tests/fixtures",
    "rate-cache": ROOT / "services/rate-cache/tests/fixtures",
}


MOVE = os.environ.get("MOCK_MOVE") == "1"
# A quoted decimal (JSON rates) or an XML attribute rate='1.0843'.
NUMBER = re.compile(rb"(\"|rate=')(\d+\.\d+)(\"|')")


def moved(body: bytes) -> bytes:
    """Every decimal in `body` times one factor of now, with its own number of places."""
    factor = decimal.Decimal(1 + 0.005 * math.sin(2 * math.pi * time.time() / 300))

    def scale(match: re.Match) -> bytes:
        value = decimal.Decimal(match.group(2).decode())
        places = decimal.Decimal(1).scaleb(value.as_tuple().exponent)
        return match.group(1) + str((value * factor).quantize(places)).encode() + match.group(3)

    return NUMBER.sub(scale, body)


def fixture(service: str, name: str) -> bytes:
    body = (FIXTURES[service] / name).read_bytes()
    return moved(body) if MOVE else body


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        try:
            if url.path == "/v2/exchange-rates":
                currency = query.get("currency", ["BTC"])[0].upper()
                if currency == "BTC":
                    body = fixture("btc-price", "coinbase_exchange_rates.json")
                else:
                    body = fixture("rate-cache", f"coinbase_exchange_rates_{currency.lower()}.json")
                self.reply(200, "application/json", body)
            elif url.path == "/0/public/Ticker":
                self.reply(200, "application/json", fixture("btc-price", "kraken_ticker.json"))
            elif url.path.endswith("eurofxref-daily.xml"):
                self.reply(200, "text/xml", fixture("rate-cache", "eurofxref-daily.xml"))
            else:
                self.reply(404, "application/json", b'{"errors":[{"id":"not_found"}]}')
        except FileNotFoundError:
            self.reply(404, "application/json", b'{"errors":[{"id":"not_found","message":"no recording"}]}')

    def reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        sys.stderr.write("upstream-mock: " + (format % args) + "\n")


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    host = os.environ.get("MOCK_HOST", "127.0.0.1")  # 0.0.0.0 in its container
    server = http.server.ThreadingHTTPServer((host, port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
