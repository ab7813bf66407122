// mockserver dashboard: live lists over server-sent events, and forms sent without leaving
// the page. Plain JS, no framework; the markup comes from the server's own fragments.
"use strict";
(function () {
  var KEEP = 500; // list items kept on the page
  var main = document.getElementById("main");

  function get(url) {
    return fetch(url, { headers: { "X-Dashboard": "fetch" }, credentials: "same-origin" }).then(function (r) {
      if (r.redirected) { window.location.reload(); } // logged out: the login form
      if (!r.ok || r.redirected) { throw new Error("HTTP " + r.status); }
      return r.text();
    });
  }

  function withParam(url, name, value) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + name + "=" + encodeURIComponent(value);
  }

  // One fetch at a time per list; events arriving meanwhile make one more afterwards.
  function refresher(work) {
    var busy = false, again = false;
    function run() {
      if (busy) { again = true; return; }
      busy = true;
      work().catch(function () { /* the next event tries again */ }).then(function () {
        busy = false;
        if (again) { again = false; run(); }
      });
    }
    return run;
  }

  function prepend(list, html) {
    var box = document.createElement("ol");
    box.innerHTML = html;
    var items = Array.prototype.slice.call(box.children);
    for (var i = items.length - 1; i >= 0; i--) {
      items[i].classList.add("fresh");
      list.insertBefore(items[i], list.firstElementChild);
    }
    while (list.children.length > KEEP) { list.removeChild(list.lastElementChild); }
    setTimeout(function () { items.forEach(function (li) { li.classList.remove("fresh"); }); }, 2000);
  }

  function newest(list, attribute) {
    var first = list.querySelector("li[" + attribute + "]");
    return first ? first.getAttribute(attribute) : "0";
  }

  var requests = document.getElementById("requests");
  var deliveries = document.getElementById("deliveries");

  var refreshRequests = refresher(function () {
    return get(withParam(main.dataset.requests, "after", newest(requests, "data-seq"))).then(function (html) {
      prepend(requests, html);
    });
  });
  var refreshDeliveries = refresher(function () {
    return get(withParam(main.dataset.deliveries, "after", newest(deliveries, "data-id"))).then(function (html) {
      prepend(deliveries, html);
    });
  });
  var refreshRecords = refresher(function () {
    var view = document.getElementById("records-view");
    if (!view || !view.dataset.fragment) { return Promise.resolve(); }
    return get(view.dataset.fragment).then(function (html) {
      var current = document.getElementById("records-view");
      var box = document.createElement("div");
      box.innerHTML = html;
      var fresh = box.querySelector("#records-view");
      if (!current || !fresh) { return; }
      // Keep open what the reader opened.
      var open = {};
      current.querySelectorAll("tr[data-record-id] details[open]").forEach(function (d) {
        open[d.closest("tr").getAttribute("data-record-id")] = true;
      });
      fresh.querySelectorAll("tr[data-record-id]").forEach(function (tr) {
        if (open[tr.getAttribute("data-record-id")]) { tr.querySelector("details").open = true; }
      });
      current.replaceWith(fresh);
    });
  });

  function statusMatches(filter, status) {
    if (!filter) { return true; }
    filter = filter.toLowerCase();
    if (filter.length === 3 && filter.slice(1) === "xx") { return String(status).charAt(0) === filter.charAt(0); }
    return String(status) === filter;
  }

  function onRequest(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (requests && main.dataset.requests) {
      var method = requests.dataset.method, status = requests.dataset.status;
      if ((!method || data.method === method) && statusMatches(status, data.status)) { refreshRequests(); }
    }
    refreshRecords();
  }

  function say(text) {
    var live = document.getElementById("live-status");
    if (live) { live.textContent = text; }
  }

  if (main && main.dataset.events && window.EventSource) {
    var source = new EventSource(main.dataset.events);
    source.addEventListener("open", function () {
      say("");
      // What happened before the stream opened (or while it was down).
      if (requests && main.dataset.requests) { refreshRequests(); }
      if (deliveries && main.dataset.deliveries) { refreshDeliveries(); }
      refreshRecords();
    });
    source.addEventListener("error", function () { say("Live updates paused: reconnecting…"); });
    source.addEventListener("request", onRequest);
    source.addEventListener("delivery", function () {
      if (deliveries && main.dataset.deliveries) { refreshDeliveries(); }
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // Forms marked data-fetch are sent without leaving the page (the live lists stay).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
    if (!form.hasAttribute("data-fetch") || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      headers: { "X-Dashboard": "fetch" },
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
    }).then(function (got) {
      if (form.dataset.action) {
        var output = document.getElementById("action-result");
        var shown = got.ok ? got.answer.body : got.answer;
        output.dataset.status = got.ok ? got.answer.status : "";
        output.dataset.action = form.dataset.action;
        output.innerHTML = "";
        var pre = document.createElement("pre");
        pre.textContent = JSON.stringify(shown, null, 2);
        output.appendChild(pre);
        refreshRecords();
      } else {
        var alert = document.getElementById("webhook-alert");
        if (alert) {
          alert.hidden = got.ok;
          alert.textContent = got.ok ? "" : got.answer.error;
        }
      }
    }).catch(function (error) {
      say("Not sent: " + error.message);
    }).then(function () {
      if (button) { button.disabled = false; }
    });
  });
})();
