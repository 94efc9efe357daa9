// Manager dashboard: plain JS, charts drawn as inline SVG by the small helpers below (no library, no CDN).
// Signs in with a manager token (sessionStorage), fetches GET /api/v1/dashboard for the chosen range and
// refetches (debounced) whenever the events WebSocket says something happened.
"use strict";

const TOKEN_KEY = "lobby.dashboard.token";
const REFRESH_DEBOUNCE_MS = 600;
const SVG_NS = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);
// from/to: the range asked for (null: today, following the date); shown: the range on screen.
const state = { token: sessionStorage.getItem(TOKEN_KEY), from: null, to: null, shown: null, timer: null, socket: null };

// -- formatting ------------------------------------------------------------------------------

// As the API rounds them (minutes to 0.01, shares to 0.0001), without trailing zeros: 8.2 min, 14.3%.
const trim = (value, digits) => String(Number(value.toFixed(digits)));
const missing = (value) => value === null || value === undefined;
const minutes = (value) => (missing(value) ? "—" : `${trim(value, 2)} min`);
const percent = (value) => (missing(value) ? "—" : `${trim(value * 100, 1)}%`);
const score = (value) => (missing(value) ? "—" : `${trim(value, 2)} / 5`);
// A live wait can be long (a ticket left over from another day): hours and days read better then.
const duration = (value) => {
  if (missing(value) || value < 120) return minutes(value);
  if (value < 48 * 60) return `${Math.floor(value / 60)} h ${Math.round(value % 60)} min`;
  return `${Math.floor(value / 1440)} days`;
};
const clock = (iso) => (iso ? iso.slice(11, 16) : "");
const dayAndTime = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : "—");

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fillTable(id, rows, columns, rowClass) {
  const body = $(id);
  body.replaceChildren();
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = cell("Nothing in this range.", "muted");
    td.colSpan = columns.length;
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const row of rows) {
    const tr = document.createElement("tr");
    if (rowClass) tr.className = rowClass(row);
    tr.dataset.id = row.id || row.service || row.intent || "";
    tr.append(...columns.map((column) => cell(column(row))));
    body.append(tr);
  }
}

// -- SVG charts ------------------------------------------------------------------------------

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function chartFrame(container, width, height, label) {
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  root.append(svg("title", {}, label));
  container.replaceChildren(root);
  return root;
}

// An axis from 0 in at most 5 steps of 1, 2 or 5 times a power of ten.
function niceScale(value) {
  const rough = Math.max(value, 1) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough);
  return { max: Math.max(step, Math.ceil(value / step) * step), step };
}

function empty(container, text) {
  const p = document.createElement("p");
  p.className = "empty";
  p.textContent = text;
  container.replaceChildren(p);
}

function drawHourly(buckets) {
  const container = $("chart-hourly");
  if (!buckets.length) return empty(container, "No tickets in this range.");
  const width = 560, height = 190, left = 30, right = 8, top = 8, bottom = 24;
  const { max, step } = niceScale(Math.max(...buckets.map((b) => Math.max(b.issued, b.waiting_at_end))));
  const daily = buckets.length > 1 && Date.parse(buckets[0].end) - Date.parse(buckets[0].start) > 3600_000 * 2;
  const label = buckets.map((b) => `${daily ? b.start.slice(0, 10) : clock(b.start)}: ${b.issued} issued, ${b.waiting_at_end} waiting`);
  const root = chartFrame(container, width, height, `Tickets per ${daily ? "day" : "hour"}. ${label.join("; ")}`);
  const plotW = width - left - right, plotH = height - top - bottom;
  const band = plotW / buckets.length;
  const y = (value) => top + plotH - (value / max) * plotH;
  for (let value = 0; value <= max; value += step) {
    root.append(svg("line", { class: "grid", x1: left, x2: width - right, y1: y(value), y2: y(value) }));
    root.append(svg("text", { x: left - 4, y: y(value) + 4, "text-anchor": "end" }, String(Math.round(value))));
  }
  const every = Math.ceil(buckets.length / 12);
  const points = [];
  buckets.forEach((bucket, index) => {
    const x = left + index * band;
    const barH = (bucket.issued / max) * plotH;
    root.append(svg("rect", { class: "bar-issued", x: x + band * 0.15, width: band * 0.7, y: y(bucket.issued), height: barH }));
    points.push(`${x + band / 2},${y(bucket.waiting_at_end)}`);
    if (index % every === 0) {
      const text = daily ? bucket.start.slice(5, 10) : clock(bucket.start);
      root.append(svg("text", { x: x + band / 2, y: height - 8, "text-anchor": "middle" }, text));
    }
  });
  root.append(svg("line", { class: "axis", x1: left, x2: width - right, y1: y(0), y2: y(0) }));
  root.append(svg("polyline", { class: "line-waiting", points: points.join(" ") }));
  for (const point of points) {
    const [cx, cy] = point.split(",");
    root.append(svg("circle", { class: "dot-waiting", cx, cy, r: 3 }));
  }
}

