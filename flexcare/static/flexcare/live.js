// Refreshes the live part of a page (#live[data-url]) every few seconds, without reloading
// the page. The fragment is a list of regions, each with an id: a region is swapped only when
// its content changed; one with data-live-key (the meeting's controls) only when that key
// changed (what the tablets did), and what is being typed into it is carried over into the
// new one; so the controls still appear and
// disappear as the meeting's state changes (closed or ended by someone else, say). When where
// the meeting stands (#meeting-summary) or what the tablets did (#meeting-controls) changes,
// the page's messages ("Camera off sent to Bed 2.") are outdated and go.
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
  // What the user has typed or chosen in a region but not sent yet, by tablet and field, so
  // that a region swapped for news (a command executed) keeps it.
  function fieldKey(field) {
    var row = field.closest("[data-device]");
    return (row ? row.dataset.device : "") + "|" + field.name;
  }
  function edited(region) {
    var kept = {};
    region.querySelectorAll("input[name], select[name]").forEach(function (field) {
      var changed = field.tagName === "SELECT"
        ? field.selectedOptions.length && !field.selectedOptions[0].defaultSelected
        : field.type !== "hidden" && field.value !== field.defaultValue;
      if (changed) { kept[fieldKey(field)] = {value: field.value, focused: field === document.activeElement}; }
    });
    return kept;
  }
  function restore(region, kept) {
    region.querySelectorAll("input[name], select[name]").forEach(function (field) {
      var was = kept[fieldKey(field)];
      if (!was) { return; }
      field.value = was.value;
      if (was.focused) { field.focus(); }
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
      var kept = edited(current);
      current.replaceWith(region);
      restore(region, kept);
      if (region.id === "meeting-summary" || region.id === "meeting-controls") {
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
