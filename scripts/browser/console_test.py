"""Browser tests of the console in headless Chromium, against a running ./run.sh.

Run by scripts/browser_test.sh (which installs Playwright and finds Debian's chromium). Each
check drives the page as a person would and waits for what should appear (Playwright's
expect polls with a deadline). Screenshots of every page go to .run/screenshots/.

Also checked for the whole session: the page loads nothing from another host, and the API key
the console holds reaches no response the browser sees.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import sys
import time
import uuid

from playwright.sync_api import Page, Response, expect, sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONSOLE = os.environ.get("CONSOLE_URL", "http://127.0.0.1:8786")
SHOTS = ROOT / ".run" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
KEY_FILE = ROOT / ".run" / "api_key"
TIMEOUT_MS = 30_000

expect.set_options(timeout=TIMEOUT_MS)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_tab(page: Page, name: str) -> None:
    page.goto(f"{CONSOLE}/#{name}")
    expect(page.locator(f"#page-{name}")).to_be_visible()


def place_an_order_and_see_it_listed(page: Page) -> None:
    open_tab(page, "orders")
    expect(page.locator("#cap-text")).to_contain_text("BTC left")
    # A bad amount: the service's own envelope message, not a blank page.
    page.fill("#order-amount", "12.345")
    page.click("#order-submit")
    expect(page.locator("#order-error")).to_contain_text("amount")
    page.click("#order-new-key")
    page.fill("#order-amount", "12.34")
    page.click("#order-submit")
    expect(page.locator("#order-result")).to_contain_text("HTTP 201")
    order = json.loads(page.locator("#order-result").inner_text().split("\n", 1)[1])
    # It arrives live (the console's own queue on buy_orders) ...
    expect(page.locator(f'#orders-table tr[data-id="{order["id"]}"]')).to_be_visible()
    # The same key again: the same order, replayed.
    page.click("#order-submit")
    expect(page.locator("#order-result")).to_contain_text("replayed")
    expect(page.locator("#order-result")).to_contain_text(order["id"])
    shot(page, "orders")
    # ... and it is in the listing read from the read model.
    page.reload()
    expect(page.locator(f'#orders-table tr[data-id="{order["id"]}"]')).to_be_visible()
    # Paging with last_reference: one a page, then the next one older.
    rows = page.locator("#orders-table tbody tr")
    page.select_option("#orders-limit", "1")
    expect(rows).to_have_count(1)
    newest = rows.first.get_attribute("data-id")
    expect(page.locator("#orders-more")).to_be_enabled()
    page.click("#orders-more")
    expect(rows).to_have_count(2)
    older = rows.nth(1).get_attribute("data-id")
    assert newest != older, (newest, older)


def see_the_three_prices(page: Page) -> None:
    open_tab(page, "prices")
    rows = page.locator("#prices-table tbody tr")
    expect(rows).to_have_count(3)
    for currency in ["EUR", "GBP", "USD"]:
        expect(page.locator("#prices-table")).to_contain_text(currency)
    expect(page.locator("#prices-table")).to_contain_text("fresh")
    shot(page, "prices")


def add_a_pair_and_see_its_chart(page: Page) -> None:
    open_tab(page, "rates")
    page.fill("#pair-base", "EUR")
    page.fill("#pair-quote", "GBP")
    page.click("#pair-add")
    card = page.locator('.pair[data-pair="EUR/GBP"]')
    expect(card).to_be_visible()
    # The first sample comes with the next update tick: look again until the chart is drawn.
    deadline = time.monotonic() + 60
    while card.locator("canvas").count() == 0:
        if time.monotonic() > deadline:
            raise AssertionError("no chart for EUR/GBP within 60 s: " + card.inner_text())
        time.sleep(1)
        page.reload()
    expect(card.locator("canvas").first).to_be_visible()
    expect(card).to_contain_text("latest")
    # An invalid pair: the service's message.
    page.fill("#pair-base", "EUR")
    page.fill("#pair-quote", "EUR")
    page.click("#pair-add")
    expect(page.locator("#pair-error")).to_be_visible()
    shot(page, "rates")


def register_a_schema_send_events_and_watch_them_arrive(page: Page) -> None:
    open_tab(page, "events")
    client = "browser-" + uuid.uuid4().hex[:8]
    page.fill("#event-client", client)
    page.fill("#event-name", "Fruits")
    # An invalid schema: every reason listed inline.
    page.fill("#schema-body", '{"type": "nope"}')
    page.click("#schema-register")
    expect(page.locator("#schema-error")).to_contain_text("invalid_schema")
    expect(page.locator("#schema-error li").first).to_be_visible()
    page.fill(
        "#schema-body",
        '{"type": "object", "properties": {"fruit": {"type": "string"}}, "required": ["fruit"]}',
    )
    page.click("#schema-register")
    expect(page.locator("#schema-result")).to_contain_text("version 1")
    page.click("#events-watch")
    expect(page.locator("#events-live")).to_contain_text(client)
    page.fill("#event-body", '{"fruit": 42}')
    page.click("#event-send")
    expect(page.locator("#event-error")).to_contain_text("invalid_event")
    expect(page.locator("#event-error li")).to_contain_text("/fruit")
    page.fill("#event-body", '{"fruit": "apple"}')
    page.click("#event-send")
    expect(page.locator("#event-result")).to_contain_text("accepted")
    expect(page.locator("#events-list li").first).to_contain_text("apple")
    expect(page.locator("#events-list li")).to_have_count(1)
    shot(page, "events")


def draw_sequence_numbers_as_exact_text(page: Page) -> None:
    open_tab(page, "sequence")
    page.select_option("#sequence-direction", "reverse")
    page.fill("#sequence-count", "3")
    page.click("#sequence-draw")
    items = page.locator("#sequence-numbers li")
    expect(items).to_have_count(3)
    numbers = [int(text) for text in items.all_inner_texts()]
    assert all(n > 2**53 for n in numbers), numbers
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == 3, numbers
    page.fill("#sequence-count", "0")
    page.click("#sequence-draw")
    expect(page.locator("#sequence-error")).to_contain_text("count")
    page.select_option("#sequence-direction", "forward")
    page.fill("#sequence-count", "5")
    page.click("#sequence-draw")
    expect(items).to_have_count(5)
    shot(page, "sequence")


def set_and_get_a_cache_key(page: Page) -> None:
    open_tab(page, "cache")
    key, value = "browser-" + uuid.uuid4().hex[:8], "hello from chromium"
    page.fill("#cache-key", key)
    page.fill("#cache-value", value)
    page.click("#cache-set")
    expect(page.locator("#cache-result")).to_contain_text("HTTP 201")
    page.click("#cache-get")
    expect(page.locator("#cache-result")).to_contain_text(value)
    expect(page.locator('#cache-info tr[data-name="hits"]')).to_be_visible()
    hits = int(page.locator('#cache-info tr[data-name="hits"] td').nth(1).inner_text())
    assert hits >= 1, hits
    page.click("#cache-delete")
    page.click("#cache-get")
    expect(page.locator("#cache-error")).to_be_visible()
    shot(page, "cache")


def see_a_stopped_service_turn_unhealthy(page: Page) -> None:
    open_tab(page, "health")
    rows = page.locator("#health-table tbody tr")
    expect(rows).to_have_count(8)
    expect(page.locator('#health-table tr[data-ready="false"]')).to_have_count(0)
    shot(page, "health")
    # Stop sequence without ending it (./run.sh would stop everything if it exited): it hangs,
    # as a service behind a dead link does, and its health check times out.
    pid = int((ROOT / ".run" / "pids" / "sequence.pid").read_text())
    os.kill(pid, signal.SIGSTOP)
    try:
        row = page.locator('#health-table tr[data-service="sequence"]')
        expect(row).to_have_attribute("data-ready", "false")
        expect(row).to_contain_text("did not answer in time")
        shot(page, "health-sequence-stopped")
    finally:
        os.kill(pid, signal.SIGCONT)
    expect(page.locator('#health-table tr[data-service="sequence"]')).to_have_attribute(
        "data-ready", "true"
    )


# Every HTTP service ./run.sh keeps running (migration runs once and exits).
HTTP_PORTS = [8777, 8778, 8779, 8780, 8782, 8783, 8784, 8785, 8786]


def docs_are_served_by_every_service(page: Page) -> None:
    for port in HTTP_PORTS:
        base = f"http://127.0.0.1:{port}"
        for path in ["/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/openapi.json"]:
            response = page.request.get(base + path)
            assert response.status == 200, f"{base}{path}: {response.status}"
    page.goto("http://127.0.0.1:8783/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("sequence")
    expect(page.locator(".opblock").first).to_be_visible()
    shot(page, "docs-sequence")


CHECKS = [
    place_an_order_and_see_it_listed,
    see_the_three_prices,
    add_a_pair_and_see_its_chart,
    register_a_schema_send_events_and_watch_them_arrive,
    draw_sequence_numbers_as_exact_text,
    set_and_get_a_cache_key,
    see_a_stopped_service_turn_unhealthy,
    docs_are_served_by_every_service,
]


def main() -> int:
    key = KEY_FILE.read_text().strip() if KEY_FILE.exists() else os.environ.get("API_KEY", "")
    foreign: list[str] = []
    leaks: list[str] = []
    failed: list[str] = []

    def on_response(response: Response) -> None:
        if not key:
            return
        headers = json.dumps(response.headers)
        try:
            body = response.body() if "event-stream" not in headers else b""
        except Exception:  # a body the browser dropped (a redirect, an aborted stream)
            body = b""
        if key in headers or key.encode() in body:
            leaks.append(response.url)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: foreign.append(r.url) if not re.match(r"https?://127\.0\.0\.1:\d+/", r.url) else None)
        page.on("response", on_response)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for check in CHECKS:
            started = time.monotonic()
            try:
                check(page)
                print(f"browser: PASS {check.__name__} ({time.monotonic() - started:.1f} s)")
            except Exception as error:  # report every check, then fail
                failed.append(check.__name__)
                print(f"browser: FAIL {check.__name__}: {error}", file=sys.stderr)
                shot(page, f"failed-{check.__name__}")
        browser.close()
    if foreign:
        failed.append("requests to other hosts: " + ", ".join(sorted(set(foreign))))
    if leaks:
        failed.append("the API key reached the browser in: " + ", ".join(leaks))
    if errors:
        failed.append("script errors on the page: " + "; ".join(errors))
    for failure in failed:
        print(f"browser: FAILED {failure}", file=sys.stderr)
    print(f"browser: screenshots in {SHOTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
