/*
 * The clinic's chat widget. One tag on any page:
 *
 *   <script src="https://assistant.clinic.example/widget.js"
 *           data-server="https://assistant.clinic.example"
 *           data-clinic="Riverside Spine Clinic"
 *           data-color="#0b5cad"></script>
 *
 * data-server: the Rasa server (Socket.IO at /socket.io). data-clinic: the name in
 * the header. data-color: the header and button colour (a colour too light for
 * white text on it is replaced by the default, to keep WCAG AA contrast).
 * data-open="true" opens the chat when the page loads.
 *
 * Everything shown is set with textContent: nothing a patient or the assistant
 * types is ever read as HTML. The conversation (the server's signed token for it
 * and its messages) is kept in sessionStorage, so a reload in the same tab shows
 * it and carries it on; "start over" and "delete my data" clear that history.
 *
 * The server sends each answer the standard way ({text} or {text, quick_replies}),
 * then its custom payload (sources, questionnaire progress, alert, ...) as a
 * message of its own: this widget joins the two again.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__mildWidgetLoaded) { return; }
  window.__mildWidgetLoaded = true;

  var base = script.src.replace(/[^/]*$/, "");
  var config = {
    server: script.getAttribute("data-server") || base.replace(/\/$/, ""),
    clinic: script.getAttribute("data-clinic") || "our clinic",
    color: script.getAttribute("data-color") || "",
    open: script.getAttribute("data-open") === "true"
  };
  var DEFAULT_COLOR = "#0b5cad";
  var MAX_CHARS = 1000;
  var STORE_KEY = "mild-widget:" + config.server;
  var MAX_STORED = 200;

  // ---- colours: white text needs a contrast of at least 4.5:1 (WCAG AA)
  function luminance(hex) {
    var m = /^#?([0-9a-f]{6})$/i.exec(hex);
    if (!m) { return null; }
    var n = parseInt(m[1], 16);
    var channels = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(function (c) {
      c = c / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }
  function usableColor(hex) {
    var l = luminance(hex);
    return l !== null && (1.05) / (l + 0.05) >= 4.5 ? hex : DEFAULT_COLOR;
  }
  var color = usableColor(config.color);

  // ---- state kept across reloads of this tab
  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved.token === "string" && typeof saved.route === "string" &&
          Array.isArray(saved.messages)) { return saved; }
    } catch (e) { /* unreadable storage: start afresh */ }
    // token: the server's signed token for the conversation ("" until it gives one).
    // route: a random key that only tells a router (deploy/nginx) where to send this page.
    return { token: "", route: newId(), messages: [], open: config.open, greeted: false };
  }
  function save() {
    state.messages = state.messages.slice(-MAX_STORED);
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* full or blocked */ }
  }
  function newId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var state = load();
  var sourceTitles = {};

  // ---- DOM helpers: text only
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var style = el("style");
  style.textContent = [
    ".mw-root{--mw-color:" + color + ";position:fixed;right:16px;bottom:16px;z-index:2147483000;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1a1a1a}",
    ".mw-launch{background:var(--mw-color);color:#fff;border:0;border-radius:28px;padding:14px 20px;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".mw-root button:focus-visible,.mw-root textarea:focus-visible,.mw-root a:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 5px #fff}",
    ".mw-panel{display:flex;flex-direction:column;width:380px;max-width:calc(100vw - 32px);height:600px;max-height:calc(100vh - 96px);background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;margin-bottom:12px}",
    ".mw-panel[hidden]{display:none}",
    ".mw-head{background:var(--mw-color);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}",
    ".mw-head h2{font-size:1rem;margin:0;flex:1}",
    ".mw-head button{background:transparent;color:#fff;border:1px solid #fff;border-radius:6px;padding:4px 10px;font:inherit;cursor:pointer}",
    ".mw-note{font-size:.8rem;background:#f3f4f6;color:#374151;padding:6px 14px;margin:0}",
    ".mw-log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}",
    ".mw-msg{max-width:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".mw-bot{background:#eef1f5;align-self:flex-start}",
    ".mw-user{background:var(--mw-color);color:#fff;align-self:flex-end}",
    ".mw-alert{background:#fde8e8;color:#7a0b0b;border:2px solid #b42318;font-weight:600;align-self:stretch;max-width:100%}",
    ".mw-alert::before{content:'\\26A0\\FE0F  ';}",
    ".mw-sources{font-size:.8rem;color:#374151;margin-top:6px;border-top:1px solid #cfd5dd;padding-top:4px}",
    ".mw-sources ul{margin:2px 0 0 16px;padding:0}",
    ".mw-progress{font-size:.8rem;color:#374151;margin-bottom:4px}",
    ".mw-progress progress{width:100%;height:8px;accent-color:var(--mw-color)}",
    ".mw-result{font-size:.85rem;margin-top:6px}",
    ".mw-replies{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}",
    ".mw-replies button{background:#fff;color:var(--mw-color);border:2px solid var(--mw-color);border-radius:16px;padding:6px 12px;font:inherit;font-size:.9rem;cursor:pointer}",
    ".mw-replies button:disabled{color:#4b5563;border-color:#9ca3af;cursor:default}",
    ".mw-typing{font-size:.85rem;color:#374151;padding:0 14px 6px;min-height:1.3em}",
    ".mw-form{display:flex;gap:6px;border-top:1px solid #d1d5db;padding:8px}",
    ".mw-form textarea{flex:1;resize:none;font:inherit;padding:8px;border:1px solid #6b7280;border-radius:8px;min-height:44px}",
    ".mw-form button{background:var(--mw-color);color:#fff;border:0;border-radius:8px;padding:0 16px;font:inherit;font-weight:600;cursor:pointer;min-height:44px}",
    ".mw-status{font-size:.8rem;color:#7a0b0b;padding:0 14px}",
    ".mw-sr{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}",
    // a phone: the open chat fills the screen (its height follows the on-screen keyboard)
    // and the launcher hides, since the header's Close button does its job
    "@media (max-width:480px){.mw-root{right:0;bottom:0;left:0}.mw-panel{width:100vw;max-width:100vw;height:100vh;height:100dvh;max-height:100vh;max-height:100dvh;border-radius:0;margin:0}.mw-launch{position:fixed;right:12px;bottom:12px}.mw-root.mw-open .mw-launch{display:none}.mw-head{padding:8px 10px;gap:6px}.mw-head h2{font-size:.95rem}}"
  ].join("\n");
  document.head.appendChild(style);

  var root = el("div", { "class": "mw-root" });
  var panel = el("section", { "class": "mw-panel", id: "mw-panel", "aria-label": "Chat with the " + config.clinic + " assistant" });
  var head = el("div", { "class": "mw-head" });
  var title = el("h2", {}, config.clinic + " assistant");
  var restart = el("button", { type: "button", "class": "mw-restart" }, "Start over");
  var close = el("button", { type: "button", "aria-label": "Close the chat" }, "Close");
  head.appendChild(title); head.appendChild(restart); head.appendChild(close);
  var note = el("p", { "class": "mw-note" },
    "Automated assistant: general information, not medical advice. In an emergency call your local emergency number.");
  var log = el("div", { "class": "mw-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0", "aria-label": "Conversation" });
  var typing = el("div", { "class": "mw-typing", "aria-hidden": "true" });
  var status = el("div", { "class": "mw-status", role: "status" });
  var form = el("form", { "class": "mw-form" });
  var label = el("label", { "for": "mw-input", "class": "mw-sr" }, "Your message");
  var input = el("textarea", { id: "mw-input", rows: "1", maxlength: String(MAX_CHARS), placeholder: "Type your question…", autocomplete: "off" });
  var send = el("button", { type: "submit" }, "Send");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(head); panel.appendChild(note); panel.appendChild(log); panel.appendChild(typing);
  panel.appendChild(status); panel.appendChild(form);
  var launch = el("button", { type: "button", "class": "mw-launch", "aria-controls": "mw-panel" }, "Chat with us");
  root.appendChild(panel); root.appendChild(launch);

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launch.setAttribute("aria-expanded", String(open));
    launch.textContent = open ? "Hide chat" : "Chat with us";
    root.className = open ? "mw-root mw-open" : "mw-root";
    save();
    if (open) { input.focus(); }
  }

  // ---- rendering one stored message: the nodes that show it
  function render(message) {
    if (message.from === "user") {
      return [el("div", { "class": "mw-msg mw-user" }, message.text)];
    }
    var nodes = [];
    var custom = message.custom && typeof message.custom === "object" ? message.custom : {};
    var box = el("div", { "class": "mw-msg mw-bot" });
    if (custom.alert) {
      box.className = "mw-msg mw-alert";
      box.setAttribute("role", "alert");
    }
    if (custom.questionnaire && custom.questionnaire.of) {
      var q = custom.questionnaire;
      var progress = el("div", { "class": "mw-progress" });
      progress.appendChild(el("div", {}, "Question " + q.step + " of " + q.of));
      progress.appendChild(el("progress", { max: String(q.of), value: String(q.step), "aria-label": "Questionnaire progress" }));
      box.appendChild(progress);
    }
    if (message.text) { box.appendChild(el("div", { "class": "mw-text" }, message.text)); }
    if (Array.isArray(custom.sources) && custom.sources.length) {
      var sources = el("div", { "class": "mw-sources" });
      sources.appendChild(el("span", {}, "Sources:"));
      var list = el("ul");
      custom.sources.forEach(function (id) { list.appendChild(el("li", {}, sourceTitles[id] || id)); });
      sources.appendChild(list);
      box.appendChild(sources);
    }
    if (custom.consultation_request && custom.consultation_request.reference) {
      box.appendChild(el("div", { "class": "mw-result" }, "Reference: " + custom.consultation_request.reference));
    }
    if (box.childNodes.length) { nodes.push(box); }
    var replies = Array.isArray(message.quick_replies) ? message.quick_replies : [];
    if (replies.length) {
      var group = el("div", { "class": "mw-replies", role: "group", "aria-label": "Suggested replies" });
      replies.forEach(function (reply) {
        var button = el("button", { type: "button" }, reply.title);
        if (message.answered) { button.disabled = true; }
        button.addEventListener("click", function () {
          if (message.answered) { return; }
          message.answered = true;
          sendMessage(reply.title, reply.payload);
        });
        group.appendChild(button);
      });
      nodes.push(group);
    }
    return nodes;
  }
  function show(nodes) { nodes.forEach(function (node) { log.appendChild(node); }); }
  var last = null;  // the last bot message of this turn and its nodes: its custom payload may follow
  function renderAll() {
    while (log.firstChild) { log.removeChild(log.firstChild); }
    last = null;
    state.messages.forEach(function (m) { show(render(m)); });
    log.scrollTop = log.scrollHeight;
  }
  function add(message) {
    // a new message answers every earlier set of quick replies
    state.messages.forEach(function (m) { if (m.quick_replies) { m.answered = true; } });
    Array.prototype.forEach.call(log.querySelectorAll(".mw-replies button"), function (b) { b.disabled = true; });
    state.messages.push(message);
    save();
    var nodes = render(message);
    show(nodes);
    last = message.from === "bot" ? { message: message, nodes: nodes } : null;
    log.scrollTop = log.scrollHeight;
  }
  // a custom payload on its own: it belongs to the bot message just before it
  function addCustom(custom) {
    if (!last || last.message.custom) {
      add({ from: "bot", text: "", custom: custom });
      return;
    }
    last.message.custom = custom;
    save();
    var nodes = render(last.message);
    var anchor = last.nodes.length ? last.nodes[0] : null;
    nodes.forEach(function (node) { log.insertBefore(node, anchor); });
    last.nodes.forEach(function (node) { if (node.parentNode) { node.parentNode.removeChild(node); } });
    last.nodes = nodes;
    log.scrollTop = log.scrollHeight;
  }
  // start over, delete my data: the history kept in this tab goes, the last answer stays
  function clearHistory() {
    var keep = [];
    for (var i = state.messages.length - 1; i >= 0; i--) {
      if (state.messages[i].from === "bot") { keep = [state.messages[i]]; break; }
    }
    state.messages = keep;
    save();
    renderAll();
  }

  // ---- talking to the server
  var socket = null;
  var typingTimer = null;
  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.textContent = on ? "The assistant is typing…" : "";
    if (on) { typingTimer = setTimeout(function () { showTyping(false); }, 15000); }
  }
  function sendMessage(shown, payload) {
    var text = (payload || shown || "").trim();
    if (!text) { return; }
    if (text.length > MAX_CHARS) {
      status.textContent = "That message is too long: please keep it under " + MAX_CHARS + " characters.";
      return;
    }
    if (!socket) { return; }
    status.textContent = socket.connected ? "" : "Not connected: your message will be sent when the connection is back.";
    add({ from: "user", text: shown });
    showTyping(true);
    emit(text);
  }
  // Messages wait until the server has put this page in the conversation's room;
  // before that, the replies would go nowhere.
  var confirmed = false;
  var pending = [];
  function emit(text) {
    if (confirmed && socket.connected) {
      socket.emit("user_uttered", { message: text, session_id: state.token });
    } else {
      pending.push(text);
    }
  }
  function connect() {
    // ?route= (random, not the conversation) lets a router (deploy/nginx) send this
    // page's connections to one Rasa instance; the conversation's token never goes in a URL.
    socket = window.io(config.server, {
      transports: ["websocket"], reconnectionDelayMax: 10000, query: { route: state.route }
    });
    socket.on("connect", function () {
      status.textContent = "";
      socket.emit("session_request", { session_id: state.token });
    });
    socket.on("session_confirm", function (token) {
      if (typeof token === "string" && token !== state.token) {
        // a fresh conversation (first visit, or the old token is no longer valid):
        // what this tab showed belongs to another one
        if (state.token) { state.messages = []; state.greeted = false; renderAll(); }
        state.token = token;
        save();
      }
      confirmed = true;
      if (!state.greeted) {
        // the greeting, once per conversation
        state.greeted = true;
        save();
        pending.unshift("/greet");
      }
      var queued = pending;
      pending = [];
      queued.forEach(emit);
    });
    socket.on("bot_uttered", function (data) {
      if (!data || typeof data !== "object") { return; }
      showTyping(false);
      var text = typeof data.text === "string" ? data.text : "";
      var replies = Array.isArray(data.quick_replies) ? data.quick_replies : null;
      if (!text && !replies && data.custom && typeof data.custom === "object") {
        addCustom(data.custom);
        return;
      }
      if (text || replies) { add({ from: "bot", text: text, quick_replies: replies }); }
    });
    socket.on("conversation_cleared", clearHistory);
    socket.on("bot_error", function () {
      showTyping(false);
      status.textContent = "Sorry, that message could not be sent. Please try again.";
    });
    socket.on("disconnect", function () {
      confirmed = false;
      status.textContent = "Connection lost: reconnecting…";
    });
    socket.on("connect_error", function () {
      showTyping(false);
      status.textContent = "The assistant can't be reached right now. Please try again later or call " + config.clinic + ".";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { return; }
    input.value = "";
    sendMessage(text.trim());
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
  });
  launch.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); launch.focus(); });
  restart.addEventListener("click", function () { sendMessage("Start over", "/start_over"); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setOpen(false); launch.focus(); }
  });

  function loadScript(src, done) {
    var s = document.createElement("script");
    s.src = src; s.onload = done;
    s.onerror = function () { status.textContent = "The chat could not load. Please call " + config.clinic + "."; };
    document.head.appendChild(s);
  }
  function start() {
    document.body.appendChild(root);
    fetch(base + "sources.json").then(function (r) { return r.ok ? r.json() : {}; })
      .catch(function () { return {}; })
      .then(function (titles) { sourceTitles = titles || {}; renderAll(); });
    setOpen(!!state.open);
    renderAll();
    if (window.io) { connect(); } else { loadScript(base + "vendor/socket.io.min.js", connect); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
