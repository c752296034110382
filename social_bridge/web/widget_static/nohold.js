/* nohold web chat widget: <script src="https://HOST/widget/nohold.js" data-lang="it" async></script>
   No framework, no CDN. A shadow root keeps the site's CSS out. Words come from the server
   (prompts/widget.yaml via /widget/api/config), never from this file. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__noholdWidget) return;
  window.__noholdWidget = true;
  var base = new URL(script.src).origin;
  var asked = (script.getAttribute("data-lang") || document.documentElement.lang || "it")
    .slice(0, 2).toLowerCase();
  var lang = asked === "en" ? "en" : "it";
  var KEY = "nohold.widget.token";
  var words = {}, maxChars = 2000, streamUrl = "", next = 0, token = null, polling = null, streaming = false;
  var host, root, panel, log, status, input, sendButton, opener, note;

  var CSS = ":host{all:initial;font:15px/1.4 system-ui,sans-serif;color:#1d1d1f}" +
    "button{font:inherit;cursor:pointer;border-radius:8px;border:0;padding:.6em 1em;background:#0b57d0;color:#fff}" +
    "button:focus-visible,textarea:focus-visible{outline:3px solid #f9a825;outline-offset:2px}" +
    ".opener{position:fixed;right:20px;bottom:20px;box-shadow:0 2px 8px rgba(0,0,0,.3);z-index:2147483000}" +
    ".panel{position:fixed;right:20px;bottom:76px;width:340px;max-width:calc(100vw - 40px);height:460px;" +
    "max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;border:1px solid #c4c7c5;" +
    "border-radius:12px;box-shadow:0 4px 16px rgba(0,0,0,.25);z-index:2147483000}" +
    ".panel[hidden]{display:none}header{display:flex;justify-content:space-between;align-items:center;" +
    "padding:.5em .8em;border-bottom:1px solid #e3e3e3}h2{font-size:1em;margin:0}" +
    "header button{background:transparent;color:#1d1d1f;padding:.3em .6em}" +
    ".log{flex:1;overflow-y:auto;padding:.6em .8em}.intro{color:#444;font-size:.9em}" +
    ".msg{margin:.4em 0;padding:.45em .7em;border-radius:10px;max-width:85%;white-space:pre-wrap;word-wrap:break-word}" +
    ".you{background:#d3e3fd;margin-left:auto}.us{background:#f1f3f4}.who{display:block;font-size:.75em;color:#555}" +
    ".status{margin:0;padding:.4em .8em;font-size:.85em;background:#fff8e1;min-height:1.2em}" +
    ".note{margin:0;padding:0 .8em;font-size:.85em;color:#b3261e;min-height:1em}" +
    "form{display:flex;gap:.4em;padding:.6em .8em;border-top:1px solid #e3e3e3}" +
    "textarea{flex:1;font:inherit;resize:none;height:3em;padding:.4em;border:1px solid #747775;border-radius:8px}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] !== undefined ? values[name] : all;
    });
  }

  function api(path, options) {
    options = options || {};
    var headers = {"X-Nohold-Lang": lang};
    if (token) headers["X-Nohold-Widget"] = token;
    if (options.body) headers["Content-Type"] = "application/json";
    return fetch(base + "/widget/api/" + path, {method: options.method || "GET", headers: headers,
      body: options.body ? JSON.stringify(options.body) : undefined, mode: "cors", credentials: "omit"});
  }

  function build() {
    host = el("div", {"data-nohold": "widget"});
    root = host.attachShadow({mode: "open"});
    root.appendChild(el("style", {}, CSS));
    opener = el("button", {"class": "opener", type: "button", "aria-expanded": "false", "aria-controls": "nohold-panel",
      "aria-label": words.open_label || ""}, words.open);
    panel = el("section", {"class": "panel", id: "nohold-panel", role: "dialog", "aria-labelledby": "nohold-title"});
    panel.hidden = true;
    var header = el("header");
    header.appendChild(el("h2", {id: "nohold-title"}, words.title));
    var closer = el("button", {type: "button", "class": "close", "aria-label": words.close_label || ""}, words.close);
    header.appendChild(closer);
    log = el("div", {"class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions"});
    log.appendChild(el("p", {"class": "intro"}, words.intro));
    status = el("p", {"class": "status", role: "status", "aria-live": "polite"});
    note = el("p", {"class": "note", role: "alert"});
    var form = el("form");
    var label = el("label", {"for": "nohold-input", "class": "sr"}, words.input_label);
    input = el("textarea", {id: "nohold-input", placeholder: words.placeholder || "", maxlength: String(maxChars)});
    sendButton = el("button", {type: "submit", "class": "send"}, words.send);
    form.appendChild(label); form.appendChild(input); form.appendChild(sendButton);
    [header, log, status, note, form].forEach(function (part) { panel.appendChild(part); });
    root.appendChild(opener); root.appendChild(panel);
    document.body.appendChild(host);
    opener.addEventListener("click", function () { panel.hidden ? open() : close(); });
    closer.addEventListener("click", close);
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    input.addEventListener("keydown", function (e) {  // Enter sends, Shift+Enter is a new line
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
  }

  function open() {
    panel.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    input.focus();
    start();
  }

  function close() {
    panel.hidden = true;
    opener.setAttribute("aria-expanded", "false");
    opener.focus();
  }

  function showError(answer) {
    return answer.json().catch(function () { return {}; }).then(function (body) {
      note.textContent = body.message || words.error_unavailable || "";
      return body;
    });
  }

  function session() {
    if (token) return Promise.resolve(token);
    return api("session", {method: "POST"}).then(function (answer) {
      if (!answer.ok) return showError(answer).then(function () { throw new Error("session"); });
      return answer.json().then(function (body) {
        token = body.token;
        try { localStorage.setItem(KEY, token); } catch (e) { /* private mode: this page's life only */ }
        return token;
      });
    });
  }

  function showStatus(s) {
    if (!s || s.state === "none") { status.textContent = ""; return; }
    if (s.state === "with_agent") { status.textContent = words.with_agent; return; }
    var key = s.away ? "away" : s.position === 1 ? "waiting_one" : "waiting";
    status.textContent = fill(words[key], {position: s.position, minutes: s.wait_minutes});
  }

  function showMessages(list, upTo) {
    (list || []).forEach(function (m) {
      if (m.n < next) return;
      var item = el("div", {"class": "msg " + (m.from === "you" ? "you" : "us"), "data-n": String(m.n)});
      item.appendChild(el("span", {"class": "who"}, m.from === "you" ? words.you : words.us));
      item.appendChild(document.createTextNode(m.text));
      log.appendChild(item);
    });
    next = Math.max(next, upTo || 0);
    log.scrollTop = log.scrollHeight;
  }

  function refresh() {
    return api("messages?since=" + next).then(function (answer) {
      if (answer.status === 401) return forget();
      if (!answer.ok) return;
      return answer.json().then(function (body) { showMessages(body.messages, body.next); showStatus(body.status); });
    });
  }

  function forget() {  // the token expired or was never ours: start again with a new one
    token = null;
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
  }

  function poll() {
    if (polling) return;
    polling = setInterval(function () { refresh().catch(function () { status.textContent = words.offline; }); }, 3000);
  }

  function stream() {  // Server-Sent Events read with fetch (it can send the token header; EventSource cannot)
    if (!streamUrl || streaming || !window.ReadableStream) return poll();
    streaming = true;
    fetch(streamUrl + "?since=" + next, {headers: {"X-Nohold-Widget": token, "X-Nohold-Lang": lang},
      mode: "cors", credentials: "omit"}).then(function (answer) {
      if (!answer.ok || !answer.body) throw new Error("stream " + answer.status);
      var reader = answer.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (part) {
          if (part.done) { streaming = false; return stream(); }  // a stream lives a minute: open the next one
          buffer += decoder.decode(part.value, {stream: true});
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(handle);
          return pump();
        });
      }
      return pump();
    }).catch(function () { streaming = false; poll(); });  // no stream: polling keeps the visitor up to date
  }

  function handle(block) {
    var name = "message", data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) name = line.slice(7);
      else if (line.indexOf("data: ") === 0) data += line.slice(6);
    });
    if (!data) return;
    var body = JSON.parse(data);
    if (name === "messages") showMessages(body.messages, body.next);
    else if (name === "status") showStatus(body);
  }

  var started = false;
  function start() {
    if (started) return;
    started = true;
    if (token) refresh().then(stream, poll);
  }

  function send() {
    var text = input.value.trim();
    note.textContent = "";
    if (!text) { note.textContent = words.error_empty || ""; return; }
    sendButton.disabled = true;
    var id = window.crypto && crypto.randomUUID ? crypto.randomUUID()
      : String(Date.now()) + "-" + Math.random().toString(16).slice(2);
    session().then(function () {
      return api("messages", {method: "POST", body: {text: text, id: id}});
    }).then(function (answer) {
      if (answer.status === 401) { forget(); return showError(answer); }
      if (!answer.ok) return showError(answer);
      input.value = "";
      return answer.json().then(function (body) {
        showStatus(body.status);
        return refresh().then(function () { if (!streaming && !polling) stream(); });
      });
    }).catch(function () { note.textContent = note.textContent || words.error_unavailable || ""; })
      .then(function () { sendButton.disabled = false; input.focus(); });
  }

  try { token = localStorage.getItem(KEY); } catch (e) { token = null; }
  fetch(base + "/widget/api/config?lang=" + lang, {mode: "cors", credentials: "omit"}).then(function (answer) {
    if (!answer.ok) throw new Error("config " + answer.status);
    return answer.json();
  }).then(function (config) {
    words = config.words || {};
    maxChars = config.max_chars || maxChars;
    streamUrl = config.stream_url || "";
    if (document.body) build(); else document.addEventListener("DOMContentLoaded", build);
  }).catch(function () { /* the widget is off for this site: the page stays as it is */ });
})();
