// The projected check-in QR code changes every 30 seconds (a forwarded photo of it
// soon stops working): fetch the current one just after it changes and swap it in
// place. Without JavaScript the projector page reloads itself instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-code-url]");
  if (!box || !window.fetch) return;
  var figure = box.querySelector("[data-qr]");
  var link = box.querySelector("[data-qr-link]");

  function later(seconds) {
    window.setTimeout(renew, Math.max(1, seconds) * 1000 + 300);
  }

  function renew() {
    fetch(box.dataset.codeUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (code) {
        if (!code.open) {
          box.textContent = box.dataset.textClosed;
          return;
        }
        figure.innerHTML = code.svg;
        link.href = code.url;
        link.textContent = code.url;
        later(code.refresh_in);
      })
      .catch(function () {
        later(5); // offline for a moment: try again soon
      });
  }

  later(Number(box.dataset.refreshIn) || 30);
})();
