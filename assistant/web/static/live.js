// One reconnecting WebSocket for every page (chat, console, dashboard, display, track): the same backoff
// everywhere, so a hub restart is survived the same way by every screen in the branch. Plain script, no
// build step; pages load it before their own script and use window.LobbyLive.
//
//   const live = LobbyLive.connect({
//     url: "/api/v1/events",          // a path on this hub (ws: or wss: as the page), a full ws URL, or a function
//     onOpen(socket, info) {},        // every (re)connect: resubscribe here (send a token...); info.reconnected
//     onMessage(data, event) {},      // each message, parsed as JSON (a message that is not JSON is skipped)
//     onState(state, live) {},        // "connecting" | "open" | "reconnecting" | "stopped": show it on screen
//     onClose(event) {},              // return false: stop for good; a number: wait at least that many ms
//   });
//   live.send(text) -> bool, live.close(), live.drop() (a link found dead), live.reconnectNow() (network back)
//
// The pages' snapshots need nothing from here: the hub sends one first on every connection, and a page
// redraws from it exactly as on its first load.
"use strict";

(() => {
  // The one policy (the announcer's too): 0.5 s, doubling, never over 10 s; back to 0.5 s once a
  // connection has stayed up 5 s (a hub that accepts and drops at once keeps the waits growing). An
  // attempt still not open after 10 s counts as failed: a hub host gone from the network answers
  // nothing, and a browser can wait minutes for that (and a socket its page's policy blocked fires an
  // error but never a close).
  const POLICY = Object.freeze({ baseMs: 500, capMs: 10000, stableMs: 5000, openTimeoutMs: 10000 });

  /**
   * The wait before reconnect attempt `attempt` (0: the first after a drop), in ms. Exponential and capped,
   * with "equal jitter": a random point in the upper half of min(cap, base * 2^attempt). The lower half is
   * never used so the waits still grow; the spread keeps a lobby full of screens from reconnecting in step
   * after a hub restart. Pure: `random` (0..1) may be given, for tests.
   */
  function backoff(attempt, options = {}) {
    const base = options.baseMs === undefined ? POLICY.baseMs : options.baseMs;
    const cap = options.capMs === undefined ? POLICY.capMs : options.capMs;
    const random = options.random || Math.random;
    const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  const socketUrl = (url) => {
    const wanted = typeof url === "function" ? url() : url;
    if (/^wss?:/.test(wanted)) return wanted;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}${wanted}`;
  };

  const KEPT_DELAYS = 50;  // the last waits, for tests and diagnostics
  const connections = [];  // the page's live sockets (not closed), for tests and diagnostics

  class LiveSocket {
    constructor(options) {
      this.options = options;
      this.policy = {
        baseMs: options.baseMs === undefined ? POLICY.baseMs : options.baseMs,
        capMs: options.capMs === undefined ? POLICY.capMs : options.capMs,
        stableMs: options.stableMs === undefined ? POLICY.stableMs : options.stableMs,
        openTimeoutMs: options.openTimeoutMs === undefined ? POLICY.openTimeoutMs : options.openTimeoutMs,
        random: options.random,
      };
      this.state = "new";
      this.attempt = 0;      // drops since the last stable connection
      this.connects = 0;     // connections opened so far
      this.delays = [];      // the waits scheduled, newest last
      this.socket = null;    // the open socket, or null
      this.stopped = false;
      this.ws = null;        // the socket being opened or open
      this.retryTimer = null;
      this.stableTimer = null;
      this.openTimer = null;
    }

    start() {
      this.setState("connecting");
      this.open();
      return this;
    }

    setState(state) {
      if (this.state === state) return;
      this.state = state;
      if (this.options.onState) this.options.onState(state, this);
    }

    open() {
      clearTimeout(this.retryTimer);
      if (this.stopped) return;
      let ws;
      try {
        ws = new WebSocket(socketUrl(this.options.url));
      } catch (error) {  // e.g. a malformed URL: treated as a drop, so it is retried with the same policy
        console.warn("live: cannot open", error);
        this.lost(null, { code: 1006, reason: String(error) });
        return;
      }
      this.ws = ws;
      this.openTimer = setTimeout(() => {
        if (this.ws !== ws || this.socket === ws) return;  // dropped meanwhile, or open
        this.detach();
        this.lost(null, { code: 4008, reason: "not open in time" });
      }, this.policy.openTimeoutMs);
      ws.onopen = () => {
        if (this.ws !== ws) return;
        clearTimeout(this.openTimer);
        this.socket = ws;
        this.connects += 1;
        clearTimeout(this.stableTimer);
        this.stableTimer = setTimeout(() => { this.attempt = 0; }, this.policy.stableMs);
        this.setState("open");
        if (this.options.onOpen) this.options.onOpen(ws, { reconnected: this.connects > 1, live: this });
      };
      ws.onmessage = (event) => {
        if (this.ws !== ws || !this.options.onMessage) return;
        let data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          console.warn("live: a message that is not JSON", error);
          return;
        }
        this.options.onMessage(data, event);
      };
      ws.onclose = (event) => { if (this.ws === ws) this.lost(ws, event); };
    }

    detach() {
      const ws = this.ws;
      this.ws = null;
      this.socket = null;
      clearTimeout(this.stableTimer);
      clearTimeout(this.openTimer);
      if (ws) {
        ws.onopen = ws.onmessage = ws.onclose = null;
        try { ws.close(); } catch (_error) { /* already closed */ }
      }
    }

    lost(ws, event) {
      if (ws) this.detach();
      if (this.stopped) return;
      const asked = this.options.onClose ? this.options.onClose(event) : undefined;
      if (asked === false) {
        this.stopped = true;
        this.setState("stopped");
        return;
      }
      const delay = Math.max(backoff(this.attempt, this.policy), typeof asked === "number" ? asked : 0);
      this.attempt += 1;
      this.delays.push(delay);
      if (this.delays.length > KEPT_DELAYS) this.delays.shift();
      this.setState("reconnecting");
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.open(), delay);
    }

    /** Send on the open socket; false when there is none (the caller falls back, e.g. to HTTP). */
    send(text) {
      if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
      this.socket.send(text);
      return true;
    }

    /** Stop for good (sign-out, page leaving): no reconnect, no state change shown. */
    close() {
      this.stopped = true;
      this.state = "stopped";
      clearTimeout(this.retryTimer);
      this.detach();
      const at = connections.indexOf(this);
      if (at >= 0) connections.splice(at, 1);
    }

    /** The link is known dead (no answer for long): drop it now and reconnect with the usual backoff. */
    drop() {
      if (this.stopped) return;
      this.detach();
      this.lost(null, { code: 4000, reason: "dropped" });
    }

    /** Try at once (e.g. the browser says the network is back), unless already open. */
    reconnectNow() {
      if (this.stopped || this.state === "open") return;
      this.detach();
      this.open();
    }
  }

  function connect(options) {
    const live = new LiveSocket(options);
    connections.push(live);
    return live.start();
  }

  window.LobbyLive = Object.freeze({ POLICY, backoff, connect, connections });
})();
