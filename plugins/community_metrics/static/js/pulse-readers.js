/* Community Pulse: the rest of the communities table, on demand. Loaded with `defer` on
 * /dashboard/ only when the table has more than one page.
 *
 * The page holds the leaders; <table data-chunks="URL URL ..."> names the JSON files
 * (/dashboard/rows/<n>.json: {"rows": ["<tr>…</tr>", …]}, rows rendered and escaped at build
 * time by the same template as the static pages). "Show all" (or the first sort) fetches them
 * from this site, appends the rows and hides the page links; sorting then covers every row.
 * Without JavaScript the static pages /dashboard/page/<n>/ hold the same rows.
 */
(function () {
  "use strict";
  var table = document.getElementById("communities-table");
  if (!table || !table.getAttribute("data-chunks")) return;
  var holder = document.querySelector(".pulse-load-rest");
  var button = holder && holder.querySelector(".pulse-load-rows");
  var status = holder && holder.querySelector(".pulse-load-status");
  var pages = document.querySelector(".pulse-pages");
  var loading = null;

  function fetchRows(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function loadAll() {
    if (loading) return loading;
    var urls = table.getAttribute("data-chunks").split(" ").filter(Boolean);
    if (button) button.disabled = true;
    if (status) status.textContent = "Loading " + table.getAttribute("data-total") + " communities…";
    loading = Promise.all(urls.map(fetchRows)).then(function (chunks) {
      var body = table.tBodies[0];
      var holderBody = document.createElement("tbody");
      chunks.forEach(function (chunk) {
        holderBody.innerHTML = chunk.rows.join(""); // escaped at build time (pulse/readers.html)
        while (holderBody.firstElementChild) body.appendChild(holderBody.firstElementChild);
      });
      table.setAttribute("data-loaded", "true");
      if (pages) pages.hidden = true;
      if (holder) holder.hidden = true;
      var caption = table.caption;
      if (caption) caption.textContent = "All " + body.rows.length + " communities";
      return body.rows.length;
    }).catch(function (error) {
      loading = null;
      if (button) button.disabled = false;
      if (status) status.textContent = "Could not load the other rows; the page links below still work.";
      throw error;
    });
    return loading;
  }

  if (holder) holder.hidden = false;
  if (button) button.addEventListener("click", function () { loadAll(); });
  // The first sort needs every row: load them, then sort.
  table.addEventListener("click", function (event) {
    var sortButton = event.target.closest && event.target.closest(".pulse-sort");
    if (!sortButton || table.getAttribute("data-loaded") === "true") return;
    event.stopPropagation();
    event.preventDefault();
    loadAll().then(function () { sortButton.click(); });
  }, true);
})();
