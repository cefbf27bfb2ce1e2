// Studying a lesson: while the page is visible and the learner active (input in the last 2 minutes, or
// the video playing) it beats about every N seconds; the server measures the time between beats and
// answers with the credited minutes. The page never reports a duration.
(function () {
  "use strict";
  var root = document.getElementById("study");
  if (!root) { return; }
  var data = root.dataset;
  var base = Math.max(1, parseFloat(data.beatSeconds) || 30) * 1000;
  var credit = parseFloat(data.credit) || 0;
  var minutesEl = document.getElementById("study-minutes");
  var bar = document.getElementById("study-progress");
  var state = document.getElementById("study-state");
  var IDLE_MS = 2 * 60 * 1000;
  var lastInput = Date.now();
  var playing = false;
  var session = null;          // {beat_url, close_url}
  var starting = false;
  var stopped = false;

  function say(text, cls) {
    state.textContent = text;
    state.className = cls || "text-muted";
  }
  function show(minutes) {
    var m = Math.min(credit, minutes);
    minutesEl.textContent = String(Math.round(m * 10) / 10);
    bar.value = credit ? Math.round(m / credit * 100) : 0;
    bar.textContent = bar.value + "%";
  }
  function visible() { return document.visibilityState === "visible"; }
  function active() { return playing || Date.now() - lastInput < IDLE_MS; }

  ["mousemove", "mousedown", "keydown", "scroll", "wheel", "touchstart"].forEach(function (name) {
    window.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
  });
  var video = document.getElementById("lesson-video");
  if (video) {
    video.addEventListener("playing", function () { playing = true; });
    ["pause", "ended", "error"].forEach(function (name) {
      video.addEventListener(name, function () { playing = false; lastInput = Date.now(); });
    });
  }

  function post(url, body, keepalive) {
    return window.fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": data.csrf },
      body: JSON.stringify(body || {})
    });
  }

  function finish(done) {
    stopped = true;
    say(done ? data.msgDone : data.msgEnded, done ? "text-success" : "text-warning");
  }

  function start() {
    if (session || starting || stopped || !visible()) { return; }
    starting = true;
    post(data.startUrl).then(function (r) {
      if (!r.ok) { throw r.status; }
      return r.json();
    }).then(function (s) {
      session = s;
      show(s.minutes);
      if (s.completed) { finish(true); } else { say(data.msgCounting, "text-success"); }
    }).catch(function (status) {
      if (status === 404) { finish(false); } else { say(data.msgOffline, "text-warning"); }
    }).then(function () { starting = false; });
  }

  function beat() {
    if (stopped) { return; }
    if (!session) { start(); schedule(); return; }
    if (!visible() || !active()) { say(data.msgPaused); schedule(); return; }
    post(session.beat_url, { visible: true, active: true }).then(function (r) {
      if (r.status === 409 || r.status === 404) { finish(false); return null; }
      if (!r.ok) { throw r.status; }
      return r.json();
    }).then(function (b) {
      if (!b) { return; }
      show(b.minutes);
      if (b.completed) { finish(true); } else { say(data.msgCounting, "text-success"); }
    }).catch(function () {
      say(data.msgOffline, "text-warning");
    }).then(schedule);
  }

  var timer = null;
  function schedule() {
    if (stopped) { return; }
    window.clearTimeout(timer);
    // ±20 % jitter: a real learner's beats are never perfectly regular (see domain/study_time.py)
    timer = window.setTimeout(beat, base * (0.8 + 0.4 * Math.random()));
  }

  document.addEventListener("visibilitychange", function () {
    if (visible()) { lastInput = Date.now(); start(); } else if (!stopped) { say(data.msgPaused); }
  });
  window.addEventListener("pagehide", function () {
    if (session && !stopped) { post(session.close_url, {}, true); }
  });

  start();
  schedule();
}());
