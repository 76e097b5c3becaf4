// Installs the service worker (static/js/sw.js at /sw.js): boards opened once still
// open when the network is gone.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  });
}
