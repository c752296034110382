// nohold console: live queue (SSE), ticking waits, heartbeats, lease renewal, keyboard shortcuts.
// Plain JS, no build step. Everything the server says is inserted as text, never as HTML.
(function () {
  "use strict";
  var body = document.body, data = body.dataset;
  var T = JSON.parse(document.getElementById("strings").textContent);
  var HEARTBEAT_MS = 30000;
  var offset = parseFloat(data.now) - Date.now() / 1000; // server clock minus browser clock
  var target = 150;

  function serverNow() { return Date.now() / 1000 + offset; }
  function t(key) { return T[key] || key; }
  function label(group, value) {
    if (!value) return "—";
    var text = T[group + "." + value] || value.replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  function $(id) { return document.getElementById(id); }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function post(url, fields) {
    var form = new FormData();
    Object.keys(fields || {}).forEach(function (k) { form.append(k, fields[k]); });
    return fetch(url, {method: "POST", body: form, credentials: "same-origin",
                       headers: {"X-CSRF-Token": data.csrf, "X-Requested-With": "fetch"}});
  }

  // ---- waits tick every second, on the server's clock -------------------------------------
  function tick() {
    var now = serverNow();
    document.querySelectorAll("[data-acquired]").forEach(function (node) {
      if (node.dataset.frozen !== undefined) return;
      var waited = now - Date.parse(node.dataset.acquired) / 1000;
      node.textContent = duration(waited);
      var row = node.closest("[data-breach-from]");
      if (row) row.classList.toggle("breach", now - parseFloat(row.dataset.breachFrom) > target);
    });
  }
  setInterval(tick, 1000);

  // ---- the live queue ------------------------------------------------------------------------
  function badge(kind) { return el("span", {"class": "badge k-" + kind, text: t("kind." + kind)}); }

  function breachFrom(v) {
    // the same rule as item_view.breaching: callers on a callback (or a voice channel) feel the wait
    if (v.kind !== "callback" && v.channel !== "voice") return null;
    var from = Date.parse(v.acquired_at) / 1000;
    if (v.not_before) from = Math.max(from, Date.parse(v.not_before) / 1000);
    return from;
  }

  function row(v, n) {
    var tr = el("tr", {"data-id": v.id, tabindex: "0"}, [
      el("td", {"class": "num muted", text: String(n)}),
      el("td", {"class": "mono wait"}, [el("span", {"data-acquired": v.acquired_at, text: duration(v.waited_seconds)})]),
      el("td", {}, [badge(v.kind)]),
      el("td", {text: label("channel", v.channel)}),
      el("td", {"class": "lang", text: (v.lang || "").toUpperCase()}),
      // the live queue is one copy for every agent: it names the topic, never the customer's words
      el("td", {"class": "what"}, [el("b", {}, [document.createTextNode(label("intent", v.intent)),
        v.complaint ? el("span", {"class": "pill complaint", text: t("queue.complaint")}) : null])]),
      el("td", {"class": "mono", text: v.customer_masked || "—"}),
      el("td", {"class": "num", text: v.position == null ? "—" : String(v.position)})
    ]);
    var from = breachFrom(v);
    if (from !== null) tr.dataset.breachFrom = from;
    if (v.breaching) tr.classList.add("breach");
    tr.addEventListener("click", function () { location.href = data.queue + "items/" + v.id; });
    return tr;
  }

  function listItem(v, extra) {
    var a = el("a", {href: data.queue + "items/" + v.id}, [badge(v.kind), document.createTextNode(" " + label("intent", v.intent))]);
    return el("li", {}, [a, extra ? el("span", {"class": "muted right", text: extra}) : null]);
  }

  function fill(id, nodes, emptyText) {
    var list = $(id);
    if (!list) return;
    list.replaceChildren.apply(list, nodes.length ? nodes : [el("li", {"class": "muted", text: emptyText})]);
  }

  function setText(id, text) { var n = $(id); if (n) n.textContent = text; }

  function render(snap) {
    offset = snap.now - Date.now() / 1000;
    target = snap.target_wait_seconds;
    ["callback", "voicemail", "thread", "scheduled"].forEach(function (k) { setText("n-" + k, snap.depth[k] || 0); });
    setText("oldest", duration(snap.oldest_wait));
    setText("n-breaching", snap.waiting.filter(function (v) { return v.breaching; }).length);
    setText("n-agents", snap.agents.filter(function (a) { return a.state === "available"; }).length);
    setText("n-waiting", snap.waiting.length);
    var rows = $("rows");
    rows.replaceChildren.apply(rows, snap.waiting.map(function (v, i) { return row(v, i + 1); }));
    $("empty").hidden = snap.waiting.length > 0;
    var mine = snap.claimed.filter(function (v) { return v.claimed_by === data.agent; });
    var others = snap.claimed.filter(function (v) { return v.claimed_by !== data.agent; });
    fill("mine", mine.map(function (v) { return listItem(v); }), t("queue.mine_empty"));
    fill("claimed", others.map(function (v) { return listItem(v, v.claimed_by_name); }), "—");
    setText("n-claimed", others.length || "");
    fill("scheduled", snap.scheduled.slice(0, 12).map(function (v) {
      return listItem(v, v.not_before ? new Date(v.not_before).toLocaleString([], {weekday: "short", hour: "2-digit", minute: "2-digit"}) : "");
    }), "—");
    setText("n-scheduled-list", snap.scheduled.length || "");
    tick();
  }

  function live(onQueue) {
    var indicator = $("live");
    // the stream server may be on another port (make run): its CORS lets this page send the session cookie
    var source = new EventSource(data.events, {withCredentials: true});
    source.addEventListener("queue", function (e) {
      indicator.hidden = false;
      indicator.classList.remove("off");
      indicator.lastChild.textContent = t("queue.live");
      var snap = JSON.parse(e.data);
      onQueue(snap);
      document.dispatchEvent(new CustomEvent("nohold:queue", {detail: snap}));  // transfers.js listens
    });
    source.onerror = function () {
      indicator.hidden = false;
      indicator.classList.add("off");
      indicator.lastChild.textContent = t("queue.offline");
      // a closed stream after an error may be an expired session: a plain GET tells us
      fetch(data.queue + "queue.json", {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (r) { if (r.status === 401) location.href = data.queue + "login"; });
    };
  }

  // confirmations fade; errors stay until the next page
  setTimeout(function () {
    document.querySelectorAll(".flash.ok").forEach(function (n) { n.remove(); });
  }, 6000);

  // ---- auto-dial: open the item whose callback is ringing the agent's phone ---------------------
  function openOffer(answer) {
    if (answer && answer.offer && location.pathname !== answer.offer) location.href = answer.offer;
  }
  var asking = false;
  function askForOffer() {  // the queue changed: a free auto-dial agent may be offered a callback
    if (data.auto !== "1" || asking) return;
    asking = true;
    setTimeout(function () {
      post(data.offer).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { asking = false; openOffer(j); }, function () { asking = false; });
    }, 300);
  }

  if (data.page === "queue") {
    render(JSON.parse($("initial").textContent));
    live(function (snap) { render(snap); askForOffer(); });
  }

  // ---- supervisor: swap the page body when the queue changes (at most twice a second) --------
  if (data.page === "supervisor") {
    var holder = $("sup-body"), pending = false;
    var refresh = function () {
      if (pending) return;
      pending = true;
      setTimeout(function () {
        fetch(holder.dataset.body, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null) { holder.innerHTML = html; tick(); } pending = false; });
      }, 500);
    };
    live(function (snap) { offset = snap.now - Date.now() / 1000; target = snap.target_wait_seconds; refresh(); });
    setInterval(refresh, 10000); // the outbox and presence age change without a queue change
  }

  // ---- heartbeats: presence everywhere, the lease while an item is open --------------------
  setInterval(function () {
    post(data.heartbeat).then(function (r) { return r.ok ? r.json() : null; }).then(openOffer);
  }, HEARTBEAT_MS);
  var head = document.querySelector("[data-renew]");
  if (head) {
    setInterval(function () {
      post(head.dataset.renew, {fence: head.dataset.fence}).then(function (r) {
        if (r.status === 409 || r.status === 403) { location.reload(); return null; }
        return r.ok ? r.json() : null;
      }).then(function (j) {
        if (j && j.lease_until) setText("lease", new Date(j.lease_until).toLocaleTimeString());
      });
    }, HEARTBEAT_MS);
  }

  // ---- a voicemail's transcript, shown on its page when it arrives (asked every 3 s, 15 min at most)
  var pending = document.querySelector("[data-watch]");
  if (pending) {
    var asked = 0;
    var watch = setInterval(function () {
      if (++asked > 300) { clearInterval(watch); return; }
      fetch(pending.dataset.watch, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (!j) return;
          if (!j.pending) clearInterval(watch);
          if (!j.transcript) { pending.textContent = j.line; return; }
          var lang = pending.dataset.lang || "";
          [el("h3", {text: j.title}), el("blockquote", {class: "said", id: "transcript", lang: lang, text: j.transcript}),
           j.intent ? el("p", {class: "muted", id: "transcript-intent", text: j.intent}) : null]
            .forEach(function (node) { if (node) pending.parentNode.insertBefore(node, pending); });
          pending.remove();
        }, function () {});
    }, 3000);
  }

  // ---- presence selector without a page reload -----------------------------------------------
  var presence = document.querySelector("form.presence");
  if (presence) {
    presence.addEventListener("click", function (e) {
      var button = e.target.closest("button[name=state]");
      if (!button) return;
      e.preventDefault();
      post(presence.action, {state: button.value}).then(function (r) {
        if (!r.ok) return;
        r.clone().json().then(openOffer, function () {});
        presence.querySelectorAll("button").forEach(function (b) {
          b.classList.toggle("on", b === button);
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
      });
    });
  }

  var outcome = $("outcome");
  if (outcome) outcome.addEventListener("change", function () { outcome.blur(); });

  // ---- keyboard shortcuts ---------------------------------------------------------------------
  var help = $("help");
  function toggleHelp(show) { help.hidden = show === undefined ? !help.hidden : !show; }
  $("help-open").addEventListener("click", function () { toggleHelp(true); });
  $("help-close").addEventListener("click", function () { toggleHelp(false); });

  function press(id) {
    var button = $(id);
    if (button && !button.disabled) button.click();
  }

  function takeNext() {
    if ($("take-next")) return press("take-next");
    var form = el("form", {method: "post", action: data.next}, [el("input", {type: "hidden", name: "csrf_token", value: data.csrf})]);
    body.appendChild(form);
    form.submit();
  }

  var keys = {
    "n": takeNext,
    "c": function () { press("act-call"); },
    "d": function () {
      if (!outcome) return;
      if (!outcome.value) { outcome.focus(); outcome.reportValidity(); return; }
      press("act-complete");
    },
    "r": function () { press("act-release"); },
    "q": function () { location.href = data.queue; },
    "s": function () { if (data.supervisor === "1") location.href = data.sup; },
    "?": function () { toggleHelp(); }
  };

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { toggleHelp(false); if (document.activeElement) document.activeElement.blur(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.target.isContentEditable) return;
    if (e.key === "Enter" && e.target.dataset && e.target.dataset.id) { e.target.click(); return; }
    var action = keys[e.key];
    if (action) { e.preventDefault(); action(); }
  });
})();
