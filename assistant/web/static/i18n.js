// Words the customer pages (/t/{id}, /chat) show, per language, and the few helpers that use them.
// Plain JS, served by the hub at /static/i18n.js (no CDN: branches are often offline).
//
// A catalog is one language: keys -> templates with {name} slots. Adding a language is adding a catalog
// (and its entry in LANGUAGES); a key a catalog lacks falls back to English. The hub's own error messages
// are English, so a Chinese page shows the catalog's sentence for the error's code instead.
"use strict";
(() => {
  const LANGUAGES = {
    en: { name: "English", html: "en", locale: "en-GB" },
    zh: { name: "中文", html: "zh-Hans", locale: "zh-CN" },
  };
  const DEFAULT = "en";

  const CATALOGS = {
    en: {
      "lang.switch": "Language",
      "counter.numbered": "Counter {number}",
      // /t/{id}
      "track.title": "Your ticket",
      "track.loading": "Loading your ticket…",
      "track.number": "ticket number",
      "track.next": "You are next.",
      "track.ahead": "{ahead} ahead of you",
      "track.eta": "About {low}–{high} minutes",
      "track.eta_one": "About {low} minutes",
      "track.eta_under": "Less than {high} minutes",
      "track.eta_under_one": "Less than a minute",
      "track.eta_over": "More than {low} minutes",
      "track.eta_unknown": "We will call you when a counter opens.",
      "track.come_remote": "Time to head to the branch: you are nearly at the front.",
      "track.come_local": "Nearly your turn: please stay close to the counters.",
      "track.arrival": "Check in when you arrive",
      "track.deadline": "Your place is kept until {time}: check in at the branch by then.",
      "track.qr": "QR code of this ticket: scan it at the branch kiosk",
      "track.scan": "At the branch, scan this code at the kiosk, or press:",
      "track.here": "I'm at the branch",
      "track.called": "Please go to {counter} now.",
      // a ticket's state, on both pages
      "status.serving": "Being served",
      "status.served": "Served — thank you",
      "status.no_show": "Missed",
      "status.abandoned": "Cancelled",
      "status.expired": "Expired: nobody checked in at the branch in time.",
      "status.branch_closed": "The branch has closed and we could not serve you today. We are sorry: please come back on our next opening day.",
      // /chat
      "chat.title": "Talk to the branch",
      "chat.log": "Conversation",
      "chat.message": "Your message",
      "chat.placeholder": "Type a message, e.g. book an appointment",
      "chat.send": "Send",
      "chat.greeting": "Hello! I can book an appointment, tell you how busy the branch is, or help you get a ticket.",
      "chat.replies": "Quick replies",
      "chat.degraded": "The assistant is busy: you can still choose a service.",
      "error.unreachable": "We cannot reach the branch right now. Please try again in a moment.",
      "chat.reconnecting": "Connection lost: reconnecting… Your messages still reach the branch.",
      "chat.reconnected": "Connected again.",
      "chat.sep": " ",
      "chat.next": "You are next.",
      "chat.ahead": "{ahead} ahead of you.",
      "chat.eta": "About {low}–{high} minutes.",
      "chat.eta_one": "About {low} minutes.",
      "chat.eta_under": "Less than {high} minutes.",
      "chat.eta_under_one": "Less than a minute.",
      "chat.eta_over": "More than {low} minutes.",
      "chat.called": "Called: please go to {counter} now.",
      "ticket.card": "Ticket {number}",
      "ticket.arrive": "We keep your place until {time}. At the branch, scan this QR code at the kiosk.",
      "ticket.follow": "Follow your place",
      "ticket.qr": "QR code of your ticket, to scan at the kiosk",
      "appointment.card": "Appointment {code}",
      "appointment.yours": "Your appointment",
      "appointment.cancelled": "Appointment cancelled",
      "appointment.when": "{service}, {time}",
      "appointment.check_in": "Check in at the branch kiosk from {time}: scan this code or type it.",
      "appointment.calendar": "Add to calendar",
      "appointment.qr": "QR code of booking {code}, to scan at the kiosk",
      "rating.question": "How was our help today?",
      "rating.star": "{score} out of 5",
      "rating.thanks": "Thank you for your rating.",
    },
    zh: {
      "lang.switch": "语言",
      "counter.numbered": "{number}号窗口",
      "track.title": "我的排队号",
      "track.loading": "正在读取您的排队信息…",
      "track.number": "排队号码",
      "track.next": "您是下一位",
      "track.ahead": "前面还有{ahead}位",
      "track.eta": "大约{low}–{high}分钟",
      "track.eta_one": "大约{low}分钟",
      "track.eta_under": "不到{high}分钟",
      "track.eta_under_one": "不到一分钟",
      "track.eta_over": "超过{low}分钟",
      "track.eta_unknown": "柜台开放后将为您叫号。",
      "track.come_remote": "马上就轮到您了，请现在出发前往网点。",
      "track.come_local": "马上就轮到您了，请在柜台附近等候。",
      "track.arrival": "到网点后签到",
      "track.deadline": "请在{time}前到网点签到，我们为您保留排队位置。",
      "track.qr": "本排队号的二维码，请在网点自助机上扫描",
      "track.scan": "到网点后，请在自助机上扫描二维码签到，或点击：",
      "track.here": "我已到网点",
      "track.called": "请到{counter}办理。",
      "status.serving": "正在为您办理",
      "status.served": "业务已办结，感谢您的光临",
      "status.no_show": "已过号",
      "status.abandoned": "已取消",
      "status.expired": "已失效：未在保留时间内到网点签到。",
      "status.branch_closed": "网点已结束营业，今天未能为您办理，非常抱歉。请在下一个营业日再来。",
      "chat.title": "网点在线服务",
      "chat.log": "对话记录",
      "chat.message": "您的消息",
      "chat.placeholder": "请输入您要办理的业务，例如：预约",
      "chat.send": "发送",
      "chat.greeting": "您好！我可以帮您预约办理业务、查询网点排队情况，或为您取号。",
      "chat.replies": "快捷回复",
      "chat.degraded": "智能助手暂时繁忙，您仍可直接选择要办理的业务。",
      "error.unreachable": "暂时无法连接网点，请稍后再试。",
      "chat.reconnecting": "连接已断开，正在重新连接…您的消息仍可正常发送。",
      "chat.reconnected": "已重新连接。",
      "chat.sep": "",
      "chat.next": "您是下一位。",
      "chat.ahead": "前面还有{ahead}位。",
      "chat.eta": "大约还需{low}–{high}分钟。",
      "chat.eta_one": "大约还需{low}分钟。",
      "chat.eta_under": "不到{high}分钟。",
      "chat.eta_under_one": "不到一分钟。",
      "chat.eta_over": "超过{low}分钟。",
      "chat.called": "已叫到您的号，请到{counter}办理。",
      "ticket.card": "排队号 {number}",
      "ticket.arrive": "我们为您保留位置至{time}。到网点后，请在自助机上扫描此二维码签到。",
      "ticket.follow": "查看排队进度",
      "ticket.qr": "您的排队号二维码，请在网点自助机上扫描",
      "appointment.card": "预约 {code}",
      "appointment.yours": "您的预约",
      "appointment.cancelled": "预约已取消",
      "appointment.when": "{service}，{time}",
      "appointment.check_in": "{time}起可在网点自助机签到：扫描此二维码或输入预约码。",
      "appointment.calendar": "添加到日历",
      "appointment.qr": "预约码{code}的二维码，请在网点自助机上扫描",
      "rating.question": "您对今天的服务满意吗？",
      "rating.star": "{score}分（满分5分）",
      "rating.thanks": "感谢您的评价。",
    },
  };

  // The hub's error messages are English: a Chinese page says these instead, by the error's code.
  const ERRORS = {
    zh: {
      ticket_not_found: "没有找到这张排队号，请核对二维码或链接。",
      not_found: "没有找到您要的信息。",
      ticket_expired: "签到时间已过，排队号已失效。如需办理，请重新取号。",
      wrong_state: "这张排队号现在无法进行此操作。",
      remote_join_closed: "抱歉，这项业务现在不能在手机上取号，请到网点办理。",
      appointment_not_found: "没有找到这个预约码，请核对后重试。",
      rate_limited: "您操作得太快了，请稍等片刻再试。",
      unavailable: "系统暂时繁忙，请稍后再试。",
      invalid_input: "输入的内容有误，请检查后重试。",
      default: "抱歉，操作没有成功，请稍后再试或咨询工作人员。",
    },
  };

  /** 'zh-CN', 'zh_Hant', 'cmn' -> 'zh'; 'en-GB' -> 'en'; anything else (or nothing) -> null. */
  const normalise = (value) => {
    if (!value) return null;
    let base = String(value).trim().toLowerCase().replace("_", "-").split("-")[0];
    if (base === "cmn") base = "zh";
    return Object.prototype.hasOwnProperty.call(LANGUAGES, base) ? base : null;
  };

  /** The browser's own preference among our languages, else English. */
  const browserLang = () => {
    for (const wanted of navigator.languages || [navigator.language]) {
      const lang = normalise(wanted);
      if (lang) return lang;
    }
    return DEFAULT;
  };

  const text = (lang, key, slots = {}) => {
    const catalog = CATALOGS[normalise(lang) || DEFAULT];
    const template = catalog[key] !== undefined ? catalog[key] : CATALOGS[DEFAULT][key];
    if (template === undefined) return key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (slots[name] !== undefined ? String(slots[name]) : whole));
  };

  /** What to show for a hub error `{code, message}` (or a failed fetch: null). */
  const errorText = (lang, error, fallbackKey = "error.unreachable") => {
    if (!error) return text(lang, fallbackKey);
    const table = ERRORS[normalise(lang) || DEFAULT];
    if (!table) return error.message || text(lang, fallbackKey);
    return table[error.code] || table.default;
  };

  // Counter names come from the hub in the ticket's language (branch.yml names them per language). A page
  // switched to the other language looks them up (branchNames); failing that, a numbered counter is said
  // that language's way ("Counter 2" <-> "2号窗口") and any other name stays as configured.
  const NUMBERED_EN = /^(?:counter|window|desk)\s*(\d+)$/i;
  const NUMBERED_ZH = /^(?:(\d+)\s*号?\s*(?:窗口|柜台)|(?:窗口|柜台)\s*(\d+))$/;
  const counterInLang = (name, lang) => {
    const other = normalise(lang) === "zh" ? NUMBERED_EN.exec(name) : NUMBERED_ZH.exec(name);
    if (!other) return name;
    return text(lang, "counter.numbered", { number: other[1] || other[2] });
  };
  const counterName = (ticket, lang, names = null) => {
    const sameLang = normalise(ticket.lang) === normalise(lang);
    const looked = names && names.counters ? names.counters[ticket.counter] : undefined;
    const name = String((sameLang ? ticket.counter_name : looked) || ticket.counter_name || ticket.counter || "").trim();
    return counterInLang(name, lang);
  };
  const serviceName = (item, lang, names = null) => {
    const sameLang = normalise(item.lang) === normalise(lang);
    const looked = names && names.services ? names.services[item.service] : undefined;
    return (sameLang ? item.service_name : looked) || item.service_name || item.service;
  };

  const locale = (lang) => LANGUAGES[normalise(lang) || DEFAULT].locale;
  const clock = (iso, lang) => new Date(iso).toLocaleTimeString(locale(lang), { hour: "2-digit", minute: "2-digit" });
  const dateTime = (iso, lang) => new Date(iso).toLocaleString(locale(lang), {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

  /** A finished (or serving) ticket's state in words; null while it waits or is called. */
  const finishedText = (ticket, lang) => {
    if (ticket.outcome === "not_arrived") return text(lang, "status.expired");
    if (ticket.outcome === "branch_closed") return text(lang, "status.branch_closed");
    if (ticket.status === "waiting" || ticket.status === "called") return null;
    const key = `status.${ticket.status}`;
    const words = text(lang, key);
    return words === key ? ticket.status : words;
  };

  /** The ETA range in words, with the catalog's key prefix ("track" or "chat"); "" without one. Said as the
   * hub's wait model words it (`eta_wording`): "less than N" when the range starts at 0, "more than N" when it
   * is too wide to mean more, else the range. */
  const etaText = (ticket, lang, prefix) => {
    if (!ticket.eta_minutes) return "";
    const [low, high] = ticket.eta_minutes;
    if (ticket.eta_wording === "under") {
      return text(lang, high <= 1 ? `${prefix}.eta_under_one` : `${prefix}.eta_under`, { high });
    }
    if (ticket.eta_wording === "over") return text(lang, `${prefix}.eta_over`, { low });
    return text(lang, low === high ? `${prefix}.eta_one` : `${prefix}.eta`, { low, high });
  };

  /** A ticket in one sentence, for a chat card (`names`: from branchNames, for the counter's name). */
  const chatStatus = (ticket, lang, names = null) => {
    if (ticket.status === "called") return text(lang, "chat.called", { counter: counterName(ticket, lang, names) });
    const finished = finishedText(ticket, lang);
    if (finished !== null) return finished;
    const where = ticket.position <= 1 ? text(lang, "chat.next") : text(lang, "chat.ahead", { ahead: ticket.position - 1 });
    const eta = etaText(ticket, lang, "chat");
    return eta ? where + text(lang, "chat.sep") + eta : where;
  };

  // Service and counter names per language, from the hub (a ticket carries them in the language it was
  // taken in; a page switched to another language looks them up here). Read once per language.
  const nameLists = {};
  const table = (rows) => Object.fromEntries((rows || []).map((row) => [row.id, row.name]));
  const branchNames = (lang) => {
    const wanted = normalise(lang) || DEFAULT;
    if (!nameLists[wanted]) {
      const read = (path) => fetch(`${path}?lang=${wanted}`).then((response) => response.json());
      nameLists[wanted] = Promise.all([read("/api/v1/services"), read("/api/v1/queue")])
        .then(([services, queue]) => ({ services: table(services.services), counters: table(queue.counters) }))
        .catch(() => { delete nameLists[wanted]; return { services: {}, counters: {} }; });
    }
    return nameLists[wanted];
  };

  /** Sets <html lang>, and every element's words marked with data-i18n (text) or data-i18n-<attr>. */
  const applyPage = (lang, root = document) => {
    document.documentElement.lang = LANGUAGES[normalise(lang) || DEFAULT].html;
    for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = text(lang, node.dataset.i18n);
    for (const attr of ["placeholder", "aria-label", "alt", "title"]) {
      for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) {
        node.setAttribute(attr, text(lang, node.getAttribute(`data-i18n-${attr}`)));
      }
    }
  };

  /** Fills `nav` with one button per language (each named in its own language); `choose(lang)` on press. */
  const languageSwitch = (nav, current, choose) => {
    nav.replaceChildren();
    for (const lang of ["zh", "en"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.lang = LANGUAGES[lang].html;
      button.dataset.lang = lang;
      button.textContent = LANGUAGES[lang].name;
      button.setAttribute("aria-pressed", String(lang === current));
      button.addEventListener("click", () => choose(lang));
      nav.append(button);
    }
  };
  const markLanguage = (nav, current) => {
    for (const button of nav.querySelectorAll("button")) button.setAttribute("aria-pressed", String(button.dataset.lang === current));
  };

  window.LobbyI18n = Object.freeze({
    LANGUAGES, DEFAULT, normalise, browserLang, text, errorText, counterName, serviceName, clock, dateTime,
    finishedText, etaText, chatStatus, branchNames, applyPage, languageSwitch, markLanguage,
  });
})();
