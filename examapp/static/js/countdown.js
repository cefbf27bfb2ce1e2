// The mock exam's countdown. The remaining seconds come from the server when the page is drawn,
// so a wrong clock on this computer changes nothing; at zero the answers are handed in.
(function () {
  var el = document.getElementById("countdown");
  var form = document.getElementById("mock-form");
  if (!el || !form) { return; }
  var end = Date.now() + 1000 * parseInt(el.getAttribute("data-remaining"), 10);
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    if (left === 0) {
      form.querySelectorAll("[data-confirm]").forEach(function (b) { b.removeAttribute("data-confirm"); });
      form.submit();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
