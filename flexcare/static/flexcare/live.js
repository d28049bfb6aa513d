// Refreshes the live part of a page (#live[data-url]) every few seconds, without reloading
// the page: the badges follow what the tablets do while the controls keep their input.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !live.dataset.url) { return; }
  var every = 3000;
  function refresh() {
    if (document.hidden) { return schedule(); }
    fetch(live.dataset.url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { live.innerHTML = html; } })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(schedule);
  }
  function schedule() { window.setTimeout(refresh, every); }
  schedule();
})();
