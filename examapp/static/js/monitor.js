// The live monitor refreshes its tables in place every few seconds. It waits while an invigilator is
// filling in a form (an open 加时/重新开放 panel or a focused field), and while the tab is hidden.
(function () {
  "use strict";
  var live = document.getElementById("monitor-live");
  if (!live || !window.fetch || !window.DOMParser) { return; }
  var every = Math.max(5, parseInt(live.dataset.refresh || "20", 10)) * 1000;

  function busy() {
    var active = document.activeElement;
    return live.querySelector("details[open]") !== null ||
      (active && live.contains(active) && /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(active.tagName));
  }
  function schedule() { window.setTimeout(refresh, every); }
  function refresh() {
    if (document.visibilityState === "hidden" || busy()) { schedule(); return; }
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("monitor-live");
        // a login page (the session ended) has no monitor: keep what is shown
        if (fresh && !busy()) { live.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline for a moment: the next round tries again */ })
      .then(schedule);
  }
  schedule();
})();
