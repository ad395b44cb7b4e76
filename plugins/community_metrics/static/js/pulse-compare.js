/* Community Pulse: /compare/. Loaded with `defer`.
 *
 * The choice lives in the address: ?c=python,rust&m=members&norm=index&align=age&from=2026-01-01
 * (&to=…). Every change of the form rewrites the address (history.replaceState), fetches
 * /compare/data/<slug>.json for the chosen communities only (same site, cached), draws one line
 * per community with plotly.js (self-hosted, loaded on first draw) and rewrites the table.
 * Without JavaScript the page shows the default comparison as a static table.
 */
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  if (!form) return;
  var chart = document.getElementById("compare-chart");
  var table = document.getElementById("compare-table");
  var statusLine = document.getElementById("compare-status");
  var title = document.getElementById("compare-result-title");
  var link = document.getElementById("compare-link");
  var search = document.getElementById("compare-search");
  var count = document.getElementById("compare-count");
  var dataBase = form.getAttribute("data-data");
  var plotlySrc = form.getAttribute("data-plotly");
  var cache = {};
  var plotlyPromise = null;
  var drawing = 0;
  var order = []; // the chosen slugs in the order the reader named or ticked them
  var indexUrl = form.getAttribute("data-index"); // set when only the largest are listed
  var indexPromise = null;
  var list = document.getElementById("compare-list");
  var unknownLine = document.getElementById("compare-unknown");

  /* Every community ([slug, name]) from /compare/communities.json, added to the list as tick
   * boxes (text set with textContent: names are never parsed as HTML). */
  function loadIndex() {
    if (!indexUrl) return Promise.resolve();
    if (!indexPromise) {
      indexPromise = fetch(indexUrl, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("community list: HTTP " + response.status);
        return response.json();
      }).then(function (pairs) {
        var known = {};
        boxes().forEach(function (box) { known[box.value] = true; });
        pairs.forEach(function (pair) {
          if (known[pair[0]]) return;
          var item = document.createElement("li");
          item.setAttribute("data-name", pair[1].toLowerCase() + " " + pair[0]);
          var label = document.createElement("label");
          var box = document.createElement("input");
          box.type = "checkbox";
          box.name = "c";
          box.value = pair[0];
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + pair[1]));
          item.appendChild(label);
          item.hidden = true; // shown when the search matches it
          list.appendChild(item);
        });
      });
    }
    return indexPromise;
  }
  var DAY = 86400000;
  var MONTH_DAYS = 30.4375;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyPromise) {
      plotlyPromise = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = plotlySrc;
        tag.async = true;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { reject(new Error("plotly.js failed to load")); };
        document.head.appendChild(tag);
      });
    }
    return plotlyPromise;
  }

  function boxes() { return Array.prototype.slice.call(form.querySelectorAll('input[name="c"]')); }
  function radio(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : null;
  }
  function setRadio(name, value) {
    var input = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (input) input.checked = true;
  }
  function validDate(text) { return /^\d{4}-\d{2}-\d{2}$/.test(text || "") ? text : ""; }

  /* --- the address <-> the form -------------------------------------------------------- */

  function namedSlugs() {
    var chosen = [];
    new URLSearchParams(window.location.search).getAll("c").forEach(function (value) {
      value.split(",").forEach(function (slug) { if (slug && chosen.indexOf(slug) < 0) chosen.push(slug); });
    });
    return chosen;
  }

  /* "No tracked community is called 'a', 'b' or 'c'." (names from the address: set as text) */
  function sayUnknown(unknown, fallback) {
    if (!unknownLine) return;
    if (!unknown.length) { unknownLine.hidden = true; unknownLine.textContent = ""; return; }
    var quoted = unknown.map(function (slug) { return "'" + slug + "'"; });
    var names = quoted.length === 1 ? quoted[0] :
      quoted.slice(0, -1).join(", ") + " or " + quoted[quoted.length - 1];
    unknownLine.textContent = "No tracked community is called " + names + "." +
      (fallback ? " Showing the default comparison instead; tick communities below to choose others." : "");
    unknownLine.hidden = false;
  }

  /* ``listComplete``: every community has its tick box (false when the full list could not be
   * loaded: then a name that is not listed is not called unknown). */
  function readAddress(listComplete) {
    var query = new URLSearchParams(window.location.search);
    var listed = {};
    boxes().forEach(function (box) { listed[box.value] = true; });
    var named = namedSlugs();
    var unknown = listComplete === false ? [] : named.filter(function (slug) { return !listed[slug]; });
    var chosen = named.filter(function (slug) { return unknown.indexOf(slug) < 0; });
    var fallback = !chosen.length && unknown.length > 0;
    if (!chosen.length) chosen = (form.getAttribute("data-default") || "").split(",").filter(Boolean);
    sayUnknown(unknown, fallback);
    boxes().forEach(function (box) {
      box.checked = chosen.indexOf(box.value) >= 0;
      if (box.checked) box.parentNode.parentNode.hidden = false; // a named one is always shown
    });
    order = chosen.slice();
    var metric = form.elements.m;
    var wanted = query.get("m");
    if (wanted && Array.prototype.some.call(metric.options, function (o) { return o.value === wanted; })) metric.value = wanted;
    setRadio("norm", query.get("norm") === "index" ? "index" : "abs");
    setRadio("align", query.get("align") === "age" ? "age" : "date");
    form.elements.from.value = validDate(query.get("from"));
    form.elements.to.value = validDate(query.get("to"));
  }

  function chosenSlugs() {
    var ticked = boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    order = order.filter(function (slug) { return ticked.indexOf(slug) >= 0; });
    ticked.forEach(function (slug) { if (order.indexOf(slug) < 0) order.push(slug); });
    return order.slice();
  }

  function state() {
    return {
      slugs: chosenSlugs(),
      metric: form.elements.m.value,
      norm: radio("norm"),
      align: radio("align"),
      from: validDate(form.elements.from.value),
      to: validDate(form.elements.to.value)
    };
  }

  function query(s) {
    var parts = ["c=" + s.slugs.map(encodeURIComponent).join(","), "m=" + encodeURIComponent(s.metric)];
    if (s.norm === "index") parts.push("norm=index");
    if (s.align === "age") parts.push("align=age");
    if (s.from) parts.push("from=" + s.from);
    if (s.to) parts.push("to=" + s.to);
    return "?" + parts.join("&");
  }

  /* --- data ---------------------------------------------------------------------------- */

  function load(slug) {
    if (!cache[slug]) {
      cache[slug] = fetch(dataBase + encodeURIComponent(slug) + ".json", { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(slug + ": HTTP " + response.status);
          return response.json();
        });
    }
    return cache[slug];
  }

  function dayNumber(iso) { return Date.parse(iso + "T00:00:00Z") / DAY; }
  function isoOf(day) { return new Date(day * DAY).toISOString().slice(0, 10); }

  /* One line: [{date, x, y}] inside the window, indexed and aligned as asked. */
  function line(data, s) {
    var values = (data.metrics || {})[s.metric] || [];
    if (!data.start) return [];
    var start = dayNumber(data.start);
    var founded = data.founded ? dayNumber(data.founded) : start;
    var from = s.from ? dayNumber(s.from) : -Infinity;
    var to = s.to ? dayNumber(s.to) : Infinity;
    var points = [];
    var base = null;
    values.forEach(function (value, i) {
      var day = start + i;
      if (day < from || day > to) return;
      var y = value;
      if (value !== null && s.norm === "index") {
        if (base === null && value) base = value;
        y = base ? value / base * 100 : null;
      }
      points.push({ date: isoOf(day), x: s.align === "age" ? (day - founded) / MONTH_DAYS : isoOf(day), y: y });
    });
    return points;
  }

  function metricLabel(s) {
    var option = form.elements.m.options[form.elements.m.selectedIndex];
    return option ? option.textContent : s.metric;
  }

  function describe(s, names) {
    return metricLabel(s) + (s.norm === "index" ? " (index, 100 at the start)" : "") +
      " of " + names.join(", ") + (s.align === "age" ? ", by months since founding" : ", by date");
  }

  function format(value, s) {
    if (value === null || value === undefined) return "—";
    if (s.norm === "index") return value.toFixed(1);
    return Math.round(value).toLocaleString("en-US");
  }

  function writeTable(s, datasets) {
    var names = datasets.map(function (d) { return d.data.name; });
    var head = table.tHead.rows[0];
    head.innerHTML = "";
    var first = document.createElement("th");
    first.scope = "col";
    first.textContent = s.align === "age" ? "Months since founding" : "Date";
    head.appendChild(first);
    names.forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.className = "num";
      th.textContent = name;
      head.appendChild(th);
    });
    // One row per month (calendar month, or whole month of age): its last value.
    var rows = {};
    var keys = [];
    datasets.forEach(function (d, column) {
      d.points.forEach(function (p) {
        var key = s.align === "age" ? String(Math.floor(p.x)) : p.date.slice(0, 7);
        if (!rows[key]) { rows[key] = []; keys.push(key); }
        if (p.y !== null && p.y !== undefined) rows[key][column] = p.y;
      });
    });
    keys.sort(function (a, b) { return s.align === "age" ? Number(a) - Number(b) : (a < b ? -1 : a > b ? 1 : 0); });
    var body = table.tBodies[0];
    body.innerHTML = "";
    keys.slice(-36).forEach(function (key) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = key;
      tr.appendChild(th);
      names.forEach(function (_, column) {
        var td = document.createElement("td");
        td.className = "num";
        td.textContent = format(rows[key][column], s);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.caption.textContent = describe(s, names) + " (the last value of each month, the newest 36 months)";
  }

  function draw() {
    var s = state();
    var address = query(s);
    if (window.location.search !== address) history.replaceState(null, "", address);
    if (link) link.setAttribute("href", address);
    var ticket = ++drawing;
    if (!s.slugs.length) {
      statusLine.textContent = "Tick at least one community to compare.";
      chart.hidden = true;
      return Promise.resolve();
    }
    statusLine.textContent = "Loading " + s.slugs.length + " communities…";
    return Promise.all(s.slugs.map(function (slug) {
      return load(slug).then(function (data) { return { data: data, points: line(data, s) }; });
    })).then(function (datasets) {
      if (ticket !== drawing) return null; // a newer choice is on its way
      var names = datasets.map(function (d) { return d.data.name; });
      title.textContent = describe(s, names);
      writeTable(s, datasets);
      return loadPlotly().then(function (Plotly) {
        if (ticket !== drawing) return null;
        chart.hidden = false;
        var style = getComputedStyle(chart);
        var colour = style.color;
        var grid = style.getPropertyValue("--pulse-grid").trim() || "rgba(128,128,128,0.25)";
        var traces = datasets.map(function (d) {
          return {
            // a sparse series (a few snapshots) shows its points; a daily one, its line
            // each community keeps its one colour (and dash) of every chart on the site
            type: "scatter", name: d.data.name,
            marker: { size: 5, color: d.data.colour },
            line: { color: d.data.colour, dash: d.data.dash || "solid", width: 2 },
            mode: d.points.filter(function (p) { return p.y !== null; }).length < 60 ? "lines+markers" : "lines",
            x: d.points.map(function (p) { return p.x; }),
            y: d.points.map(function (p) { return p.y; }),
            connectgaps: false,
            hovertemplate: "%{y}<extra>%{fullData.name}</extra>"
          };
        });
        var layout = {
          margin: { l: 56, r: 12, t: 8, b: 48 }, height: 380,
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: colour },
          legend: { orientation: "h", y: -0.2 },
          xaxis: { title: { text: s.align === "age" ? "months since founding" : "" }, type: s.align === "age" ? "linear" : "date",
            gridcolor: grid, zerolinecolor: grid, automargin: true },
          yaxis: { title: { text: s.norm === "index" ? "index (100 = start)" : metricLabel(s) }, rangemode: s.norm === "index" ? "normal" : "tozero",
            gridcolor: grid, zerolinecolor: grid, automargin: true }
        };
        chart.setAttribute("role", "img");
        chart.setAttribute("aria-label", describe(s, names) + ". The table below holds the values.");
        // the site's chart toolbar: "download PNG" only; a double-click undoes a zoom
        return Plotly.react(chart, traces, layout, { displaylogo: false, responsive: true,
          modeBarButtons: [["toImage"]], doubleClick: "reset" }).then(function () {
          chart.setAttribute("data-drawn", "true");
          chart.setAttribute("data-names", names.join(","));
          statusLine.textContent = "Showing " + describe(s, names) + ".";
        });
      });
    }).catch(function (error) {
      statusLine.textContent = "Could not draw the comparison: " + error.message;
    });
  }

  /* --- search and tick ----------------------------------------------------------------- */

  function filter() {
    var words = search.value.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(document.querySelectorAll("#compare-list li"), function (item) {
      var box = item.querySelector("input");
      var match = !words || item.getAttribute("data-name").indexOf(words) >= 0 || box.checked;
      item.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = words ? shown + " shown" : "";
  }

  if (search) {
    search.parentNode.hidden = false;
    search.addEventListener("input", function () {
      filter();
      if (indexUrl) loadIndex().then(filter, function () { count.textContent = "Could not load the full list."; });
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); var first = document.querySelector("#compare-list li:not([hidden]) input"); if (first) first.focus(); }
    });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); draw(); });
  form.addEventListener("change", function (event) {
    if (event.target === search) return;
    if (event.target.name === "c") sayUnknown([], false); // the reader has chosen anew
    draw();
  });
  window.addEventListener("popstate", function () { readAddress(); draw(); });
  statusLine.textContent = "";
  var listed = {};
  boxes().forEach(function (box) { listed[box.value] = true; });
  var unlisted = namedSlugs().filter(function (slug) { return !listed[slug]; });
  // The first drawing waits until the result comes near the screen (as the site's other
  // charts do): on a phone the form fills the first screen, and plotly.js is not needed there.
  function whenNear(element, run) {
    if (!("IntersectionObserver" in window)) { run(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (!entries.some(function (entry) { return entry.isIntersecting; })) return;
      observer.disconnect();
      run();
    }, { rootMargin: "200px 0px" });
    observer.observe(element);
  }
  (unlisted.length ? loadIndex() : Promise.resolve()).then(function () {
    readAddress();
    whenNear(title, draw);
  }, function () { readAddress(false); whenNear(title, draw); });
})();
