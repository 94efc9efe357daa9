// Counter console: sign in with a staff token, pick a counter, run it. Plain JS, no framework.
// Every change on the hub arrives over /api/v1/events; the page then re-reads its two staff views
// (/api/v1/console/counters and /api/v1/tickets) and redraws. Actions go to /api/v1/counters/{id}/...
"use strict";
(() => {
  const TOKEN_KEY = "lobby.console.token";
  const COUNTER_KEY = "lobby.console.counter";
  const $ = (id) => document.getElementById(id);

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    counterId: sessionStorage.getItem(COUNTER_KEY),
    config: null,
    desks: [],
    tickets: [],
    clockOffset: 0, // hub clock minus this browser's clock, ms
    noShowAt: null, // performance.now() when the hub will accept a no-show
    selectedId: null,
    panel: null, // "finish" | "transfer" | null
    busy: false,
    live: null, // the events stream (window.LobbyLive)
  };

  // -- talking to the hub ----------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (_err) {
      throw new ApiError(0, "unreachable", "Can't reach the hub. The console reconnects by itself when it is back.");
    }
    let data = null;
    try { data = await response.json(); } catch (_err) { data = null; }
    if (!response.ok) {
      const error = (data && data.error) || { code: `http_${response.status}`, message: `The hub answered ${response.status}.` };
      throw new ApiError(response.status, error.code, error.message);
    }
    return data;
  }

  const TITLES = {
    nothing_to_call: "Nothing to call",
    too_soon: "Too soon for no-show",
    counter_closed: "Counter paused",
    counter_busy: "Can't pause yet",
    no_current_ticket: "Nobody at the counter",
    wrong_state: "Not possible now",
    ticket_not_found: "Ticket gone",
  };
  const explain = (err) => (TITLES[err.code] ? `${TITLES[err.code]}: ${err.message}` : err.message);

  // -- small helpers --------------------------------------------------------------------------

  const hubNow = () => Date.now() + state.clockOffset;
  const minutesSince = (iso) => Math.max(0, (hubNow() - Date.parse(iso)) / 60000);
  const waitedText = (minutes) => (minutes < 1 ? "<1 min" : `${Math.floor(minutes)} min`);
  const agoText = (iso) => {
    const seconds = Math.max(0, Math.floor((hubNow() - Date.parse(iso)) / 1000));
    return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  };
  const humanIntent = (intent) => intent.replace(/_/g, " ");
  const slotTime = (iso) => {
    const zone = state.config && state.config.timezone;
    try {
      return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone });
    } catch (_err) {
      return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    }
  };
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };
  const kbd = (text) => el("kbd", { text });
  const myDesk = () => state.desks.find((d) => d.id === state.counterId) || null;
  const counterName = (id) => ((state.config && state.config.counters.find((c) => c.id === id)) || { name: id }).name;
  const serviceName = (id) => ((state.config && state.config.services.find((s) => s.id === id)) || { name: id }).name;

  function say(text, kind = "ok") {
    const box = $("message");
    box.textContent = text;
    box.className = `message ${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    delete box.dataset.code;
  }

  // -- views ----------------------------------------------------------------------------------

  function showView(name) {
    for (const view of ["signin", "picker", "desk"]) $(`${view}-view`).hidden = view !== name;
    const signedIn = name !== "signin";
    $("sign-out").hidden = !signedIn;
    $("live").hidden = name !== "desk";
    $("change-counter").hidden = name !== "desk";
    $("counter-title").hidden = name !== "desk";
    $("help").hidden = name !== "desk";
  }

  function signOut(message, kind = "error") {
    disconnectEvents();
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(COUNTER_KEY);
    Object.assign(state, { token: null, counterId: null, config: null, desks: [], tickets: [], panel: null });
    $("branch-name").textContent = "";
    $("token").value = "";
    showView("signin");
    const box = $("signin-message");
    box.textContent = message || "";
    box.className = `message ${kind}`;
    $("token").focus();
  }

  function authFailure(err) {
    if (err.status === 403) {
      signOut(`This token may not run a counter (${err.message}). Sign in with a teller, manager or admin token.`);
    } else {
      signOut(`Your token was not accepted (${err.message}). Sign in again.`);
    }
  }

  async function signIn(token) {
    const box = $("signin-message");
    if (!token) {
      box.textContent = "Enter your staff token first.";
      box.className = "message error";
      return;
    }
    state.token = token;
    try {
      await loadConfig();
    } catch (err) {
      state.token = null;
      box.className = "message error";
      if (err.status === 401) box.textContent = `That token was not accepted: ${err.message}. Check it and try again.`;
      else if (err.status === 403) box.textContent = `This token may not run a counter (${err.message}). Use a teller, manager or admin token.`;
      else box.textContent = err.message;
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    box.textContent = "";
    await afterSignIn();
  }

  async function loadConfig() {
    state.config = await api("GET", "/api/v1/console/config");
    $("branch-name").textContent = `· ${state.config.branch.name}`;
  }

  async function afterSignIn() {
    const known = state.config.counters.some((c) => c.id === state.counterId);
    if (known) await openDesk(state.counterId);
    else await openPicker();
  }

  async function openPicker() {
    closePanel();
    showView("picker");
    try {
      state.desks = (await api("GET", "/api/v1/console/counters")).counters;
    } catch (err) {
      if (err.status === 401 || err.status === 403) return authFailure(err);
      $("picker-message").textContent = err.message;
    }
    const box = $("counter-choices");
    box.replaceChildren();
    state.config.counters.forEach((counter, index) => {
      const desk = state.desks.find((d) => d.id === counter.id);
      let hint = desk ? (desk.state === "open" ? "open" : "paused") : "";
      if (desk && desk.ticket) hint += ` · ${desk.ticket.number} ${desk.ticket.status}`;
      box.append(el("button", { type: "button", class: "counter-choice", "data-counter": counter.id,
        "aria-keyshortcuts": index < 9 ? String(index + 1) : null, onclick: () => openDesk(counter.id) },
        index < 9 ? kbd(String(index + 1)) : null, el("span", { text: counter.name }), el("span", { class: "hint", text: hint })));
    });
    const first = box.querySelector("button");
    if (first) first.focus();
  }

  async function openDesk(counterId) {
    state.counterId = counterId;
    sessionStorage.setItem(COUNTER_KEY, counterId);
    state.selectedId = null;
    say("");
    showView("desk");
    renderDesk();
    connectEvents();
    await refresh();
  }

  // -- live data ------------------------------------------------------------------------------

  let refreshing = null;
  let again = false;

  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = (async () => {
      try {
        do { again = false; await load(); } while (again);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  async function load() {
    if (!state.token || !state.counterId) return;
    let desks;
    let queue;
    try {
      [desks, queue] = await Promise.all([
        api("GET", "/api/v1/console/counters"),
        api("GET", "/api/v1/tickets?status=waiting,parked"),
      ]);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return authFailure(err);
      say(err.message, "error");
      $("message").dataset.code = err.code;
      return;
    }
    if ($("message").dataset.code === "unreachable") say(""); // the hub is back
    state.clockOffset = Date.parse(desks.at) - Date.now();
    state.desks = desks.counters;
    state.tickets = queue.tickets;
    const mine = myDesk();
    const ticket = mine && mine.ticket;
    state.noShowAt = ticket && ticket.status === "called" ? performance.now() + ticket.no_show_in_seconds * 1000 : null;
    if (state.selectedId && !state.tickets.some((t) => t.id === state.selectedId)) state.selectedId = null;
    if (state.panel && !ticket) closePanel();
    renderDesk();
  }

  function setLive(up) {
    const live = $("live");
    live.textContent = up ? "Live" : "Reconnecting to the hub…";
    live.className = `live ${up ? "up" : "down"}`;
    live.dataset.state = up ? "up" : "down";
  }

  function connectEvents() {
    if (state.live || !state.token) return;
    // The staff stream (live.js reconnects it): the token goes as the first message of every connection
    // (a browser cannot set headers on a socket). The hub's snapshot follows: fresh state after a reconnect.
    state.live = window.LobbyLive.connect({
      url: "/api/v1/events/staff",
      onOpen: (socket) => socket.send(JSON.stringify({ token: state.token })),
      onMessage: () => { setLive(true); refresh(); }, // the snapshot first, then every event
      onState: (now) => { if (now === "reconnecting" || now === "stopped") setLive(false); },
      onClose: (event) => {
        if (event.code === 4401 || event.code === 4403) { // the views' 401/403 sign out
          state.live = null;
          refresh();
          return false;
        }
        return undefined;
      },
    });
  }

  function disconnectEvents() {
    const live = state.live;
    state.live = null;
    if (live) live.close();
  }

  // -- drawing --------------------------------------------------------------------------------

  function renderDesk() {
    const desk = myDesk();
    const ticket = desk && desk.ticket;
    const open = !desk || desk.state === "open";
    const back = desk && desk.state === "break" && desk.away_until ? slotTime(desk.away_until) : null;
    const title = $("counter-title");
    title.replaceChildren(el("span", { text: counterName(state.counterId) }),
      el("span", { class: `state ${open ? "open" : "closed"}`, text: open ? "Open" : (back ? `On break until ${back}` : "Paused") }));
    $("closed-banner").hidden = open;
    $("act-pause").querySelector(".label").textContent = open ? "Pause counter" : "Open counter";
    $("pause-sub").textContent = open ? "close to new calls" : "take calls again";

    $("current-number").textContent = ticket ? ticket.number : "—";
    $("current-service").textContent = ticket ? ticket.service_name : "Nobody called";
    const detail = $("current-detail");
    detail.replaceChildren();
    if (ticket) {
      const badge = langBadge(ticket);
      if (badge) detail.append(badge);
      if (ticket.priority !== "normal") detail.append(priorityBadge(ticket.priority));
      const parts = [`waited ${waitedText(ticket.waited_minutes)}`, ...originParts(ticket)];
      if (ticket.appointment_code && !ticket.appointment) parts.push(`appointment ${ticket.appointment_code}`);
      if (ticket.intent) parts.push(`asked for: ${humanIntent(ticket.intent)}`);
      if (ticket.transfers) parts.push(`transferred ${ticket.transfers}×`);
      detail.append(parts.join(" · "));
      const notes = ticket.appointment && ticket.appointment.notes;
      if (notes) detail.append(el("blockquote", { class: "notes", text: `“${notes}”`, title: "what the customer wrote when booking" }));
    } else {
      detail.textContent = open ? "Press N to call the next customer." : "";
    }

    const called = ticket && ticket.status === "called";
    $("act-recall").disabled = !called;
    $("act-no-show").disabled = !called;
    $("act-start").disabled = !called;
    for (const id of ["act-finish", "act-transfer", "act-park"]) $(id).disabled = !ticket;
    $("act-call-selected").disabled = !state.selectedId;
    $("recall-sub").textContent = !called ? "" : ticket.next_recall_is_no_show
      ? `${ticket.recalls} of ${ticket.max_recalls} used: next = no-show`
      : `${ticket.recalls} of ${ticket.max_recalls} used`;
    $("act-recall").classList.toggle("ready", Boolean(called && ticket.next_recall_is_no_show));
    const selected = state.tickets.find((t) => t.id === state.selectedId);
    $("call-selected-sub").textContent = selected ? `${selected.number} · ${selected.service_name}` : "pick in the list";
    // Call-next skips remote customers still on the way (they keep their place until they check in).
    const mineWaiting = state.tickets.filter((t) => t.status === "waiting" && !t.on_the_way && callableHere(t)).length;
    $("call-next-sub").textContent = mineWaiting ? `${mineWaiting} waiting for this counter` : "nobody waiting here";
    renderTimes();
    renderQueue();
  }

  function renderTimes() {
    const desk = myDesk();
    const ticket = desk && desk.ticket;
    const status = $("current-status");
    const noShow = $("act-no-show");
    noShow.classList.remove("waiting", "ready");
    if (!ticket) {
      status.textContent = "";
      status.className = "status";
      $("no-show-sub").textContent = "";
    } else if (ticket.status === "called") {
      status.textContent = `Called ${agoText(ticket.called_at)} ago${ticket.recalls ? ` · recalled ${ticket.recalls}×` : ""}`;
      status.className = "status called";
      const left = Math.ceil(((state.noShowAt || 0) - performance.now()) / 1000);
      if (left > 0) {
        $("no-show-sub").textContent = `possible in ${left} s`;
        noShow.classList.add("waiting");
      } else {
        $("no-show-sub").textContent = "possible now";
        noShow.classList.add("ready");
      }
    } else {
      status.textContent = `Serving for ${agoText(ticket.started_at || ticket.called_at)}`;
      status.className = "status serving";
      $("no-show-sub").textContent = "";
    }
    for (const row of document.querySelectorAll("#queue-list .ticket")) {
      const minutes = minutesSince(row.dataset.issued);
      const waited = row.querySelector(".waited");
      waited.textContent = waitedText(minutes);
      waited.classList.toggle("long", minutes >= 15);
    }
  }

  // The language the ticket was taken in (kiosk switch, chat): the teller greets the customer in it.
  const LANG_BADGES = {
    zh: { text: "中文", lang: "zh-Hans", title: "Mandarin: greet in Chinese" },
    en: { text: "EN", lang: "en", title: "English: greet in English" },
  };
  function langBadge(ticket) {
    const code = String(ticket.lang || "").toLowerCase().split(/[-_]/)[0];
    const known = LANG_BADGES[code === "cmn" ? "zh" : code];
    if (!known) return null;
    return el("span", { class: `badge lang ${known.lang === "en" ? "en" : "zh"}`, lang: known.lang, text: known.text,
      title: known.title, "aria-label": known.title, "data-lang": code === "cmn" ? "zh" : code });
  }

  function priorityBadge(priority) {
    if (priority === "appointment") return el("span", { class: "badge appointment", text: "★ Appt", title: "checked-in appointment" });
    if (priority === "priority") return el("span", { class: "badge priority", text: "▲ Priority", title: "priority customer" });
    return null;
  }

  function callableHere(ticket) {
    const desk = myDesk();
    if (ticket.target_counter) return ticket.target_counter === state.counterId;
    return Boolean(desk && (desk.skills[ticket.service] || 0) > 0);
  }

  // Where the customer came from: booked online, joined from the app (and whether they are here yet).
  function originParts(ticket) {
    const parts = [];
    const booking = ticket.appointment;
    if (booking) {
      const when = booking.starts_at ? ` at ${slotTime(booking.starts_at)}` : "";
      const who = booking.name ? ` · ${booking.name}` : "";
      const online = booking.online ? ` · booked online (${booking.channel})` : "";
      parts.push(`appointment ${booking.code}${when}${who}${online}`);
    }
    if (ticket.remote) {
      parts.push(ticket.on_the_way ? "joined from the app, on the way"
        : `joined from the app, here since ${slotTime(ticket.arrived_at)}`);
    }
    return parts;
  }

  function ticketRow(ticket) {
    const info = [...originParts(ticket)];
    if (ticket.appointment && ticket.appointment.notes) info.push(`“${ticket.appointment.notes}”`);
    if (ticket.intent) info.push(`asked for: ${humanIntent(ticket.intent)}`);
    if (ticket.target_counter) info.push(`sent to ${ticket.target_counter_name}`);
    if (ticket.parked_by) info.push(`parked by ${ticket.parked_by_name}`);
    if (ticket.transfers) info.push(`transferred ${ticket.transfers}×`);
    const badges = el("span", { class: "badges" }, langBadge(ticket), priorityBadge(ticket.priority),
      ticket.boosted ? el("span", { class: "badge boosted", text: "↑ Long wait", title: "moved up for waiting long" }) : null,
      ticket.status === "parked" ? el("span", { class: "badge parked", text: "Parked" }) : null,
      ticket.on_the_way ? el("span", { class: "badge away", text: "On the way", title: "joined from the app; not called until they check in" }) : null);
    const row = el("li", {
      class: `ticket${ticket.id === state.selectedId ? " selected" : ""}`,
      "data-id": ticket.id, "data-number": ticket.number, "data-issued": ticket.issued_at, "data-status": ticket.status,
      "aria-selected": ticket.id === state.selectedId ? "true" : "false",
      onclick: () => select(ticket.id),
    },
    el("span", { class: "tnum", text: ticket.number }),
    badges,
    el("span", { class: "waited", text: waitedText(minutesSince(ticket.issued_at)), title: "waiting time" }),
    el("span", { class: "info", text: info.join(" · "), title: info.join(" · ") }),
    el("button", { type: "button", "aria-label": `Call ${ticket.number}`, text: "Call",
      onclick: (ev) => { ev.stopPropagation(); select(ticket.id); run("c"); } }));
    return row;
  }

  function renderQueue() {
    const desk = myDesk();
    const skills = (desk && desk.skills) || {};
    const groups = new Map();
    const sentHere = state.tickets.filter((t) => t.target_counter === state.counterId);
    if (sentHere.length) groups.set("@here", { title: `Sent to ${counterName(state.counterId)}`, own: true, tickets: sentHere });
    const mine = Object.keys(skills).filter((s) => skills[s] > 0).sort((a, b) => skills[b] - skills[a]);
    const others = state.config.services.map((s) => s.id).filter((s) => !mine.includes(s));
    for (const service of [...mine, ...others]) {
      const tickets = state.tickets.filter((t) => t.service === service && t.target_counter !== state.counterId);
      if (tickets.length || mine.includes(service)) {
        groups.set(service, { title: serviceName(service), own: mine.includes(service), tickets });
      }
    }
    const list = $("queue-list");
    const scroll = list.scrollTop;
    list.replaceChildren();
    for (const [key, group] of groups) {
      const waiting = group.tickets.filter((t) => t.status === "waiting");
      const longest = waiting.reduce((m, t) => Math.max(m, minutesSince(t.issued_at)), 0);
      const head = el("h3", {}, el("span", { text: group.title }),
        el("span", { class: "muted", text: `${waiting.length} waiting${waiting.length ? ` · longest ${waitedText(longest)}` : ""}` }),
        group.own ? null : el("span", { class: "muted", text: "(not served at this counter)" }));
      const items = el("ol", { "aria-label": group.title });
      for (const ticket of group.tickets) items.append(ticketRow(ticket));
      if (!group.tickets.length) items.append(el("li", { class: "empty", text: "Nobody waiting." }));
      list.append(el("section", { class: `group${group.own ? "" : " other"}`, "data-service": key }, head, items));
    }
    if (!groups.size) list.append(el("p", { class: "empty", text: "Nobody is waiting." }));
    list.scrollTop = scroll;
    const waitingTotal = state.tickets.filter((t) => t.status === "waiting").length;
    const parkedTotal = state.tickets.length - waitingTotal;
    $("queue-total").textContent = `(${waitingTotal} waiting${parkedTotal ? `, ${parkedTotal} parked` : ""})`;
  }

  function visibleOrder() {
    return Array.from(document.querySelectorAll("#queue-list .ticket")).map((row) => row.dataset.id);
  }

  function select(ticketId) {
    state.selectedId = ticketId;
    renderDesk();
    const row = document.querySelector(`#queue-list .ticket[data-id="${ticketId}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }

  function moveSelection(step) {
    const order = visibleOrder();
    if (!order.length) return;
    const at = order.indexOf(state.selectedId);
    const next = at < 0 ? (step > 0 ? 0 : order.length - 1) : Math.min(order.length - 1, Math.max(0, at + step));
    select(order[next]);
  }

  // -- panels (finish outcome, transfer target) -------------------------------------------

  function closePanel() {
    state.panel = null;
    $("finish-panel").hidden = true;
    $("transfer-panel").hidden = true;
  }

  function openFinish() {
    closePanel();
    state.panel = "finish";
    const box = $("outcome-choices");
    box.replaceChildren();
    state.config.outcomes.forEach((outcome, index) => {
      const key = index < 9 ? String(index + 1) : null;
      box.append(el("button", { type: "button", "data-outcome": outcome.code, "data-key": key, "aria-keyshortcuts": key,
        onclick: () => finish(outcome) }, key ? kbd(key) : null, el("span", { text: outcome.label })));
    });
    $("finish-panel").hidden = false;
    box.querySelector("button").focus();
  }

  function openTransfer() {
    const ticket = myDesk().ticket;
    closePanel();
    state.panel = "transfer";
    $("transfer-number").textContent = ticket.number;
    const services = $("transfer-services");
    services.replaceChildren();
    state.config.services.forEach((service, index) => {
      const key = index < 9 ? String(index + 1) : null;
      const current = service.id === ticket.service;
      services.append(el("button", { type: "button", "data-service": service.id, "data-key": key, "aria-keyshortcuts": key,
        disabled: current, onclick: () => transfer({ service: service.id }, service.name) },
        key ? kbd(key) : null, el("span", { text: service.name }), current ? el("span", { class: "hint", text: "current" }) : null));
    });
    const counters = $("transfer-counters");
    counters.replaceChildren();
    state.config.counters.filter((c) => c.id !== state.counterId).forEach((counter, index) => {
      const key = index < 26 ? String.fromCharCode(97 + index) : null;
      counters.append(el("button", { type: "button", "data-counter": counter.id, "data-key": key,
        "aria-keyshortcuts": key && key.toUpperCase(), onclick: () => transfer({ counter: counter.id }, counter.name) },
        key ? kbd(key.toUpperCase()) : null, el("span", { text: counter.name })));
    });
    $("transfer-panel").hidden = false;
    const first = services.querySelector("button:not(:disabled)");
    if (first) first.focus();
  }

  // -- actions ----------------------------------------------------------------------------

  const path = (action) => `/api/v1/counters/${encodeURIComponent(state.counterId)}/${action}`;

  async function perform(action, body, done) {
    if (state.busy) return;
    state.busy = true;
    try {
      const result = await api("POST", path(action), body);
      say(done(result), "ok");
    } catch (err) {
      if (err.status === 401 || err.status === 403) return authFailure(err);
      say(explain(err), "error");
    } finally {
      state.busy = false;
    }
    await refresh();
  }

  const current = () => { const desk = myDesk(); return desk && desk.ticket; };

  function needTicket(status, message) {
    const ticket = current();
    if (!ticket || (status && ticket.status !== status)) {
      say(message, "error");
      return null;
    }
    return ticket;
  }

  function finish(outcome) {
    const ticket = current();
    closePanel();
    if (!ticket) return say("Nobody at the counter to finish.", "error");
    return perform("finish", { outcome: outcome.code }, (t) => `${t.number} finished: ${outcome.label}.`);
  }

  function transfer(target, name) {
    closePanel();
    if (!current()) return say("Nobody at the counter to transfer.", "error");
    return perform("transfer", target, (t) => `${t.number} transferred to ${name}: same number, back in line.`);
  }

  const ACTIONS = {
    n: { button: "act-call-next", run: () => perform("call-next", undefined, (t) => `Called ${t.number} (${t.service_name}).`) },
    c: {
      button: "act-call-selected",
      run: () => {
        const ticket = state.tickets.find((t) => t.id === state.selectedId);
        if (!ticket) return say("Select a ticket in the waiting list first (↑/↓ or click it).", "error");
        return perform("call", { ticket_id: ticket.id }, (t) => `Called ${t.number} (${t.service_name}).`);
      },
    },
    r: {
      button: "act-recall",
      run: () => {
        const ticket = needTicket("called", "Nobody has been called to this counter: nothing to recall.");
        if (!ticket) return null;
        return perform("recall", undefined, (t) => (t.status === "no_show"
          ? `${t.number} did not come after ${ticket.max_recalls} recalls: marked no-show.`
          : `Recalled ${t.number} (${ticket.recalls + 1} of ${ticket.max_recalls}).`));
      },
    },
    x: {
      button: "act-no-show",
      run: () => {
        if (!needTicket("called", "Only a called customer who has not come can be marked no-show.")) return null;
        return perform("no-show", undefined, (t) => `${t.number} marked no-show.`);
      },
    },
    s: {
      button: "act-start",
      run: () => {
        if (!needTicket("called", "Call a customer first; start is for when they reach the counter.")) return null;
        return perform("start", undefined, (t) => `Serving ${t.number}.`);
      },
    },
    f: { button: "act-finish", run: () => (needTicket(null, "Nobody at the counter to finish.") ? openFinish() : null) },
    t: { button: "act-transfer", run: () => (needTicket(null, "Nobody at the counter to transfer.") ? openTransfer() : null) },
    k: {
      button: "act-park",
      run: () => {
        if (!needTicket(null, "Nobody at the counter to park.")) return null;
        return perform("park", undefined, (t) => `${t.number} parked: call it again from the list.`);
      },
    },
    b: {
      button: "act-break",
      run: () => {
        // "On break until 13:30": closed to calls, and the wait estimates count this counter from then.
        const suggested = slotTime(new Date(hubNow() + 15 * 60000).toISOString());  // branch-local HH:MM
        const until = window.prompt("On break until (HH:MM, today)?", suggested);
        if (!until) return null;
        return perform("break", { until: until.trim() }, (c) => `On break until ${slotTime(c.until)}: no customers are sent here.`);
      },
    },
    p: {
      button: "act-pause",
      run: () => {
        const desk = myDesk();
        const opening = desk && desk.state !== "open";
        return perform(opening ? "open" : "close", undefined,
          () => (opening ? "Counter open: customers are called here again." : "Counter paused: no customers are sent here."));
      },
    },
  };

  function run(key) {
    const action = ACTIONS[key];
    if (!action) return;
    const button = $(action.button);
    button.classList.add("flash");
    setTimeout(() => button.classList.remove("flash"), 250);
    action.run();
  }

  // -- keyboard -----------------------------------------------------------------------------

  function onPanelKey(ev, key) {
    const panel = $(state.panel === "finish" ? "finish-panel" : "transfer-panel");
    if (key === "escape") {
      ev.preventDefault();
      closePanel();
      say("Cancelled.", "ok");
      return;
    }
    const choice = panel.querySelector(`button[data-key="${CSS.escape(key)}"]`);
    if (choice && !choice.disabled) {
      ev.preventDefault();
      choice.click();
    }
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const key = ev.key.toLowerCase();
    if (!$("picker-view").hidden) {
      const choice = document.querySelectorAll("#counter-choices button")[Number(key) - 1];
      if (/^[1-9]$/.test(key) && choice) { ev.preventDefault(); choice.click(); }
      return;
    }
    if ($("desk-view").hidden) return;
    if (["INPUT", "TEXTAREA", "SELECT"].includes(ev.target.tagName)) return;
    if (state.panel) { onPanelKey(ev, key); return; }
    if (ev.repeat) return;
    if (key === "arrowdown" || key === "arrowup") {
      ev.preventDefault();
      moveSelection(key === "arrowdown" ? 1 : -1);
    } else if (key === "enter" && ev.target.tagName !== "BUTTON") {
      ev.preventDefault();
      run("c");
    } else if (ACTIONS[key]) {
      ev.preventDefault();
      run(key);
    }
  });

  // -- wiring ---------------------------------------------------------------------------------

  for (const [key, action] of Object.entries(ACTIONS)) $(action.button).addEventListener("click", () => run(key));
  $("signin-form").addEventListener("submit", (ev) => { ev.preventDefault(); signIn($("token").value.trim()); });
  $("sign-out").addEventListener("click", () => signOut("Signed out.", "ok"));
  $("change-counter").addEventListener("click", () => openPicker());
  setInterval(renderTimes, 500);

  (async () => {
    if (!state.token) {
      showView("signin");
      $("signin-message").className = "message";
      $("token").focus();
      return;
    }
    try {
      await loadConfig();
    } catch (err) {
      if (err.status === 401 || err.status === 403) return authFailure(err);
      showView("signin");
      $("signin-message").textContent = err.message;
      return;
    }
    await afterSignIn();
  })();
})();
