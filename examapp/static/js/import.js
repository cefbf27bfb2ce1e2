// Applies an import while drawing its progress: the server streams one JSON line per step.
(function () {
  var form = document.getElementById("apply-form");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  var bar = document.getElementById("apply-bar");
  var box = document.getElementById("apply-progress");
  var status = document.getElementById("apply-status");
  var button = document.getElementById("apply-button");

  function show(done, total) {
    var pct = total ? Math.round(100 * done / total) : 0;
    bar.style.width = pct + "%";
    box.setAttribute("aria-valuenow", String(pct));
    bar.textContent = done + " / " + total;
  }

  function finish(result) {
    if (result.confirm) { window.location.assign(result.confirm); return; }   // the password first (S12)
    bar.classList.remove("progress-bar-animated");
    if (result.ok) {
      show(result.total, result.total);
      bar.classList.add("bg-success");
      status.className = "alert alert-success mt-2";
      status.textContent = result.message;
      var next = document.getElementById("apply-next");
      if (next) { next.classList.remove("d-none"); }
    } else {
      bar.classList.add("bg-danger");
      status.className = "alert alert-danger mt-2";
      status.textContent = "";
      var list = document.createElement("ul");
      (result.errors || []).forEach(function (m) {
        var li = document.createElement("li"); li.textContent = m; list.appendChild(li);
      });
      status.appendChild(list);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    box.classList.remove("d-none");
    show(0, 0);
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/x-ndjson"}})
      .then(function (response) {
        if (!response.ok || !response.body) { throw new Error("HTTP " + response.status); }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { return; }
            buffer += decoder.decode(chunk.value, {stream: true});
            var lines = buffer.split("\n");
            buffer = lines.pop();
            lines.forEach(function (line) {
              if (!line) { return; }
              var msg = JSON.parse(line);
              if ("ok" in msg) { finish(msg); } else { show(msg.done, msg.total); }
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function (err) {
        status.className = "alert alert-danger mt-2";
        status.textContent = err.message;
        button.disabled = false;
      });
  });
})();
