// The bank's app passes its customer token (?token=…); standing alone, this page makes one per browser.
const i18n = window.LobbyI18n;
const params = new URLSearchParams(location.search);
const token = params.get("token") || sessionStorage.getItem("lobbyCustomerToken") ||
  (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
sessionStorage.setItem("lobbyCustomerToken", token);
// The page's language: the one chosen here (the switch, or the language the customer wrote in), else the
// app's (?lang=), else the browser's. It goes with every message; the hub answers in the turn's language.
const LANG_KEY = "lobbyChatLang";
let lang = i18n.normalise(sessionStorage.getItem(LANG_KEY)) || i18n.normalise(params.get("lang")) || i18n.browserLang();
const channel = params.get("channel") === "web" ? "web" : "mobile";
const log = document.getElementById("log");
const input = document.getElementById("text");
const languages = document.getElementById("languages");
const connection = document.getElementById("connection");
let busy = false;
let names = null;  // service and counter names in the page's language
const redraws = [];  // what to re-word when the language changes (the cards, the rating rows)
const say = (key, slots) => i18n.text(lang, key, slots);

const el = (tag, cls, text) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
};
const add = (node) => { log.appendChild(node); log.scrollTop = log.scrollHeight; return node; };
const qr = (data) => {
  const img = el("img");
  img.src = `/api/v1/qr.svg?data=${encodeURIComponent(data)}`;
  return img;
};
/** A node whose words follow the page's language: `draw()` now and after every switch. */
const worded = (draw) => { redraws.push(draw); draw(); };
const serviceName = (item) => i18n.serviceName(item, lang, names);

function setLang(wanted) {
  const next = i18n.normalise(wanted);
  if (!next || next === lang) return;
  lang = next;
  sessionStorage.setItem(LANG_KEY, lang);
  names = null;
  drawPage();
  loadNames();
}
function drawPage() {
  i18n.applyPage(lang);
  i18n.markLanguage(languages, lang);
  for (const draw of redraws) draw();
}
function loadNames() {
  const wanted = lang;
  i18n.branchNames(wanted).then((found) => {
    if (lang !== wanted) return;
    names = found;
    for (const draw of redraws) draw();
  });
}

const cards = new Map();  // ticket id -> {ticket, draw}, updated by the pushes

const ticketCard = (t) => {
  const card = el("section", "card ticket");
  const text = el("div");
  const name = el("h2");
  const status = el("p", "status");
  const arrive = el("p", "arrive");
  const follow = el("a");
  const image = qr(new URL(t.track_url, location.href).href);
  text.append(name, el("div", "big number", t.number), status);
  if (t.arrive_by) text.append(arrive);
  text.append(follow);
  card.append(text, image);
  const entry = { ticket: t };
  entry.draw = () => {
    const now = entry.ticket;
    card.setAttribute("aria-label", say("ticket.card", { number: now.number }));
    name.textContent = serviceName(now);
    status.textContent = i18n.chatStatus(now, lang, names);
    if (now.arrive_by) arrive.textContent = say("ticket.arrive", { time: i18n.clock(now.arrive_by, lang) });
    else arrive.remove();
    follow.textContent = say("ticket.follow");
    follow.href = `${now.track_url}${now.track_url.includes("?") ? "&" : "?"}lang=${lang}`;
    image.alt = say("ticket.qr");
  };
  cards.set(t.id, entry);
  worded(entry.draw);
  return card;
};
const updateCard = (t) => {
  const entry = cards.get(t.id);
  if (!entry) return;
  entry.ticket = t;
  entry.draw();
};
const appointmentCard = (a) => {
  const card = el("section", "card appointment");
  const text = el("div");
  const title = el("h2");
  const when = el("div");
  text.append(title, when, el("div", "big code", a.code));
  card.append(text);
  const cancelled = a.status === "cancelled";
  const checkIn = el("p");
  const ics = el("a");
  const image = cancelled ? null : qr(a.code);
  if (!cancelled) {
    ics.href = `/api/v1/appointments/${a.code}/calendar.ics`;
    text.append(checkIn, ics);
    card.append(image);
  }
  worded(() => {
    card.setAttribute("aria-label", say("appointment.card", { code: a.code }));
    title.textContent = say(cancelled ? "appointment.cancelled" : "appointment.yours");
    when.textContent = say("appointment.when", { service: serviceName(a), time: i18n.dateTime(a.starts_at, lang) });
    checkIn.textContent = say("appointment.check_in", { time: i18n.dateTime(a.check_in_from, lang) });
    ics.textContent = say("appointment.calendar");
    if (image) image.alt = say("appointment.qr", { code: a.code });
  });
  return card;
};

