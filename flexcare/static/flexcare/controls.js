// The meeting page's tablet controls. Before anything goes to a tablet that is offline, ask
// ("Bed 2 has not been seen for 6 minutes. Send anyway?"): a nurse must not believe a command
// reached a tablet that is switched off. A form with data-tablets="one" sends to the tablet of
// its row, data-tablets="all" to every tablet. The minutes are counted when the button is
// pressed, so the question is right however long the page has been open. Copy buttons copy
// their data-copy text (the join links).
(function () {
  "use strict";
  function unseen(row) {
    if (!row.dataset.seen) { return row.dataset.never; }
    var minutes = Math.floor((Date.now() / 1000 - Number(row.dataset.seen)) / 60);
    return minutes < 2 ? row.dataset.unseenOne
                       : row.dataset.unseenMany.replace("__N__", String(minutes));
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var which = form.dataset ? form.dataset.tablets : null;
    if (!which) { return; }
    var table = document.querySelector("table.device-controls");
    if (!table) { return; }
    var rows = which === "all" ? Array.prototype.slice.call(table.querySelectorAll("tr[data-device]"))
                               : [form.closest("tr[data-device]")];
    var lines = rows.filter(function (row) { return row && row.dataset.online === "false"; })
                    .map(unseen);
    if (lines.length && !window.confirm(lines.join("\n") + "\n" + table.dataset.ask)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      button.textContent = button.dataset.copied;
    });
  });
})();