function drawWaits(services) {
  const container = $("chart-waits");
  const rows = services.filter((s) => s.called > 0);
  if (!rows.length) return empty(container, "Nobody was called in this range.");
  const rowH = 22, left = 150, right = 50, top = 6;
  const width = 480, height = top + rows.length * rowH + 20;
  const { max } = niceScale(Math.max(...rows.map((s) => Math.max(s.avg_wait_minutes || 0, s.target_wait_minutes || 0))));
  const label = rows.map((s) => `${s.name}: ${minutes(s.avg_wait_minutes)}, target ${s.target_wait_minutes} min`);
  const root = chartFrame(container, width, height, `Average wait by service. ${label.join("; ")}`);
  const x = (value) => left + (value / max) * (width - left - right);
  rows.forEach((service, index) => {
    const y0 = top + index * rowH;
    const over = service.avg_wait_minutes > service.target_wait_minutes;
    root.append(svg("text", { x: left - 6, y: y0 + 14, "text-anchor": "end" }, service.name));
    root.append(svg("rect", { class: over ? "bar-over" : "bar-ok", x: left, y: y0 + 3, height: rowH - 7,
      width: Math.max(1, x(service.avg_wait_minutes || 0) - left) }));
    root.append(svg("text", { x: x(service.avg_wait_minutes || 0) + 4, y: y0 + 14 }, minutes(service.avg_wait_minutes)));
    const tx = x(service.target_wait_minutes);
    root.append(svg("line", { class: "target", x1: tx, x2: tx, y1: y0 + 1, y2: y0 + rowH - 2 }));
  });
  root.append(svg("line", { class: "axis", x1: left, x2: left, y1: top, y2: top + rows.length * rowH }));
  root.append(svg("text", { x: width - right, y: height - 4, "text-anchor": "end" }, `${max} min`));
}

function drawRatings(satisfaction) {
  const container = $("chart-ratings");
  if (!satisfaction.ratings) return empty(container, "No ratings in this range.");
  const counts = [1, 2, 3, 4, 5].map((n) => satisfaction.by_score[String(n)] || 0);
  const width = 220, height = 170, bottom = 20, top = 14;
  const { max } = niceScale(Math.max(...counts));
  const root = chartFrame(container, width, height,
    `Ratings by score: ${counts.map((count, i) => `${i + 1}: ${count}`).join(", ")}`);
  const band = width / 5;
  counts.forEach((count, index) => {
    const barH = (count / max) * (height - top - bottom);
    const x = index * band;
    root.append(svg("rect", { class: "bar-rating", x: x + band * 0.2, width: band * 0.6, y: height - bottom - barH, height: barH }));
    root.append(svg("text", { x: x + band / 2, y: height - bottom - barH - 3, "text-anchor": "middle" }, String(count)));
    root.append(svg("text", { x: x + band / 2, y: height - 5, "text-anchor": "middle" }, `${index + 1}★`));
  });
}

// -- rendering -------------------------------------------------------------------------------