const rating = (ticketId) => {
  const row = el("div", "rate");
  row.setAttribute("role", "group");
  const question = el("span");
  row.append(question);
  const stars = [];
  let answer = null;  // {ok} | {error} once rated
  for (let score = 1; score <= 5; score++) {
    const star = el("button", "", "★".repeat(score));
    star.type = "button";
    star.addEventListener("click", async () => {
      try {
        const response = await fetch("/api/v1/ratings", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Customer-Token": token },
          body: JSON.stringify({ ticket_id: ticketId, score, channel }),
        });
        answer = response.ok ? { ok: true } : { error: (await response.json()).error };
      } catch (_err) {
        answer = { error: null };
      }
      row.replaceChildren(question);
      draw();
    });
    stars.push(star);
    row.append(star);
  }
  const draw = () => {
    row.setAttribute("aria-label", say("rating.question"));
    if (answer) question.textContent = answer.ok ? say("rating.thanks") : i18n.errorText(lang, answer.error);
    else question.textContent = say("rating.question");
    stars.forEach((star, index) => star.setAttribute("aria-label", say("rating.star", { score: index + 1 })));
  };
  worded(draw);
  return row;
};

/** A note in the conversation, worded now and again after a switch (`error`: a hub error or null). */
const note = (key, error) => {
  const node = el("p", "note");
  worded(() => { node.textContent = error === undefined ? say(key) : i18n.errorText(lang, error, key); });
  return add(node);
};

const show = (reply) => {
  // The customer wrote in the other language (Chinese on an English page): the page follows them.
  if (reply.lang) setLang(reply.lang);
  for (const m of reply.messages || []) {
    const bubble = add(el("div", "msg bot", m.text || ""));
    if (m.buttons && m.buttons.length) {
      const row = el("div", "replies");
      row.setAttribute("role", "group");
      worded(() => row.setAttribute("aria-label", say("chat.replies")));
      for (const b of m.buttons) {
        const button = el("button", "", b.title);
        button.type = "button";
        button.addEventListener("click", () => send(b.payload, b.title));
        row.append(button);
      }
      bubble.append(row);
    }
  }
  if (reply.ticket) { add(ticketCard(reply.ticket)); add(rating(reply.ticket.id)); }
  if (reply.appointment) add(appointmentCard(reply.appointment));
  if (reply.degraded) note("chat.degraded");
};

// The chat WebSocket carries replies and the pushes about this customer's tickets (nearly your turn,
// called, expired). While it is down, messages go over POST /api/v1/chat and it reconnects (live.js).
let live = null;
let pending = null;  // resolves the reply to the message in flight on the socket
let connectionState = "";  // "" | "lost" | "back"
const drawConnection = () => {
  connection.textContent = connectionState === "lost" ? say("chat.reconnecting")
    : connectionState === "back" ? say("chat.reconnected") : "";
};
redraws.push(drawConnection);
const onPush = (push) => {
  const kind = push.type === "ticket.called" ? "called" : push.type === "ticket.expired" ? "expired" : "near";
  const alert = add(el("p", `push ${kind}`, push.text));
  alert.setAttribute("role", "alert");
  if (push.ticket) updateCard(push.ticket);
};
const connect = () => {
  live = window.LobbyLive.connect({
    url: `/api/v1/chat/ws?${new URLSearchParams({ token, channel })}`,
    onOpen: (_socket, info) => {
      document.body.dataset.socket = "open";
      if (info.reconnected) {  // a lost connection is worth a notice; never having had one at first is not
        connectionState = "back";
        drawConnection();
        setTimeout(() => { if (connectionState === "back") { connectionState = ""; drawConnection(); } }, 4000);
      }
    },
    onMessage: (data) => {
      if (data.type === "snapshot") {  // tickets this customer holds: shown again after a reload
        for (const t of data.tickets || []) if (!cards.has(t.id)) add(ticketCard(t));
      } else if (data.type === "reply" || data.type === "error") {
        if (pending) { pending(data); pending = null; }
      } else if (data.type && data.type.startsWith("ticket.")) {
        onPush(data);
      }
    },
    onState: (state, link) => {
      if (state !== "reconnecting") return;
      document.body.dataset.socket = "closed";
      if (link.connects > 0) { connectionState = "lost"; drawConnection(); }
      if (pending) { pending(null); pending = null; }
    },
  });
};
const overSocket = (message) => new Promise((resolve) => {
  pending = resolve;
  if (!live.send(JSON.stringify({ message, lang }))) { pending = null; resolve(null); }
});
const overPost = async (message) => {
  const response = await fetch("/api/v1/chat", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Customer-Token": token },
    body: JSON.stringify({ message, channel, lang }),
  });
  return response.json();
};

async function send(message, shown) {
  if (busy || !message.trim()) return;
  busy = true;
  add(el("div", "msg me", shown || message));
  try {
    let body = live && live.socket ? await overSocket(message) : null;
    if (body === null) body = await overPost(message);  // no socket, or it closed before answering
    if (body.error) note("error.unreachable", body.error);
    else show(body);
  } catch (error) {
    note("error.unreachable");
  } finally {
    busy = false;
    input.focus();
  }
}

document.getElementById("form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = "";
  send(text);
});
i18n.languageSwitch(languages, lang, (wanted) => { setLang(wanted); input.focus(); });
drawPage();
const greeting = add(el("div", "msg bot"));
worded(() => { greeting.textContent = say("chat.greeting"); });
loadNames();
connect();
