// Refreshes the live part of a page (#live[data-url]) every few seconds, without reloading
// the page. The fragment is a list of regions, each with an id: a region is swapped only when
// its content changed; one with data-live-key (the meeting's controls) only when that key
// changed, so what is being typed into it survives while the controls still appear and
// disappear as the meeting's state changes (closed or ended by someone else, say). When where
// the meeting stands changes (#meeting-summary), the page's messages ("its room is being
// booked") are outdated and go.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !live.dataset.url) { return; }
  var every = 3000;
  function regions(element) { return Array.prototype.slice.call(element.children); }
  function sameLayout(now, next) {
    return now.length === next.length && next.every(function (region, i) {
      return region.id && region.id === now[i].id;
    });
  }
  function swap(html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    var now = regions(live);
    var next = regions(fresh);
    if (!sameLayout(now, next)) { live.innerHTML = html; return; }
    next.forEach(function (region, i) {
      var current = now[i];
      var keyed = region.hasAttribute("data-live-key");
      var unchanged = keyed ? region.dataset.liveKey === current.dataset.liveKey
                            : region.innerHTML === current.innerHTML;
      if (unchanged) { return; }
      current.replaceWith(region);
      if (region.id === "meeting-summary") {
        var outdated = document.querySelector(".messagelist");
        if (outdated) { outdated.remove(); }
      }
    });
  }
  function refresh() {
    if (document.hidden) { return schedule(); }
    fetch(live.dataset.url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        // Redirected: the session ended (to the login page) or the meeting is out of reach.
        // Show that page itself instead of pasting it into this one.
        if (response.redirected) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null) { swap(html); } })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(schedule);
  }
  function schedule() { window.setTimeout(refresh, every); }
  schedule();
})();
