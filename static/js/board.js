// Live board: a snapshot on connect, then coalesced updates. A row that changes
// place slides to it and shows the points it gained (+36); with
// prefers-reduced-motion it only changes place and keeps the gain still.
// The page is complete without this script; this keeps it fresh, adds sharing,
// and says when what is shown is an offline copy.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var text = script.dataset;
  var lang = document.documentElement.lang || "vi";

  // Toasts ---------------------------------------------------------------------
  var toasts = null;
  function toast(message) {
    if (!toasts) {
      toasts = document.createElement("div");
      toasts.className = "toasts";
      toasts.setAttribute("role", "status");
      document.body.appendChild(toasts);
    }
    var item = document.createElement("p");
    item.className = "toast";
    item.textContent = message;
    toasts.appendChild(item);
    window.setTimeout(function () { item.remove(); }, 4000);
  }

  // Sharing: the phone's own share sheet, or a copied link --------------------------
  var address = location.origin + location.pathname;
  var shareButton = document.getElementById("share-native");
  var copyButton = document.getElementById("share-copy");
  if (shareButton && navigator.share) {
    shareButton.hidden = false;
    shareButton.addEventListener("click", function () {
      navigator.share({ title: document.title, url: address }).catch(function () {});
    });
  }
  if (copyButton && navigator.clipboard && window.isSecureContext) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      navigator.clipboard.writeText(address).then(function () { toast(text.textCopied); });
    });
  }

  // Offline: the service worker served the last copy; say how old it is. -------------
  var offline = document.getElementById("board-offline");
  function showAge() {
    // Saved by the service worker (it marks the page), or no network at all.
    var saved = document.documentElement.dataset.fromCache === "1";
    if (!offline) return;
    if (navigator.onLine && !saved) { offline.hidden = true; return; }
    var rendered = new Date(Number(text.rendered) * 1000);
    var minutes = Math.max(0, Math.round((Date.now() - rendered.getTime()) / 60000));
    var time = rendered.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    offline.textContent = text.textOffline.replace("{time}", time).replace("{minutes}", minutes);
    offline.hidden = false;
  }
  showAge();
  window.addEventListener("offline", showAge);
  window.addEventListener("online", showAge);

  var table = document.getElementById("live-board");
  if (!table || !("WebSocket" in window)) return;
  var board = text.board, measure = text.measure, mine = text.mine;
  var status = document.getElementById("live-status");
  var statusText = document.getElementById("live-text");
  var announcer = document.getElementById("live-announcer");
  var podium = document.getElementById("podium");
  var here = document.getElementById("you-are-here");
  var tbody = table.tBodies[0];
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var delay = 1000, socket = null, pinger = null, leader = null, myRank = null, seen = false;

  // Numbers as the page's language writes them (46.630 and 1,97 % in Vietnamese),
  // the same as the server renders them (leaderboards/templatetags/lb.py).
  var whole = new Intl.NumberFormat(lang);
  var upToTwo = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var two = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var one = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  function format(value) {
    if (measure === "kpi") return upToTwo.format(value) + (lang === "vi" ? "\u00a0%" : "%");
    if (measure === "per_member") return two.format(value);
    return whole.format(value);
  }
  function gainText(delta) {
    return "+" + (measure === "points" ? whole.format(delta) : measure === "kpi" ? one.format(delta) : two.format(delta));
  }
  function say(message) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }
  function setStatus(live) {
    status.hidden = false;
    status.classList.toggle("is-lost", !live);
    statusText.textContent = live ? text.textLive : text.textLost;
  }

  // Pictures of new rows: the same initials and colour as units/charts.py draws.
  var COLOURS = ["#a3161a", "#1d4ed8", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d5562"];
  var KIND_WORDS = ["thôn", "xóm", "ấp", "bản", "tổ", "dân", "phố", "xã", "phường", "thị", "trấn", "tỉnh", "thành", "trường", "chi", "đoàn", "village", "commune", "ward", "school"];
  var table32 = null;
  function crc32(string) {
    if (!table32) {
      table32 = [];
      for (var n = 0; n < 256; n++) {
        var c = n;
        for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        table32[n] = c >>> 0;
      }
    }
    var bytes = new TextEncoder().encode(string), crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) crc = table32[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }
  function initials(name, unit) {
    var words = name.replace(/-/g, " ").split(/\s+/).filter(function (w) { return w && /[\p{L}\p{N}]/u.test(w[0]); });
    if (unit) {
      var kept = words.filter(function (w) { return KIND_WORDS.indexOf(w.toLowerCase()) < 0; });
      if (kept.length) words = kept;
    }
    if (!words.length) return "?";
    if (words.length === 1) return words[0].slice(0, 2).toUpperCase();
    return (words[0][0] + words[words.length - 1][0]).toUpperCase();
  }
  function paint(svg, name) {
    if (!svg) return;
    var anonymous = text.people && name === text.anonymous;
    var shape = svg.querySelector("circle, path");
    var letters = svg.querySelector("text");
    if (shape) shape.setAttribute("fill", anonymous ? "#6b7280" : COLOURS[crc32(name) % COLOURS.length]);
    if (letters) letters.textContent = anonymous ? "?" : initials(name, !text.people);
  }
  function anyPicture() {
    return table.querySelector(".who svg") || (podium && podium.querySelector("svg"));
  }

  function changeMarkup(cell, row) {
    cell.textContent = "";
    if (!("previous_rank" in row)) return;
    table.classList.remove("no-change");
    var span = document.createElement("span");
    var shown = document.createElement("span");
    var spoken = document.createElement("span");
    shown.setAttribute("aria-hidden", "true");
    spoken.className = "visually-hidden";
    if (row.previous_rank === null) {
      span.className = "change change-new";
      span.textContent = text.textNew;
    } else {
      var moved = row.previous_rank - row.rank;
      if (moved > 0) {
        span.className = "change change-up";
        shown.textContent = "▲" + moved;
        spoken.textContent = text.textUp.replace("{n}", moved);
      } else if (moved < 0) {
        span.className = "change change-down";
        shown.textContent = "▼" + -moved;
        spoken.textContent = text.textDown.replace("{n}", -moved);
      } else {
        span.className = "change change-same";
        shown.textContent = "=";
        spoken.textContent = text.textSame;
      }
      span.title = spoken.textContent;
      span.appendChild(shown);
      span.appendChild(spoken);
    }
    cell.appendChild(span);
  }
  function newRow(row) {
    var tr = document.createElement("tr");
    tr.dataset.key = row.key;
    tr.innerHTML = '<td class="col-rank"></td><td class="col-change"></td>' +
      '<td><div class="who"><div class="who-text"><span class="who-name"></span><span class="who-unit"></span></div></div></td>' +
      '<td class="col-value"><span class="value"></span></td>';
    var picture = anyPicture();
    if (picture) tr.querySelector(".who").insertBefore(picture.cloneNode(true), tr.querySelector(".who-text"));
    if (table.classList.contains("is-kpi")) {
      var bar = document.createElement("progress");
      bar.className = "row-progress";
      bar.max = 100;
      bar.setAttribute("aria-hidden", "true");
      tr.querySelector(".who-text").appendChild(bar);
    }
    return tr;
  }
  function fill(tr, row) {
    tr.cells[0].textContent = row.rank;
    changeMarkup(tr.cells[1], row);
    var name = tr.querySelector(".who-name"), unit = tr.querySelector(".who-unit");
    if (name.textContent !== row.name) paint(tr.querySelector(".who svg"), row.name);
    name.textContent = row.name;
    // The unit is left out when it is the board's own scope (every village of a
    // commune's board is in that commune).
    var shown = row.unit && row.unit !== text.scope ? row.unit : "";
    if (!unit && shown) {
      unit = document.createElement("span");
      unit.className = "who-unit";
      name.parentNode.insertBefore(unit, name.nextSibling);
    }
    if (unit) { unit.textContent = shown; unit.hidden = !shown; }
    var progress = tr.querySelector("progress");
    if (progress) progress.value = Math.min(100, row.value);
    tr.querySelector(".value").textContent = format(row.value);
    tr.dataset.value = row.value;
    tr.classList.toggle("mine", row.key === mine);
  }
  function showGain(tr, delta) {
    var cell = tr.cells[3];
    var old = cell.querySelector(".gain");
    if (old) old.remove();
    var badge = document.createElement("span");
    badge.className = "gain";
    badge.textContent = gainText(delta);
    cell.appendChild(badge);
    window.setTimeout(function () { badge.remove(); }, 4000);
  }
  function slide(tr, from) {
    var by = from - tr.getBoundingClientRect().top;
    if (!by || reduced) return;
    tr.classList.remove("moving");
    tr.style.transform = "translateY(" + by + "px)";  // the CSSOM, which the policy allows
    void tr.offsetWidth;
    tr.classList.add("moving");
    tr.style.transform = "";
    tr.addEventListener("transitionend", function done() {
      tr.classList.remove("moving");
      tr.removeEventListener("transitionend", done);
    });
  }
  function updatePodium(rows) {
    if (!podium) return;
    Array.prototype.forEach.call(podium.children, function (li) {
      var row = rows[Number(li.dataset.place) - 1];
      if (!row) return;
      var name = li.querySelector(".podium-name");
      if (name.textContent !== row.name) paint(li.querySelector("svg"), row.name);
      name.textContent = row.name;
      var unit = li.querySelector(".podium-unit");
      if (unit) unit.textContent = row.unit && row.unit !== text.scope ? row.unit : "";
      li.querySelector(".podium-value").textContent = format(row.value);
      var step = li.querySelector(".podium-step");
      step.lastChild.textContent = row.rank;
    });
  }
  function updateHere(row) {
    if (!here) return;
    here.querySelector(".you-rank").textContent = row.rank;
    here.querySelector(".you-value").textContent = format(row.value);
  }

  function render(rows, quiet) {
    var existing = {}, before = {};
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      if (!tr.dataset.key) return;
      existing[tr.dataset.key] = tr;
      before[tr.dataset.key] = {
        top: tr.getBoundingClientRect().top,
        rank: tr.cells[0].textContent,
        value: Number(tr.dataset.value)
      };
    });
    var fragment = document.createDocumentFragment();
    var placed = [];
    rows.forEach(function (row) {
      var tr = existing[row.key] || newRow(row);
      fill(tr, row);
      fragment.appendChild(tr);
      placed.push([tr, row]);
    });
    tbody.textContent = "";
    tbody.appendChild(fragment);
    if (!quiet) {
      placed.forEach(function (pair) {
        var tr = pair[0], row = pair[1], old = before[row.key];
        if (!old) {
          tr.classList.add("moved");
          return;
        }
        if (row.value > old.value) showGain(tr, row.value - old.value);
        if (old.rank !== String(row.rank)) {
          slide(tr, old.top);
          tr.classList.remove("moved");
          void tr.offsetWidth;  // restart the highlight
          tr.classList.add("moved");
        }
      });
    }
    updatePodium(rows);
    // Announce only what matters, never on the first snapshot: a new leader, or the
    // visitor's own rank.
    var newLeader = rows.length ? rows[0].key : null;
    if (!quiet && newLeader !== null && newLeader !== leader) {
      say(text.textFirst.replace("{name}", rows[0].name));
    }
    leader = newLeader;
    rows.forEach(function (row) {
      if (row.key === mine) {
        if (!quiet && myRank !== row.rank) say(text.textMine.replace("{rank}", row.rank));
        myRank = row.rank;
        updateHere(row);
      }
    });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/leaderboards/" + board + "/");
    socket.onopen = function () {
      delay = 1000;
      setStatus(true);
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
      if (event.code === 4404 || event.code === 4400) { status.hidden = true; return; }
      // Only say "reconnecting" once it was live: a page that never connected
      // (offline, say) claims nothing.
      if (!status.hidden) setStatus(false);
      showAge();
      // Back off with jitter, so that a restarted server is not hit by everyone at once.
      window.setTimeout(connect, delay + Math.random() * delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
