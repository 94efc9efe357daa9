// Lobby display: live over /api/v1/events (snapshot, then changes); resyncs on every (re)connect.
// Query: ?last=N calls kept visible (default 6, 1..20), ?lang=en|zh|en,zh announcement languages
// (default "ticket": each call in the language its customer took the ticket in, as the hub decides),
// ?sound=off for a silent screen. window.lobbyDisplay exposes timings for tests and diagnostics.
"use strict";

(() => {
  const params = new URLSearchParams(location.search);
  const clamp = (value, low, high) => Math.max(low, Math.min(high, value));
  const LAST = clamp(parseInt(params.get("last") || "6", 10) || 6, 1, 20);
  const LANGS = (params.get("lang") || "ticket").split(",").map((lang) => lang.trim()).filter(Boolean);
  if (!LANGS.length) LANGS.push("ticket");  // ?lang= left empty: the ticket's own language
  const SOUND = params.get("sound") !== "off";
  const AT_COUNTER = new Set(["called", "serving"]);
  const QUEUE_EVENTS = new Set([
    "ticket.issued", "ticket.called", "ticket.transferred", "ticket.abandoned", "ticket.served", "ticket.no_show",
    "ticket.parked", "counter.opened", "counter.closed", "appointment.checked_in",
  ]);
  const STATE_TEXT = { serving: "being served", served: "served", no_show: "missed", parked: "on hold",
    abandoned: "left" };
  const $ = (id) => document.getElementById(id);

  const state = {
    calls: [],               // newest first: {id, number, counterId, counterName, status}
    counters: [],            // from the snapshot / queue: {id, name, state}
    services: [],            // {service, name, waiting, eta_minutes}
    flashUntil: 0,
  };
  const debug = window.lobbyDisplay = {
    connected: false, synced: false, connects: 0, events: 0, shown: {}, announced: [], soundBlocked: false,
  };
  document.documentElement.style.setProperty("--rows", String(LAST));

  // -- data --------------------------------------------------------------------------------------
  const getJson = async (url) => {
    const response = await fetch(url, { cache: "no-store", signal: AbortSignal.timeout(8000) });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  };

  // A call is keyed by its ticket's number (unique within the day): the public stream carries no ticket ids.
  const fromTicket = (ticket, counter) => ({
    id: ticket.number,
    number: ticket.number,
    counterId: counter ? counter.id : ticket.counter,
    counterName: counter ? counter.name : (ticket.counter_name || ticket.counter || ""),
    status: ticket.status,
  });

  const applyQueue = (overview) => {
    state.services = overview.services || [];
    state.counters = overview.counters || [];
    renderServices();
    renderCounters();
  };

  // Bumped by every event that changes a call: an answer fetched before such an event may be older than it.
  let callsVersion = 0;

  const resync = async () => {
    debug.synced = false;
    try {
      getJson("/api/v1/branch").then((branch) => { $("branch").textContent = branch.name; }).catch(() => {});
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const version = callsVersion;
        const calls = await getJson(`/api/v1/calls?last=${LAST}`);
        if (version !== callsVersion) continue;  // a call came in meanwhile: ask again
        state.calls = calls.calls.map((call) => fromTicket(call.ticket, call.counter));
        renderCalls();
        debug.synced = true;
        return;
      }
    } catch (error) {
      console.warn("resync failed", error);  // the next snapshot (reconnect) tries again
    }
  };

  let queueTimer = null;
  const refreshQueue = () => {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(() => getJson("/api/v1/queue").then(applyQueue).catch(() => {}), 120);
  };

  // -- events ------------------------------------------------------------------------------------
  const onCall = (data, recalled) => {
    const call = fromTicket(data.ticket, data.counter);
    for (const other of state.calls) {  // calling the next customer finishes the one at that counter
      if (other.counterId === call.counterId && other.id !== call.id && AT_COUNTER.has(other.status)) {
        other.status = "served";
      }
    }
    state.calls = [call, ...state.calls.filter((other) => other.id !== call.id)].slice(0, LAST);
    state.flashUntil = Date.now() + 6000;
    renderCalls(true);
    // Two frames later the new call has been painted: that is when the room can read it.
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (!(call.id in debug.shown) || recalled) debug.shown[call.id] = Date.now();
    }));
    announce(call, recalled);
  };

  const updateTicket = (ticket) => {
    const call = state.calls.find((one) => one.id === ticket.number);
    if (call) call.status = ticket.status;
    renderCalls();
  };

  const onMessage = (message) => {
    const data = message.data || {};
    if (String(message.type).startsWith("ticket.")) callsVersion += 1;
    switch (message.type) {
      case "snapshot":
        applyQueue(data);
        setConnected(true);
        resync();
        return;
      case "ticket.called":
      case "ticket.recalled":
        onCall(data, message.type === "ticket.recalled");
        break;
      case "ticket.started":
      case "ticket.served":
      case "ticket.no_show":
      case "ticket.parked":
      case "ticket.abandoned":
        updateTicket(data.ticket);
        break;
      case "ticket.transferred":  // back in a queue: no longer a call at that counter
        state.calls = state.calls.filter((call) => call.id !== data.ticket.number);
        renderCalls();
        break;
      case "counter.opened":
      case "counter.closed":
        state.counters = state.counters.map((counter) => (counter.id === data.counter.id
          ? { ...counter, state: data.counter.state } : counter));
        renderCounters();
        break;
      default:
        break;
    }
    if (QUEUE_EVENTS.has(message.type)) refreshQueue();
  };

  // -- drawing -----------------------------------------------------------------------------------
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const renderNow = (flash) => {
    const box = $("now");
    const latest = state.calls[0];
    box.classList.toggle("idle", !latest);
    $("now-number").textContent = latest ? latest.number : "—";
    $("now-counter").textContent = latest ? latest.counterName : "Please wait to be called";
    if (flash) {
      box.classList.remove("flash");
      void box.offsetWidth;  // restart the animation
      box.classList.add("flash");
    } else if (Date.now() > state.flashUntil) {
      box.classList.remove("flash");
    }
  };

  const renderCalls = (flash = false) => {
    renderNow(flash);
    const list = $("calls");
    list.replaceChildren(...state.calls.map((call, index) => {
      const item = element("li", `${call.status}${index === 0 ? " latest" : ""}`);
      item.dataset.ticket = call.id;
      item.append(element("span", "num", call.number), element("span", "to", `→ ${call.counterName}`));
      if (STATE_TEXT[call.status]) item.append(element("span", "state", STATE_TEXT[call.status]));
      return item;
    }));
    renderCounters();
  };

  const renderCounters = () => {
    const list = $("counters");
    list.replaceChildren(...state.counters.map((counter) => {
      const current = state.calls.find((call) => call.counterId === counter.id && AT_COUNTER.has(call.status));
      const closed = counter.state !== "open";
      const item = element("li", closed ? "closed" : "");
      item.dataset.counter = counter.id;
      item.append(element("span", "name", counter.name),
        element("span", "at", closed ? "closed" : (current ? current.number : "—")));
      return item;
    }));
  };

  const etaCell = (service) => {
    const cell = element("td", "eta");
    if (!service.waiting) cell.textContent = "no wait";
    else if (!service.eta_minutes) cell.textContent = "closed";  // no open counter serves it
    else if (service.eta_wording === "under") cell.append(`< ${service.eta_minutes[1]} `, element("span", "unit", "min"));
    else if (service.eta_wording === "over") cell.append(`> ${service.eta_minutes[0]} `, element("span", "unit", "min"));
    else cell.append(`${service.eta_minutes[0]}–${service.eta_minutes[1]} `, element("span", "unit", "min"));
    return cell;
  };

  const renderServices = () => {
    document.documentElement.style.setProperty("--services", String(Math.max(1, state.services.length)));
    const body = $("services").tBodies[0];
    body.replaceChildren(...state.services.map((service) => {
      const row = element("tr", service.waiting ? "" : "empty");
      row.dataset.service = service.service;
      row.append(element("td", "name", service.name), element("td", "count", String(service.waiting)), etaCell(service));
      return row;
    }));
  };

  const tick = () => {
    $("clock").textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  };

  // -- sound: the chime, then the call said by the hub ------------------------------------------------
  const chime = $("chime");
  const speech = $("speech");
  const pending = [];
  let playing = false;

  const finished = (audio, limitMs) => new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ["ended", "error", "pause"].forEach((name) => audio.removeEventListener(name, done));
      resolve();
    };
    const timer = setTimeout(done, limitMs);
    ["ended", "error", "pause"].forEach((name) => audio.addEventListener(name, done));
  });

  const soundBlocked = () => {
    debug.soundBlocked = true;
    pending.length = 0;
    $("sound").hidden = false;
  };

  const playNext = async () => {
    if (playing || !pending.length) return;
    playing = true;
    const item = pending.shift();
    const urls = LANGS.map((lang) => `/api/v1/announcements/${encodeURIComponent(item.id)}.wav?lang=${encodeURIComponent(lang)}`);
    const entry = { ticket: item.id, number: item.number, recall: item.recall, queuedAt: item.queuedAt, urls, played: [] };
    debug.announced.push(entry);
    try {
      speech.src = urls[0];  // the hub renders and we fetch it while the chime plays
      speech.load();
      chime.currentTime = 0;
      await chime.play();
      entry.chimeAt = Date.now();
      await finished(chime, 3000);
      for (const url of urls) {
        if (speech.getAttribute("src") !== url) speech.src = url;
        try {
          await speech.play();
        } catch (error) {
          if (error.name === "NotAllowedError") throw error;
          entry.error = `${url}: ${error.name}`;  // e.g. the hub could not render it: say the rest
          continue;
        }
        if (entry.speechAt === undefined) entry.speechAt = Date.now();
        entry.played.push(url);
        await finished(speech, 20000);
      }
      entry.endedAt = Date.now();
    } catch (error) {
      entry.error = error.name || String(error);
      if (error.name === "NotAllowedError") soundBlocked();
    } finally {
      playing = false;
      playNext();
    }
  };

  const announce = (call, recall) => {
    if (!SOUND || debug.soundBlocked) return;
    pending.push({ id: call.id, number: call.number, recall, queuedAt: Date.now() });
    if (pending.length > 4) pending.splice(0, pending.length - 4);  // never fall minutes behind the room
    playNext();
  };

  // Browsers refuse sound until someone touches the page (unless told otherwise, e.g.
  // --autoplay-policy=no-user-gesture-required on a kiosk PC). Probe once, silently.
  const probeSound = () => {
    if (!SOUND) return;
    const probe = new Audio("/display/chime.wav");  // its own element: a call may start the real chime meanwhile
    probe.volume = 0;
    probe.play()
      .then(() => probe.pause())
      .catch((error) => { if (error.name === "NotAllowedError") soundBlocked(); });
  };

  $("sound").addEventListener("click", () => {
    debug.soundBlocked = false;
    $("sound").hidden = true;
    chime.currentTime = 0;
    chime.play().catch(() => soundBlocked());  // inside the click: the browser allows it from now on
  });

  // -- the connection (live.js: reconnects with the pages' one backoff), resync on every snapshot ---------
  let live = null;
  let lastMessageAt = Date.now();

  const setConnected = (connected) => {
    debug.connected = connected;
    document.body.classList.toggle("connected", connected);
    $("connection").textContent = connected ? "Live" : "Reconnecting…";
    $("banner").hidden = connected;
    if (connected) debug.connects += 1;
  };

  const connect = () => {
    live = window.LobbyLive.connect({
      url: "/api/v1/events",
      onMessage: (message) => {
        lastMessageAt = Date.now();
        debug.events += 1;
        try {
          onMessage(message);
        } catch (error) {
          console.error("bad event", error);
        }
      },
      onState: (now) => { if (now === "reconnecting") setConnected(false); },
    });
  };

  // A quiet branch sends nothing for minutes; a dead link also sends nothing. Tell them apart.
  setInterval(() => {
    if (!live || live.state !== "open" || Date.now() - lastMessageAt < 45000) return;
    getJson("/api/v1/branch").then(() => { lastMessageAt = Date.now(); }).catch(() => live.drop());
  }, 15000);
  window.addEventListener("online", () => { if (!debug.connected) live.reconnectNow(); });  // the network is back

  tick();
  setInterval(tick, 10000);
  renderCalls();
  probeSound();
  connect();
})();
