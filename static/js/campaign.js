/* A campaign's public page and big screen: live over /ws/campaigns/<id>/.
   The server renders everything first (the page is complete without this file);
   frames replace the figures in place. On a network drop the last figures stay,
   with their age, and the socket reconnects with growing, jittered delays. The
   big screen also rotates its panels (no interaction). */
(function () {
  "use strict";
  var root = document.querySelector("[data-campaign]");
  var labelsNode = document.getElementById("campaign-labels");
  if (!root || !labelsNode) return;
  var L = JSON.parse(labelsNode.textContent);
  var screen = root.hasAttribute("data-screen");
  var shown = L.shown || Infinity, progressShown = L.progress_shown || Infinity;
  var lastAt = null, connected = false, everConnected = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function num(n) {
    return Number(n || 0).toLocaleString(L.locale);
  }
  function part(name) {
    return root.querySelectorAll('[data-part="' + name + '"]');
  }
  function fill(name, build) {
    part(name).forEach(function (node) {
      var fresh = build();
      node.replaceChildren.apply(node, fresh);
    });
  }
  function goalLabel(metric) {
    return L.metrics[metric] || metric;
  }

  var last = null;  // the last full data, which a "points" frame updates

  function render(data) {
    if (!data || !data.branches) return;
    last = data;
    lastAt = new Date(data.at);
    fill("totals", function () {
      return data.goals.map(function (g) {
        var box = el("div", "stat");
        box.append(el("dt", "stat-label", goalLabel(g.metric)));
        box.append(el("dd", "stat-value", num(data.totals[g.metric])));
        box.append(el("dd", "stat-note", L.target_per_branch.replace("%(t)s", num(g.target))));
        return box;
      });
    });
    fill("branches", function () {
      if (!data.branches.length) return [el("li", "muted", L.no_branch)];
      return data.branches.slice(0, progressShown).map(function (b) {
        var li = el("li", "campaign-branch");
        var head = el("p", "campaign-branch-head");
        head.append(el("span", "campaign-rank", b.rank), " ", el("strong", "", b.name), " ",
          el("span", "campaign-percent", b.percent + " %"), " ",
          el("span", "muted", num(b.points) + " " + L.points));
        li.append(head);
        var goals = el("ul", "campaign-goals");
        data.goals.forEach(function (g) {
          var value = (b.values || {})[g.metric] || 0;
          var item = el("li");
          var bar = el("progress");
          bar.max = g.target;
          bar.value = Math.min(value, g.target);
          bar.setAttribute("aria-label", goalLabel(g.metric));
          var wrap = el("span", "progress");
          wrap.append(bar, el("span", "progress-text", num(value)));
          item.append(el("span", "campaign-goal-label", goalLabel(g.metric)), " ", wrap, " ",
            el("span", "muted", "/ " + num(g.target)));
          goals.append(item);
        });
        li.append(goals);
        return li;
      });
    });
    var byId = {};
    data.branches.forEach(function (b) { byId[b.id] = b; });
    function rows(list, rank, value) {
      return list.map(function (b) {
        var tr = el("tr");
        tr.append(el("td", "", b[rank]), el("td", "", b.name), el("td", "num", value(b)));
        return tr;
      });
    }
    part("by-points").forEach(function (table) {
      table.tBodies[0].replaceChildren.apply(table.tBodies[0],
        rows(data.branches.slice(0, shown), "rank", function (b) { return num(b.points); }));
    });
    part("by-percent").forEach(function (table) {
      var list = (data.by_percent || []).map(function (id) { return byId[id]; }).filter(Boolean).slice(0, shown);
      table.tBodies[0].replaceChildren.apply(table.tBodies[0],
        rows(list, "rank_percent", function (b) { return b.percent + " %"; }));
    });
    fill("feed", function () {
      if (!data.feed.length) return [el("li", "muted", L.no_check_in)];
      return data.feed.map(function (c) {
        var li = el("li", "campaign-check-in");
        if (c.photo) {
          var img = el("img");
          img.src = c.photo;
          img.alt = L.photo_of.replace("%(a)s", c.activity).replace("%(b)s", c.branch);
          img.width = 160; img.height = 120; img.loading = "lazy";
          li.append(img);
        }
        var p = el("p");
        p.append(el("strong", "", c.branch), el("br"),
          c.activity + ": " + num(c.quantity) + " " + c.label, el("br"),
          el("span", "muted", (c.by ? c.by + " · " : "") + c.day));
        li.append(p);
        return li;
      });
    });
    if (data.badges) {
      root.querySelectorAll(".screen-badges").forEach(function (list) {
        if (!data.badges.length) return;
        list.replaceChildren.apply(list, data.badges.map(function (a) {
          var li = el("li");
          li.append(el("strong", "", a.recipient), el("br"), a.badge);
          return li;
        }));
      });
    }
    status();
  }

  // A "points" frame comes first after a credit: the branches' points and ranks,
  // in board order. The progress and the feed stay as they were until the full
  // "update" frame that follows.
  function renderPoints(frame) {
    if (!last || !frame.branches) return;
    var known = {};
    last.branches.forEach(function (b) { known[b.id] = b; });
    var branches = frame.branches.filter(function (p) { return known[p.id]; }).map(function (p) {
      return Object.assign({}, known[p.id], { points: p.points, rank: p.rank, rank_percent: p.rank_percent });
    });
    render(Object.assign({}, last, { branches: branches, by_percent: frame.by_percent, at: frame.at }));
  }

  function age(ms) {
    var minutes = Math.floor(ms / 60000);
    if (minutes < 1) return L.just_now;
    return L.minutes_ago.replace("%(n)s", minutes);
  }
  function clock(date) {
    return date.toLocaleTimeString(L.locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  function status() {
    var live = root.parentNode.querySelector(".live-status") || document.querySelector(".live-status");
    if (live) {
      live.hidden = !everConnected;
      live.classList.toggle("is-lost", everConnected && !connected);
    }
    if (!lastAt) return;
    var text = connected
      ? L.live_as_of.replace("%(t)s", clock(lastAt))
      : L.offline_as_of.replace("%(t)s", clock(lastAt)).replace("%(age)s", age(Date.now() - lastAt));
    part("status").forEach(function (node) {
      node.textContent = text;
      node.classList.toggle("is-lost", everConnected && !connected);
    });
    part("updated").forEach(function (node) { node.textContent = text; });
  }

  function countdown() {
    var holder = root.querySelector("[data-ends]");
    if (!holder) return;
    var left = Math.max(0, Math.floor((new Date(holder.getAttribute("data-ends")) - Date.now()) / 1000));
    var text = L.left_format.replace("%(d)s", Math.floor(left / 86400))
      .replace("%(h)s", Math.floor(left % 86400 / 3600)).replace("%(m)s", Math.floor(left % 3600 / 60));
    part("countdown").forEach(function (node) { node.textContent = text; });
  }

  function rotate() {
    var panels = Array.prototype.slice.call(root.querySelectorAll(".screen-panel"));
    if (panels.length < 2) return;
    document.body.classList.add("is-rotating");
    var index = 0;
    function show() {
      panels.forEach(function (panel, i) { panel.classList.toggle("is-current", i === index); });
      index = (index + 1) % panels.length;
    }
    show();
    window.setInterval(show, 12000);
  }

  var delay = 1000, socket = null, pinger = null;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/campaigns/" + root.getAttribute("data-campaign") + "/");
    socket.onopen = function () {
      delay = 1000;
      connected = everConnected = true;
      status();
      pinger = window.setInterval(function () {
        if (socket.readyState === 1) socket.send("ping");
      }, 25000);
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "snapshot" || frame.type === "update") render(frame);
      else if (frame.type === "points") renderPoints(frame);
    };
    socket.onclose = function () {
      connected = false;
      window.clearInterval(pinger);
      status();
      window.setTimeout(connect, delay + Math.random() * delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  var initial = root.querySelector("[data-part=status], [data-part=updated]");
  if (initial) lastAt = null;
  countdown();
  window.setInterval(countdown, 30000);
  window.setInterval(status, 5000);
  if (screen) rotate();
  if (root.hasAttribute("data-live") && "WebSocket" in window) connect();
})();
