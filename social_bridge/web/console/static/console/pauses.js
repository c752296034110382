// Pause reasons in the top bar (issue 19): console.js posts the choice like any state; here the menu closes
// after it and its label says which pause is on.
(function () {
  "use strict";
  var form = document.querySelector("form.presence");
  var menu = form && form.querySelector("details.pauses");
  if (!menu) return;
  var summary = menu.querySelector("summary");
  form.addEventListener("click", function (e) {
    var button = e.target.closest("button[name=state]");
    if (!button) return;
    var paused = menu.contains(button);
    menu.open = false;
    summary.classList.toggle("on", paused);
    summary.textContent = paused ? button.textContent : summary.getAttribute("data-label");
  });
  document.addEventListener("click", function (e) {  // a click elsewhere closes the menu
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
})();
