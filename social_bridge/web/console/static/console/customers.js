/* Customers pages (issue 17), keyboard-first like the queue: "/" searches, j/k or the arrows move through
   the results, Enter opens, "o" opens the first open request. The console's own keys (q, ?) still work. */
(function () {
  "use strict";
  var search = document.getElementById("customer-search");
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.target.isContentEditable) return;
    if (e.key === "/" && search) { e.preventDefault(); search.focus(); search.select(); return; }
    if (e.key === "o") {
      var first = document.querySelector("#open-cases a.case-link");
      if (first) { e.preventDefault(); first.click(); }
      return;
    }
    var rows = Array.prototype.slice.call(document.querySelectorAll("[data-customer]"));
    if (!rows.length) return;
    var at = rows.indexOf(document.activeElement);
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); rows[Math.min(at + 1, rows.length - 1)].focus(); }
    if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); rows[Math.max(at - 1, 0)].focus(); }
  });
})();
