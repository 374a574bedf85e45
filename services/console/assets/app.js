// The console's page: one tab per part of the platform. Every call goes to the console's own
// /api/... routes (the console holds the services' key); every error shows the service's own
// envelope message. Text from the services is only ever set as textContent.
"use strict";

const $ = (id) => document.getElementById(id);

// An error from an /api call, carrying the envelope's code, message and details.
class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `the console answered HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_" + status;
    this.details = error.details || [];
    this.field = error.field;
  }
}

// Calls the console; resolves with {status, body (parsed JSON or text), text}.
async function api(method, path, body, headers) {
  const init = { method, headers: Object.assign({}, headers || {}) };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { error: { code: "console_unreachable", message: "the console does not answer: " + e.message } });
  }
  const text = await response.text();
  let parsed = text;
  if ((response.headers.get("content-type") || "").includes("json")) {
    try { parsed = JSON.parse(text); } catch (_) { parsed = text; }
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return { status: response.status, body: parsed, text, headers: response.headers };
}

function clear(element) { while (element.firstChild) element.removeChild(element.firstChild); }

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

// Shows `error` (an ApiError) in the box `id`, with every detail as a list item.
function showError(id, error) {
  const box = $(id);
  clear(box);
  const line = document.createElement("div");
  line.textContent = error.message + (error.code ? ` (${error.code})` : "");
  box.appendChild(line);
  if (error.details && error.details.length) {
    const list = document.createElement("ul");
    for (const detail of error.details) {
      const item = document.createElement("li");
      item.textContent = `${detail.instance_path || "(root)"}: ${detail.message}`;
      list.appendChild(item);
    }
    box.appendChild(list);
  }
  box.hidden = false;
}
function hideError(id) { $(id).hidden = true; }

function show(id, text) { const el = $(id); el.textContent = text; el.hidden = false; }

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- pages and their timers
const pages = {};
let timer = null;
function showPage(name) {
  if (!pages[name]) name = "orders";
  for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== "page-" + name;
  for (const link of document.querySelectorAll("#nav a")) link.classList.toggle("active", link.dataset.page === name);
  if (timer) clearInterval(timer);
  timer = null;
  const page = pages[name];
  page.show();
  if (page.every) timer = setInterval(page.show, page.every);
}
window.addEventListener("hashchange", () => showPage(location.hash.slice(1)));

// ---- orders
let lastReference = null;
function orderRow(order, fresh) {
  const row = document.createElement("tr");
  row.dataset.id = order.id;
  if (fresh) row.className = "new";
  cell(row, new Date(order.created_at).toLocaleString());
  cell(row, order.id, "id");
  cell(row, `${order.amount} ${order.currency}`);
  cell(row, order.exchange_rate);
  cell(row, order.bitcoin_amount);
  return row;
}
async function loadOrders(after) {
  const body = $("orders-table").tBodies[0];
  const limit = encodeURIComponent($("orders-limit").value);
  const query = `?limit=${limit}` + (after ? `&last_reference=${encodeURIComponent(after)}` : "");
  try {
    const { body: page } = await api("GET", "/api/orders" + query);
    hideError("orders-error");
    if (!after) clear(body);
    for (const order of page.buy_orders) body.appendChild(orderRow(order, false));
    lastReference = page.last_reference;
    $("orders-more").disabled = !page.has_more;
  } catch (e) { showError("orders-error", e); }
}
async function loadCap() {
  try {
    const { body: cap } = await api("GET", "/api/cap");
    const used = Number(cap.used_btc), all = Number(cap.cap_btc);
    $("cap-bar").style.width = `${Math.min(100, (100 * used) / all)}%`;
    $("cap-text").textContent = `${cap.used_btc} BTC used of ${cap.cap_btc}; ${cap.remaining_btc} BTC left`;
  } catch (e) { $("cap-text").textContent = e.message; }
}
let ordersSource = null;
function watchOrders() {
  if (ordersSource) return;
  ordersSource = new EventSource("/api/live/orders");
  ordersSource.onopen = () => { $("orders-live").textContent = "live: on"; $("orders-live").classList.add("on"); };
  ordersSource.onerror = () => { $("orders-live").textContent = "live: reconnecting"; $("orders-live").classList.remove("on"); };
  ordersSource.addEventListener("order", (message) => {
    const order = JSON.parse(message.data);
    const body = $("orders-table").tBodies[0];
    if (!body.querySelector(`tr[data-id="${CSS.escape(order.id)}"]`)) body.insertBefore(orderRow(order, true), body.firstChild);
    loadCap();
  });
}
pages.orders = { show() { loadCap(); watchOrders(); } };
$("order-key").value = newKey();
$("order-new-key").onclick = () => { $("order-key").value = newKey(); };
$("order-form").onsubmit = async (event) => {
  event.preventDefault();
  hideError("order-error");
  $("order-result").hidden = true;
  try {
    const { status, body, headers } = await api("PUT", "/api/orders",
      { currency: $("order-currency").value, amount: $("order-amount").value },
      { "Idempotency-Key": $("order-key").value });
    const replay = headers.get("idempotent-replayed") ? " (replayed: same key, same order)" : "";
    show("order-result", `HTTP ${status}${replay}\n${JSON.stringify(body, null, 2)}`);
    loadCap();
  } catch (e) { showError("order-error", e); }
};
$("orders-first").onclick = () => loadOrders(null);
$("orders-limit").onchange = () => loadOrders(null);
$("orders-more").onclick = () => loadOrders(lastReference);

// ---- prices
pages.prices = {
  every: 2000,
  async show() {
    try {
      const { body } = await api("GET", "/api/prices");
      hideError("prices-error");
      const tbody = $("prices-table").tBodies[0];
      clear(tbody);
      for (const price of body.prices || body) {
        const row = document.createElement("tr");
        cell(row, price.currency);
        cell(row, price.rate);
        cell(row, price.source);
        cell(row, new Date(price.fetched_at).toLocaleTimeString());
        cell(row, price.stale ? "stale" : "fresh", price.stale ? "stale" : "ok");
        tbody.appendChild(row);
      }
    } catch (e) { showError("prices-error", e); }
  },
};
$("prices-refresh").onclick = () => pages.prices.show();

// ---- rates
function isoDay(date) { return date.toISOString().slice(0, 10); }
async function drawPair(pair, container) {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  const chart = container.querySelector(".chart");
  const note = container.querySelector(".note");
  try {
    const { body } = await api("GET", `/api/rates/${pair.base}/${pair.quote}/daily?from=${isoDay(from)}&to=${isoDay(to)}`);
    const days = body.days || [];
    clear(chart);
    note.textContent = days.length ? `${days.length} day(s) with samples, last 30 days` : "no samples yet in the last 30 days";
    if (!days.length) return;
    const xs = days.map((d) => Date.parse(d.date + "T12:00:00Z") / 1000);
    const series = ["average", "min", "max"].map((k) => days.map((d) => Number(d[k])));
    const width = Math.max(320, Math.min(1000, container.clientWidth - 20));
    // The whole window on x, whatever days have samples; y a little wider than min..max.
    const low = Math.min(...series[1]), high = Math.max(...series[2]);
    const pad = (high - low) * 0.1 || Math.abs(high) * 0.01 || 1;
    new uPlot({
      width, height: 220,
      scales: {
        x: { time: true, range: [Date.parse(isoDay(from) + "T00:00:00Z") / 1000, Date.parse(isoDay(to) + "T23:59:59Z") / 1000] },
        y: { range: [low - pad, high + pad] },
      },
      series: [
        {},
        { label: "average", stroke: "#f7931a", width: 2, points: { show: true } },
        { label: "min", stroke: "#2563eb", dash: [4, 4], points: { show: true } },
        { label: "max", stroke: "#b42318", dash: [4, 4], points: { show: true } },
      ],
      axes: [{}, { size: 70 }],
    }, [xs, ...series], chart);
  } catch (e) { note.textContent = e.message; }
}
pages.rates = {
  async show() {
    const list = $("pairs");
    try {
      const { body } = await api("GET", "/api/pairs");
      hideError("pair-error");
      clear(list);
      for (const pair of body.pairs || body) {
        const card = document.createElement("div");
        card.className = "card pair";
        card.dataset.pair = `${pair.base}/${pair.quote}`;
        const head = document.createElement("header");
        const title = document.createElement("h3");
        title.textContent = `${pair.base}/${pair.quote}`;
        const latest = document.createElement("span");
        latest.className = "muted";
        latest.textContent = pair.latest_rate ? `latest ${pair.latest_rate} at ${new Date(pair.latest_observed_at).toLocaleTimeString()}` : "no rate yet";
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "Remove";
        remove.onclick = async () => {
          try { await api("DELETE", `/api/pairs/${pair.base}/${pair.quote}`); pages.rates.show(); }
          catch (e) { showError("pair-error", e); }
        };
        head.append(title, latest, remove);
        const chart = document.createElement("div");
        chart.className = "chart";
        const note = document.createElement("p");
        note.className = "muted note";
        card.append(head, chart, note);
        list.appendChild(card);
        drawPair(pair, card);
      }
    } catch (e) { showError("pair-error", e); }
  },
};
$("pair-form").onsubmit = async (event) => {
  event.preventDefault();
  hideError("pair-error");
  try {
    await api("POST", "/api/pairs", { base: $("pair-base").value.trim().toUpperCase(), quote: $("pair-quote").value.trim().toUpperCase() });
    pages.rates.show();
  } catch (e) { showError("pair-error", e); }
};

// ---- events
const client = () => encodeURIComponent($("event-client").value.trim());
const eventName = () => encodeURIComponent($("event-name").value.trim());
$("schema-form").onsubmit = async (event) => {
  event.preventDefault();
  hideError("schema-error");
  $("schema-result").hidden = true;
  try {
    const { status, body } = await api("POST", `/api/events/${client()}/${eventName()}/register`, $("schema-body").value);
    show("schema-result", `HTTP ${status}: version ${body.version}${status === 200 ? " (the same schema again: no new version)" : ""}`);
  } catch (e) { showError("schema-error", e); }
};
$("send-form").onsubmit = async (event) => {
  event.preventDefault();
  hideError("event-error");
  $("event-result").hidden = true;
  try {
    const { status, body } = await api("POST", `/api/events/${client()}/${eventName()}/send`, $("event-body").value);
    show("event-result", `HTTP ${status}: accepted as ${body.event_id} (${body.routing_key})`);
  } catch (e) { showError("event-error", e); }
};
let eventsSource = null;
$("events-watch").onclick = () => {
  if (eventsSource) eventsSource.close();
  hideError("events-stream-error");
  clear($("events-list"));
  const live = $("events-live");
  eventsSource = new EventSource(`/api/live/events/${client()}`);
  eventsSource.onopen = () => { live.textContent = `live: ${decodeURIComponent(client())}`; live.classList.add("on"); };
  eventsSource.onerror = async () => {
    live.textContent = "live: off";
    live.classList.remove("on");
    // EventSource hides the answer: ask once more to show why (the envelope's message).
    eventsSource.close();
    eventsSource = null;
    try {
      const response = await fetch(`/api/live/events/${client()}`);
      if (!response.ok) showError("events-stream-error", new ApiError(response.status, await response.json()));
      else { response.body && response.body.cancel(); showError("events-stream-error", new Error("the stream was interrupted; press Watch again")); }
    } catch (e) { showError("events-stream-error", e); }
  };
  eventsSource.addEventListener("event", (message) => {
    const data = JSON.parse(message.data);
    const item = document.createElement("li");
    item.textContent = `${data.routing_key} v${data.schema_version} ${JSON.stringify(data.event)}`;
    $("events-list").insertBefore(item, $("events-list").firstChild);
  });
};
pages.events = { show() {} };

// ---- sequence
$("sequence-form").onsubmit = async (event) => {
  event.preventDefault();
  hideError("sequence-error");
  const list = $("sequence-numbers");
  clear(list);
  try {
    const { text } = await api("GET", `/api/sequence/${$("sequence-direction").value}?count=${encodeURIComponent($("sequence-count").value)}`);
    // The numbers as the service wrote them: JSON.parse would round those above 2^53.
    for (const number of text.match(/-?\d+/g) || []) {
      const item = document.createElement("li");
      item.textContent = number;
      list.appendChild(item);
    }
  } catch (e) { showError("sequence-error", e); }
};
pages.sequence = { show() {} };

// ---- cache
async function cacheInfo() {
  try {
    const { body } = await api("GET", "/api/cache/info");
    hideError("cache-info-error");
    const tbody = $("cache-info").tBodies[0];
    clear(tbody);
    for (const [name, value] of Object.entries(body)) {
      const row = document.createElement("tr");
      row.dataset.name = name;
      cell(row, name.replace(/_/g, " "));
      cell(row, value);
      tbody.appendChild(row);
    }
  } catch (e) { showError("cache-info-error", e); }
}
async function cacheCall(method, withBody) {
  hideError("cache-error");
  $("cache-result").hidden = true;
  const key = $("cache-key").value;
  try {
    const { status, body } = withBody
      ? await api("POST", "/api/cache", { [key]: $("cache-value").value })
      : await api(method, `/api/cache?key=${encodeURIComponent(key)}`);
    show("cache-result", `HTTP ${status}\n${typeof body === "string" ? body : JSON.stringify(body, null, 2)}`);
  } catch (e) { showError("cache-error", e); }
  cacheInfo();
}
$("cache-form").onsubmit = (event) => { event.preventDefault(); cacheCall("POST", true); };
$("cache-get").onclick = () => cacheCall("GET", false);
$("cache-delete").onclick = () => cacheCall("DELETE", false);
pages.cache = { every: 5000, show: cacheInfo };

// ---- health
pages.health = {
  every: 2000,
  async show() {
    try {
      const { body } = await api("GET", "/api/health");
      hideError("health-error");
      const tbody = $("health-table").tBodies[0];
      clear(tbody);
      for (const service of body.services) {
        const row = document.createElement("tr");
        row.dataset.service = service.name;
        row.dataset.ready = String(service.ready);
        cell(row, service.name);
        cell(row, service.ready ? "ready" : "not ready", service.ready ? "ok" : "bad");
        cell(row, service.reason || "");
        tbody.appendChild(row);
      }
    } catch (e) { showError("health-error", e); }
  },
};

loadOrders(null);
showPage(location.hash.slice(1));
