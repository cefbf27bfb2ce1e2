// Countdowns to the opening of upcoming exams; the seconds come from the server.
(function () {
  var cells = Array.prototype.slice.call(document.querySelectorAll(".countdown"));
  var start = performance.now();
  function tick() {
    var gone = (performance.now() - start) / 1000;
    cells.forEach(function (el) {
      var left = Math.max(0, Math.round(parseInt(el.dataset.remaining, 10) - gone));
      var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600), m = Math.floor((left % 3600) / 60);
      el.textContent = (d ? d + "d " : "") + h + "h " + m + "m " + (left % 60) + "s";
    });
    if (cells.length) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