function renderLive(live, at) {
  $("kpi-waiting").textContent = String(live.waiting);
  $("live-at").textContent = at ? `at ${clock(at)}` : "";
  const alerts = $("alerts");
  alerts.replaceChildren(...live.alerts.map((a) => {
    const p = document.createElement("p");
    p.className = "alert";
    p.dataset.service = a.service;
    p.textContent = `${a.name}: longest wait ${duration(a.longest_wait_minutes)}, over its ${a.target_wait_minutes} min target`;
    return p;
  }));
  for (const u of live.uncovered || []) {  // waiting, and no open counter can serve them (a break nobody covers)
    const p = document.createElement("p");
    p.className = "alert uncovered";
    p.dataset.service = u.service;
    p.textContent = `${u.name}: ${u.waiting} waiting and no open counter serves it — open one with this skill or end a break`;
    alerts.append(p);
  }
  if (!live.alerts.length && !(live.uncovered || []).length) {
    const p = document.createElement("p");
    p.className = "ok";
    p.textContent = "Every service is within its wait target.";
    alerts.append(p);
  }
  const busy = live.services.filter((s) => s.waiting > 0);
  fillTable("live-services", busy, [
    (s) => s.name, (s) => String(s.waiting), (s) => duration(s.longest_wait_minutes), (s) => `${s.target_wait_minutes} min`,
  ], (s) => (s.over_target ? "over" : ""));
  if (!busy.length) $("live-services").querySelector("td").textContent = "Nobody is waiting.";
}

function renderKpis(k) {
  $("kpi-issued").textContent = String(k.issued);
  $("kpi-avg-wait").textContent = minutes(k.avg_wait_minutes);
  $("kpi-p90-wait").textContent = minutes(k.p90_wait_minutes);
  $("kpi-sla").textContent = percent(k.sla_share);
  $("kpi-service").textContent = minutes(k.avg_service_minutes);
  $("kpi-walk").textContent = minutes(k.avg_walk_minutes);
  $("kpi-abandonment").textContent = percent(k.abandonment_rate);
  $("kpi-no-show").textContent = percent(k.no_show_rate);
  $("kpi-remote").textContent = k.remote_expired ? `${k.remote_joins} (${k.remote_expired} expired)` : String(k.remote_joins);
  $("kpi-self-service").textContent = percent(k.self_service_share);
  $("kpi-satisfaction").textContent = score(k.satisfaction.avg_score);
  $("kpi-csat").textContent = percent(k.satisfaction.csat);

  fillTable("services", k.services.filter((s) => s.issued > 0), [
    (s) => s.name, (s) => String(s.issued), (s) => minutes(s.avg_wait_minutes), (s) => minutes(s.p90_wait_minutes),
    (s) => percent(s.sla_share), (s) => minutes(s.avg_service_minutes), (s) => String(s.abandoned),
  ], (s) => (s.avg_wait_minutes !== null && s.avg_wait_minutes > s.target_wait_minutes ? "over" : ""));
  const worker = [
    (w) => w.name, (w) => String(w.called), (w) => String(w.served), (w) => String(w.no_show),
    (w) => minutes(w.avg_service_minutes), (w) => (w.avg_rating === null ? "—" : score(w.avg_rating)),
  ];
  fillTable("counters", k.counters, worker);
  fillTable("staff", k.staff, worker);
  fillTable("intents", k.top_intents, [
    (i) => i.intent.replaceAll("_", " "), (i) => String(i.count), (i) => String(i.device_routes), (i) => String(i.tickets),
  ]);
  drawHourly(k.hourly);
  drawWaits(k.services);
  drawRatings(k.satisfaction);
}

function render(report) {
  $("branch-name").textContent = `— ${report.branch.name}`;
  state.shown = report.range;
  if (document.activeElement !== $("from")) $("from").value = report.range.from;
  if (document.activeElement !== $("to")) $("to").value = report.range.to;
  $("csv-link").href = `/api/v1/dashboard/visits.csv?from=${report.range.from}&to=${report.range.to}`;
  $("audit-link").href = `/api/v1/audit.csv?since=${report.range.from}&until=${report.range.to}`;
  renderLive(report.live, report.at);
  renderKpis(report.kpis);
  fillTable("alert-history", report.alerts, [
    (a) => a.name, (a) => dayAndTime(a.crossed_at), (a) => (a.cleared_at ? dayAndTime(a.cleared_at) : "still waiting"),
  ]);
}

// -- data ------------------------------------------------------------------------------------

function authHeaders() {
  return { Authorization: `Bearer ${state.token}` };
}

