// Words follow the ticket's language (the one it was taken in); `?lang=` (the chat page's link) and the
// switch (remembered for this ticket) override it.
const i18n = window.LobbyI18n;
const ticketId = location.pathname.split("/").pop();
const OVERRIDE_KEY = `lobby.track.lang.${ticketId}`;
const stored = (() => { try { return localStorage.getItem(OVERRIDE_KEY); } catch (_err) { return null; } })();
let chosen = i18n.normalise(stored);      // pressed on the switch
let ticket = null;                        // the last ticket read
let problem = null;                       // the last error shown instead of the ticket: {code, message} | null
let notifyPosition = 3;
let names = null;                         // service and counter names in the page's language
const asked = i18n.normalise(new URLSearchParams(location.search).get("lang"));  // e.g. from the chat page
const $ = (id) => document.getElementById(id);
const say = (key, slots) => i18n.text(lang(), key, slots);

function lang() {
  return chosen || asked || i18n.normalise(ticket && ticket.lang) || i18n.browserLang();
}

function loadNames() {
  const wanted = lang();
  i18n.branchNames(wanted).then((found) => { if (lang() === wanted) { names = found; draw(); } });
}

function draw() {
  const current = lang();
  i18n.applyPage(current);
  i18n.markLanguage($("languages"), current);
  if (problem && !ticket) {
    $("service").textContent = i18n.errorText(current, problem);
    return;
  }
  if (!ticket) {
    $("service").textContent = say("track.loading");
    return;
  }
  const t = ticket;
  const come = $("come");
  come.style.display = t.status === "waiting" && t.position > 0 && t.position <= notifyPosition ? "block" : "none";
  come.textContent = say(t.arrive_by ? "track.come_remote" : "track.come_local");
  // Joined from the app and not checked in yet: the kiosk scans this page's QR code.
  $("arrival").style.display = t.arrive_by && t.status === "waiting" ? "block" : "none";
  if (t.arrive_by) {
    $("deadline").textContent = problem ? i18n.errorText(current, problem) : say("track.deadline", { time: i18n.clock(t.arrive_by, current) });
    const qr = $("qr");
    if (!qr.getAttribute("src")) qr.src = `/api/v1/qr.svg?data=${encodeURIComponent(location.href)}`;
  }
  $("service").textContent = i18n.serviceName(t, current, names);
  $("number").textContent = t.number;
  const status = $("status");
  const eta = $("eta");
  status.className = "";
  eta.textContent = "";
  if (t.status === "waiting") {
    status.textContent = t.position <= 1 ? say("track.next") : say("track.ahead", { ahead: t.position - 1 });
    eta.textContent = i18n.etaText(t, current, "track") || say("track.eta_unknown");
  } else if (t.status === "called") {
    status.textContent = say("track.called", { counter: i18n.counterName(t, current, names) });
    status.className = "called";
  } else {
    status.textContent = i18n.finishedText(t, current);
  }
}

const show = (body) => {
  if (body.error) { problem = body.error; } else { ticket = body; problem = null; }
  draw();
  loadNames();
};
const refresh = () => fetch(`/api/v1/tickets/${ticketId}`).then((r) => r.json()).then(show)
  .catch(() => { if (!ticket) { problem = null; $("service").textContent = say("error.unreachable"); } });

i18n.languageSwitch($("languages"), lang(), (wanted) => {
  chosen = wanted;
  try { localStorage.setItem(OVERRIDE_KEY, wanted); } catch (_err) { /* private mode: for this visit only */ }
  names = null;
  draw();
  loadNames();
});
draw();
fetch("/api/v1/branch").then((r) => r.json()).then((b) => { notifyPosition = b.notify_position || notifyPosition; draw(); })
  .catch(() => {});
$("here").addEventListener("click", async () => {
  try {
    const body = await (await fetch(`/api/v1/tickets/${ticketId}/arrive`, { method: "POST" })).json();
    show(body);
  } catch (_err) {
    $("deadline").textContent = say("error.unreachable");
  }
});
// This ticket's own stream: the ticket now, then again whenever it (or its place, or its ETA) changes.
// Nobody else's tickets reach this page; the hub decides what concerns this one. Every (re)connect
// starts with the ticket as it is (the snapshot), so a page that was cut off is right again at once.
const connect = () => window.LobbyLive.connect({
  url: `/api/v1/tickets/${encodeURIComponent(ticketId)}/events`,
  onMessage: (message) => {
    const shown = message.type === "snapshot" ? message.ticket : message.data && message.data.ticket;
    if (shown) show(shown);
  },
  onClose: (event) => {
    if (event.code === 4404) { refresh(); return false; }  // no such ticket: say so, and stop asking
    return event.code === 4429 ? 30000 : undefined;  // too many pages on this ticket: come back later
  },
  onState: (state) => { document.body.dataset.live = state; },
});
refresh(); connect();
