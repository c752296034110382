// The receiver of a hand-over hears of it live: "Assegnato a te da X" / "Transferred to you by X" and the
// note, from the queue snapshot's "handovers" (social_bridge/queue/handovers.py, web/console/live.py).
// console.js re-dispatches every live queue event as "nohold:queue". Text only, never HTML.
(function () {
  "use strict";
  var words = document.getElementById("transfer-strings");
  if (!words) return;
  var T = JSON.parse(words.textContent), data = document.body.dataset, KEY = "nohold.handovers.seen";

  function seen() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(key) {
    var all = seen();
    all.push(key);
    try { sessionStorage.setItem(KEY, JSON.stringify(all.slice(-50))); } catch (e) { /* private mode */ }
  }
  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }
  function holder() {
    var box = document.getElementById("handovers");
    if (!box) {
      box = node("div", "flashes handovers");
      box.id = "handovers";
      var main = document.querySelector("main");
      main.parentNode.insertBefore(box, main);
    }
    return box;
  }
  function show(h) {
    var note = node("p", "flash handover", "");
    note.setAttribute("role", "alert");
    note.dataset.item = h.item_id;
    note.appendChild(node("b", "", T.live.replace("{name}", h.by_name)));
    if (h.note) note.appendChild(node("span", "handover-note", " — " + h.note));
    var open = node("a", "handover-open", T["live.open"]);
    open.href = data.queue + "items/" + encodeURIComponent(h.item_id);
    var close = node("button", "ghost", "×");
    close.type = "button";
    close.title = T["live.close"];
    close.addEventListener("click", function () { note.remove(); });
    note.appendChild(document.createTextNode(" "));
    note.appendChild(open);
    note.appendChild(close);
    holder().appendChild(note);
  }
  document.addEventListener("nohold:queue", function (e) {
    (e.detail.handovers || []).forEach(function (h) {
      var key = h.item_id + "@" + h.at;
      if (h.to !== data.agent || seen().indexOf(key) >= 0) return;
      remember(key);
      show(h);
    });
  });
})();