function rangeQuery() {
  const params = new URLSearchParams();
  if (state.from) params.set("from", state.from);
  if (state.to) params.set("to", state.to);
  return params.toString();
}

async function refresh() {
  if (!state.token) return;
  let response;
  try {
    response = await fetch(`/api/v1/dashboard?${rangeQuery()}`, { headers: authHeaders() });
  } catch (error) {
    $("range-message").textContent = "The hub cannot be reached; retrying when it is back.";
    return;
  }
  const body = await response.json();
  if (response.status === 401 || response.status === 403) return signOut(body.error.message);
  if (!response.ok) {
    $("range-message").textContent = body.error ? body.error.message : `Error ${response.status}`;
    $("range-message").classList.add("error");
    return;
  }
  $("range-message").textContent = "";
  $("range-message").classList.remove("error");
  render(body);
  document.body.dataset.loaded = `${body.range.from}/${body.range.to}`;
}

function scheduleRefresh() {
  clearTimeout(state.timer);
  state.timer = setTimeout(refresh, REFRESH_DEBOUNCE_MS);
}

function connect() {
  if (!state.token) return;
  const live = $("live");
  // The staff stream (live.js reconnects it): the token goes as the first message of every connection
  // (a browser cannot set headers on a socket); the hub's snapshot follows, so the numbers are re-read.
  state.socket = window.LobbyLive.connect({
    url: "/api/v1/events/staff",
    onOpen: (socket) => {
      socket.send(JSON.stringify({ token: state.token }));
      live.hidden = false; live.className = "live up"; live.textContent = "Live";
    },
    onMessage: () => { // any change in the branch may move a number
      document.body.dataset.events = String(Number(document.body.dataset.events || 0) + 1);
      scheduleRefresh();
    },
    onState: (now) => {
      if (now !== "reconnecting" && now !== "stopped") return;
      live.className = "live down";
      live.textContent = "Reconnecting…";
    },
    // A token the hub no longer takes: the next read's 401 signs out (retrying would only count failures).
    onClose: (event) => {
      if (event.code === 4401 || event.code === 4403) { refresh(); return false; }
      return undefined;
    },
  });
}

// A CSV link's file, fetched with the token (a plain link cannot send it): the visits, or the audit log.
const downloadCsv = (linkId, kind) => async (event) => {
  event.preventDefault();
  const link = $(linkId);
  const response = await fetch(link.href, { headers: authHeaders() });
  if (!response.ok) {
    $("range-message").textContent = `The CSV could not be made (${response.status}).`;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const save = document.createElement("a");
  save.href = url;
  save.download = `${kind}-${state.shown.from}-${state.shown.to}.csv`;
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  $("range-message").textContent = `Downloaded ${save.download}`;
};

// -- sign in / out ---------------------------------------------------------------------------

function show(signedIn) {
  $("signin-view").hidden = signedIn;
  $("dashboard-view").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  if (!signedIn) $("live").hidden = true;
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  if (state.socket) { const socket = state.socket; state.socket = null; socket.close(); }  // no reconnect
  $("signin-message").textContent = message || "";
  show(false);
  $("token").focus();
}

async function signIn(token) {
  const response = await fetch(`/api/v1/dashboard?${rangeQuery()}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = await response.json();
  if (!response.ok) {
    $("signin-message").textContent = response.status === 403
      ? "This token may not see the dashboard: it needs a manager or admin token." : body.error.message;
    return;
  }
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("token").value = "";
  show(true);
  render(body);
  document.body.dataset.loaded = `${body.range.from}/${body.range.to}`;
  connect();
}

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("token").value.trim();
  if (token) signIn(token);
});
$("sign-out").addEventListener("click", () => signOut(""));
$("range-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.from = $("from").value;
  state.to = $("to").value;
  history.replaceState(null, "", `?${rangeQuery()}`);
  refresh();
});
$("today").addEventListener("click", () => {
  state.from = state.to = null;
  history.replaceState(null, "", location.pathname);
  refresh();
});
$("csv-link").addEventListener("click", downloadCsv("csv-link", "visits"));
$("audit-link").addEventListener("click", downloadCsv("audit-link", "audit"));

const params = new URLSearchParams(location.search);
state.from = params.get("from");
state.to = params.get("to");
if (state.token) signIn(state.token); else show(false);
