// Live board: a snapshot on connect, then coalesced updates, rows changed in place.
// Works without this script (the page is complete); this only keeps it fresh.
(function () {
  "use strict";
  var script = document.currentScript;
  var table = document.getElementById("live-board");
  if (!script || !table || !("WebSocket" in window)) return;
  var board = script.dataset.board, measure = script.dataset.measure, mine = script.dataset.mine;
  var status = document.getElementById("live-status");
  var announcer = document.getElementById("live-announcer");
  var tbody = table.tBodies[0];
  var delay = 1000, socket = null, pinger = null, leader = null, myRank = null, seen = false;

  // Numbers as the page's language writes them (46.630 and 1,97 % in Vietnamese),
  // the same as the server renders them (leaderboards/templatetags/lb.py).
  var lang = document.documentElement.lang || "vi";
  var whole = new Intl.NumberFormat(lang);
  var upToTwo = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var two = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function format(value) {
    if (measure === "kpi") return upToTwo.format(value) + (lang === "vi" ? "\u00a0%" : "%");
    if (measure === "per_member") return two.format(value);
    return whole.format(value);
  }
  function say(text) { announcer.textContent = ""; window.setTimeout(function () { announcer.textContent = text; }, 50); }
  function cell(text, numeric) {
    var td = document.createElement("td");
    if (numeric) td.className = "num";
    td.textContent = text;
    return td;
  }
  function render(rows, quiet) {
    var existing = {};
    Array.prototype.forEach.call(tbody.rows, function (tr) { if (tr.dataset.key) existing[tr.dataset.key] = tr; });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = existing[row.key];
      var before = tr ? tr.cells[0].textContent : null;
      if (!tr) {
        tr = document.createElement("tr");
        tr.dataset.key = row.key;
        tr.appendChild(cell("", true));
        var name = document.createElement("td");
        tr.appendChild(name);
        tr.appendChild(cell("", true));
      }
      tr.cells[0].textContent = row.rank;
      tr.cells[1].textContent = row.name;
      if (row.unit) {
        tr.cells[1].appendChild(document.createElement("br"));
        var unit = document.createElement("span");
        unit.className = "muted";
        unit.textContent = row.unit;
        tr.cells[1].appendChild(unit);
      }
      tr.cells[2].textContent = format(row.value);
      if (row.key === mine) tr.classList.add("mine");
      if (before !== null && before !== String(row.rank)) {
        tr.classList.remove("moved");
        void tr.offsetWidth;  // restart the highlight
        tr.classList.add("moved");
      }
      fragment.appendChild(tr);
    });
    tbody.textContent = "";
    tbody.appendChild(fragment);
    // Announce only what matters, never on the first snapshot: a new leader, or the
    // visitor's own rank.
    var newLeader = rows.length ? rows[0].key : null;
    if (!quiet && newLeader !== null && newLeader !== leader) {
      say(script.dataset.textFirst.replace("{name}", rows[0].name));
    }
    leader = newLeader;
    rows.forEach(function (row) {
      if (row.key === mine) {
        if (!quiet && myRank !== row.rank) say(script.dataset.textMine.replace("{rank}", row.rank));
        myRank = row.rank;
      }
    });
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/leaderboards/" + board + "/");
    socket.onopen = function () {
      delay = 1000;
      status.textContent = script.dataset.textLive;
      pinger = window.setInterval(function () { if (socket.readyState === 1) socket.send("ping"); }, 30000);
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "snapshot" || message.type === "update") {
        render(message.rows, !seen);
        seen = true;
      }
    };
    socket.onclose = function (event) {
      window.clearInterval(pinger);
      if (event.code === 4404 || event.code === 4400) return;  // nothing to come back for
      status.textContent = script.dataset.textLost;
      // Back off with jitter, so that a restarted server is not hit by everyone at once.
      window.setTimeout(connect, delay + Math.random() * delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
