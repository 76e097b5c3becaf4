/* The signed-in person's own socket (/ws/me/): a badge awarded to them appears at
   once, on whatever page they are. Reconnects with growing, jittered delays. */
(function () {
  "use strict";
  var box = document.getElementById("live-award");
  if (!box || !window.WebSocket) return;
  var delay = 1000;
  function show(data) {
    box.textContent = "";
    var text = document.createElement("span");
    text.textContent = data.message + " ";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = box.getAttribute("data-open") || "Xem huy hiệu";
    box.appendChild(text);
    box.appendChild(link);
    box.hidden = false;
    box.setAttribute("data-badge", data.badge);
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/me/");
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      try {
        var data = JSON.parse(event.data);
        if (data.type === "badge.awarded") show(data);
      } catch (ignored) { /* a frame we do not know */ }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return; // signed out: nothing to wait for
      setTimeout(connect, delay + Math.random() * delay);
      delay = Math.min(delay * 2, 60000);
    };
  }
  connect();
})();
