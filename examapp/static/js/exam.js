// Taking an exam: every answer is saved through the JSON API with a rising sequence number; answers
// that cannot be sent (offline) wait in the page and go out on reconnect; the timer follows the server.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var msg = document.getElementById("msg").dataset;
  var attempt = root.dataset.attempt;
  var csrf = root.dataset.csrf;
  var perPage = root.dataset.perPage === "1";
  var sequential = root.dataset.sequential === "1";
  var sections = Array.prototype.slice.call(document.querySelectorAll(".exam-q"));
  var review = document.getElementById("review");
  var state = document.getElementById("save-state");
  var banner = document.getElementById("offline-banner");
  var pending = {};          // question id -> body waiting to be sent
  var current = 0;
  // remaining time = server deadline - server now, counted on this computer's monotonic clock (F8)
  var endAt = 0;
  function resync(deadline, serverNow) {
    endAt = performance.now() + (Date.parse(deadline) - Date.parse(serverNow));
  }
  resync(root.dataset.deadline, root.dataset.now);

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.round((endAt - performance.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    document.getElementById("timer").textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    if (left === 0) { submit(true); return; }
    window.setTimeout(tick, 1000);
  }

  function responseOf(section) {
    return read(section.dataset.type, "q" + section.dataset.slot, section.dataset.items);
  }
  function read(type, name, items) {
    var form = document;
    if (type === "single") {
      var r = form.querySelector("input[name='" + name + "']:checked");
      return r ? r.value : null;
    }
    if (type === "multiple") {
      var boxes = form.querySelectorAll("input[name='" + name + "']:checked");
      var letters = Array.prototype.map.call(boxes, function (b) { return b.value; }).sort().join("");
      return letters || null;
    }
    if (type === "judge") {
      var j = form.querySelector("input[name='" + name + "']:checked");
      return j ? j.value === "true" : null;
    }
    if (type === "fill") {
      var out = [], i = 0, input;
      while ((input = form.getElementById(name + "-" + i))) { out.push(input.value); i += 1; }
      return out;
    }
    if (type === "text") {
      var t = form.getElementById(name);
      return t ? t.value : "";
    }
    if (type === "case") {
      return (items || "").split(",").map(function (itemType, k) { return read(itemType, name + "-" + k); });
    }
    return null;
  }
  function answered(section) {
    var r = responseOf(section);
    if (r === null || r === "") { return false; }
    if (Array.isArray(r)) { return r.some(function (x) { return x !== null && x !== "" && !(Array.isArray(x) && !x.length); }); }
    return true;
  }

  function send(qid) {
    var body = pending[qid];
    if (!body) { return Promise.resolve(); }
    state.textContent = msg.saving;
    return fetch("/api/v1/attempts/" + attempt + "/answers/" + qid, {
      method: "PUT", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (pending[qid] === body) { delete pending[qid]; }
        root.dataset.pending = String(Object.keys(pending).length);
        if (data.deadline && data.server_time) { resync(data.deadline, data.server_time); }
        if (r.ok) { state.textContent = msg.saved; }
        else if (r.status === 409 && data.status === "submitted") { leave(); }
        else if (r.status === 409) { state.textContent = data.error || msg.stale; }
        setOnline(true);
      });
    }).catch(function () {
      setOnline(false);
      state.textContent = msg.offline;
    });
  }
  function flush() {
    return Promise.all(Object.keys(pending).map(send));
  }
  function setOnline(on) {
    banner.classList.toggle("d-none", on);
    root.dataset.pending = String(Object.keys(pending).length);   // how many answers wait to be sent
    try { window.localStorage.setItem("exam-" + attempt, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function queue(section) {
    var seq = parseInt(section.dataset.seq, 10) + 1;
    section.dataset.seq = String(seq);
    pending[section.dataset.qid] = {response: responseOf(section), seq: seq,
                                    flagged: section.dataset.flagged === "1"};
    root.dataset.pending = String(Object.keys(pending).length);
    paintNav();
    send(section.dataset.qid);
  }

  function paintNav() {
    sections.forEach(function (section, i) {
      var cell = document.querySelector("[data-go='" + i + "']");
      cell.classList.toggle("btn-primary", answered(section));
      cell.classList.toggle("btn-outline-secondary", !answered(section));
      cell.classList.toggle("border-warning", section.dataset.flagged === "1");
      cell.classList.toggle("border-3", section.dataset.flagged === "1");
      section.querySelector(".flag-button").classList.toggle("active", section.dataset.flagged === "1");
    });
    var unanswered = [], flagged = [];
    sections.forEach(function (s, i) {
      if (!answered(s)) { unanswered.push(i + 1); }
      if (s.dataset.flagged === "1") { flagged.push(i + 1); }
    });
    document.getElementById("review-unanswered").textContent = msg.unanswered + (unanswered.join("、") || msg.none);
    document.getElementById("review-flagged").textContent = msg.flagged + (flagged.join("、") || msg.none);
  }
  function show(i) {
    if (sequential && i < current) { return; }
    current = Math.max(0, Math.min(i, sections.length));
    if (!perPage) {
      var target = current < sections.length ? sections[current] : review;
      target.scrollIntoView({behavior: "smooth", block: "start"});
      return;
    }
    sections.forEach(function (s, k) { s.classList.toggle("d-none", k !== current); });
    review.classList.toggle("d-none", current !== sections.length);
  }

  // the attempt was submitted elsewhere (another tab, the scheduler, the tab-switch rule): show its result
  function leave() {
    try { window.localStorage.removeItem("exam-" + attempt); } catch (e) { /* ignore */ }
    window.location.href = root.dataset.result;
  }

  function submit(timeUp) {
    if (!timeUp && !window.confirm(msg.confirm)) { return; }
    flush().then(function () {
      return fetch("/api/v1/attempts/" + attempt + "/submit", {
        method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrf}
      });
    }).then(function (r) {
      if (r.ok) {
        try { window.localStorage.removeItem("exam-" + attempt); } catch (e) { /* ignore */ }
        window.location.href = root.dataset.result;
      } else { setOnline(false); window.setTimeout(function () { submit(true); }, 5000); }
    }).catch(function () { setOnline(false); window.setTimeout(function () { submit(true); }, 5000); });
  }

  sections.forEach(function (section, i) {
    section.addEventListener("change", function () { queue(section); });
    section.querySelectorAll("input.fill-input, textarea").forEach(function (el) {
      var timer = null;
      el.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { queue(section); }, 800);
      });
    });
    section.querySelector(".flag-button").addEventListener("click", function () {
      section.dataset.flagged = section.dataset.flagged === "1" ? "0" : "1";
      queue(section);
    });
    section.querySelector(".prev-button").addEventListener("click", function () { show(i - 1); });
    section.querySelector(".prev-button").disabled = sequential || i === 0;
    section.querySelector(".next-button").addEventListener("click", function () { show(i + 1); });
  });
  document.querySelectorAll("[data-go]").forEach(function (cell) {
    cell.addEventListener("click", function () { show(parseInt(cell.dataset.go, 10)); });
  });
  document.getElementById("submit-button").addEventListener("click", function () { submit(false); });
  window.addEventListener("online", flush);
  window.setInterval(function () { if (Object.keys(pending).length) { flush(); } }, 5000);
  document.addEventListener("visibilitychange", function () {
    fetch("/api/v1/attempts/" + attempt + "/events", {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({kind: document.visibilityState === "hidden" ? "hidden" : "visible"})
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (data && data.status === "submitted") { leave(); }
    }).catch(function () { /* recorded when possible; never blocks the taker */ });
  });
  try {   // answers left unsent by a closed or crashed page go out now
    var kept = JSON.parse(window.localStorage.getItem("exam-" + attempt) || "{}");
    Object.keys(kept).forEach(function (qid) { pending[qid] = kept[qid]; });
    flush();
  } catch (e) { /* ignore */ }
  paintNav();
  show(0);
  tick();
})();
