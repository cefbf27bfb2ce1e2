// Confirmation for destructive buttons (no inline handlers: the CSP forbids them).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Sortable tables: a click on a header of table[data-sortable] sorts its body rows by that column
// (cells may carry data-value for a number); rows marked data-sort-fixed stay at the bottom.
document.addEventListener("click", function (event) {
  var th = event.target.closest("table[data-sortable] thead th");
  if (!th || event.target.closest("a")) { return; }
  var table = th.closest("table");
  var index = Array.prototype.indexOf.call(th.parentNode.children, th);
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.hasAttribute("data-sort-fixed"); });
  var fixed = Array.prototype.slice.call(body.rows).filter(function (r) { return r.hasAttribute("data-sort-fixed"); });
  var ascending = th.getAttribute("aria-sort") !== "ascending";
  function key(row) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var value = cell.getAttribute("data-value");
    if (value !== null) { return value === "" ? -Infinity : parseFloat(value); }
    return cell.textContent.trim();
  }
  rows.sort(function (a, b) {
    var x = key(a), y = key(b);
    var order = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "zh");
    return ascending ? order : -order;
  });
  Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  rows.concat(fixed).forEach(function (r) { body.appendChild(r); });
});
