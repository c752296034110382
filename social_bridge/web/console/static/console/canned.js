/* Canned replies in the reply box (issue 19), keyboard-first: "/" at the start of the box or after a space opens
   the picker; typing filters, the arrows move, Enter inserts the reply (already filled for this item), Esc closes
   and gives the box back. The replies come from data-canned once per page. */
(function () {
  "use strict";
  var box = document.getElementById("reply-text");
  var picker = document.getElementById("canned-picker");
  if (!box || !picker || !box.dataset.canned) return;
  var search = document.getElementById("canned-search");
  var list = document.getElementById("canned-options");
  var empty = document.getElementById("canned-empty");
  var replies = null, shown = [], at = 0, caret = 0;

  function load() {
    if (replies) return Promise.resolve(replies);
    return fetch(box.dataset.canned, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {replies: []}; })
      .then(function (body) { replies = body.replies || []; return replies; });
  }

  function render() {
    var q = search.value.trim().toLowerCase();
    shown = (replies || []).filter(function (r) {
      return !q || (r.title + " " + r.text).toLowerCase().indexOf(q) !== -1;
    });
    at = Math.min(at, Math.max(shown.length - 1, 0));
    list.textContent = "";
    shown.forEach(function (r, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.canned = r.id;
      li.setAttribute("aria-selected", i === at ? "true" : "false");
      var title = document.createElement("strong");
      title.textContent = r.title;
      var text = document.createElement("span");
      text.textContent = r.text;
      li.appendChild(title);
      li.appendChild(text);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); at = i; insert(); });
      list.appendChild(li);
    });
    empty.hidden = shown.length > 0;
  }

  function open() {
    caret = box.selectionStart;
    picker.hidden = false;
    search.value = "";
    at = 0;
    search.focus();
    load().then(render);
  }

  function close() {
    picker.hidden = true;
    box.focus();
    box.setSelectionRange(caret, caret);
  }

  function insert() {
    var chosen = shown[at];
    if (!chosen) return;
    box.value = box.value.slice(0, caret) + chosen.text + box.value.slice(box.selectionEnd > caret ? box.selectionEnd : caret);
    caret += chosen.text.length;
    close();
  }

  box.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    var before = box.value.slice(0, box.selectionStart);
    if (before && !/\s$/.test(before)) return;  // a slash inside a word (a URL, 24/7) is just a slash
    e.preventDefault();
    open();
  });

  search.addEventListener("input", function () { at = 0; render(); });
  search.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); at = Math.min(at + 1, shown.length - 1); render(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); at = Math.max(at - 1, 0); render(); }
    else if (e.key === "Enter") { e.preventDefault(); insert(); }
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
  });
})();
