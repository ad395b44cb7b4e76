/* Community Pulse: sortable tables and lazily drawn charts. Loaded with `defer`.
 *
 * Charts: every <div class="pulse-chart" data-figure="ID"> has its figure in
 * <script type="application/json" id="ID"> (data, never executed). plotly.js is loaded once,
 * only when the first chart comes near the viewport; each chart is drawn as it scrolls in.
 * Tables: <table data-sortable> gets a button in each sortable <th> (aria-sort tells the state);
 * cells carry data-sort="number" or text. Without JavaScript both stay plain HTML.
 * Freshness: the note "the newest value was observed …, more than two days ago" is decided when
 * the site is built; a site built once and left alone would look fresh for ever. The note's
 * <time datetime> is compared with the reader's clock and the note shown when it is older than
 * two days. Without JavaScript the build-time note stays as it is.
 */
(function () {
  "use strict";
  if (window.communityPulse) return; // a post may include the script more than once
  window.communityPulse = true;

  var script = document.currentScript;
  var plotlySrc = script && script.getAttribute("data-plotly");
  var plotlyPromise = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyPromise) {
      plotlyPromise = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = plotlySrc;
        tag.async = true;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { reject(new Error("plotly.js failed to load: " + plotlySrc)); };
        document.head.appendChild(tag);
      });
    }
    return plotlyPromise;
  }

  function themeColours(element) {
    var style = getComputedStyle(element);
    return { text: style.color, grid: style.getPropertyValue("--pulse-grid").trim() || "rgba(128,128,128,0.25)" };
  }

  function readFigure(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  // A real button (keyboard accessible) switches linear <-> log. The log axis (ticks at 1, 10,
  // 100, 1k, ... and a range that holds every value) comes with the figure in layout.meta.log.
  function addScaleToggle(container, Plotly, logAxis) {
    if (container.getAttribute("data-scale-toggle") !== "true") return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pulse-scale-toggle";
    var startsLog = container.layout && container.layout.yaxis && container.layout.yaxis.type === "log";
    button.setAttribute("aria-pressed", startsLog ? "true" : "false");
    button.textContent = "Log scale";
    button.addEventListener("click", function () {
      var log = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", log ? "true" : "false");
      var update = { "yaxis.type": log ? "log" : "linear" };
      if (log && logAxis) {
        update["yaxis.range"] = logAxis.range;
        update["yaxis.tickmode"] = "array";
        update["yaxis.tickvals"] = logAxis.tickvals;
        update["yaxis.ticktext"] = logAxis.ticktext;
      } else {
        update["yaxis.autorange"] = true;
        update["yaxis.tickmode"] = "auto";
      }
      Plotly.relayout(container, update);
    });
    container.parentNode.insertBefore(button, container);
  }

  // Phones: the legend goes below the plot and never scrolls (the chart grows to hold it),
  // dates are not rotated and fewer date ticks are shown.
  var NARROW = 560;
  function fitToWidth(container, layout, data) {
    var width = container.clientWidth;
    var narrow = width < NARROW;
    var shown = layout.showlegend === false ? [] :
      data.filter(function (t) { return t.showlegend !== false && t.name && t.visible !== false; });
    var entries = shown.length;
    var perRow = narrow ? 1 : Math.max(1, Math.floor(width / 240));
    var rows = Math.ceil(entries / perRow);
    // the legend sits at the bottom of the whole figure (container coordinates), below the
    // tick labels and the x title, in a margin made tall enough to hold every row
    var xTitle = layout.xaxis && layout.xaxis.title && layout.xaxis.title.text ? 22 : 0;
    var legendHeight = rows * (narrow ? 19 : 21) + (rows ? 4 * rows : 0);
    // never a scroll box: plotly caps a legend at half the figure unless told its height
    layout.legend = Object.assign({}, layout.legend, {
      orientation: "h", x: 0, xanchor: "left", xref: "container",
      y: 0, yanchor: "bottom", yref: "container", tracegroupgap: 4,
      maxheight: legendHeight + 40, font: { size: narrow ? 11 : 12 }
    });
    layout.xaxis = Object.assign({}, layout.xaxis, { tickangle: 0, automargin: true });
    if (narrow) {
      layout.xaxis.nticks = 4;
      layout.margin = Object.assign({}, layout.margin, { l: 44, r: 8 });
    }
    layout.margin = Object.assign({}, layout.margin, { b: 44 + xTitle + legendHeight + (rows ? 8 : 0) });
    var plotHeight = narrow ? 220 : 280;
    var height = Math.max(container.clientHeight, plotHeight + layout.margin.t + layout.margin.b);
    layout.height = height;
    container.style.height = height + "px";
  }

  function draw(container) {
    var figure = readFigure(container.getAttribute("data-figure"));
    if (!figure) return;
    loadPlotly().then(function (Plotly) {
      var colours = themeColours(container);
      var layout = figure.layout || {};
      // the figure's title is already the <figcaption>: do not say it twice
      if (layout.title) { delete layout.title; }
      var hasNotes = layout.annotations && layout.annotations.length;
      layout.margin = Object.assign({}, layout.margin, { t: hasNotes ? 36 : 28 });
      var logAxis = layout.meta && layout.meta.log;
      fitToWidth(container, layout, figure.data || []);
      layout.font = Object.assign({}, layout.font, { color: colours.text });
      layout.modebar = { bgcolor: "rgba(0,0,0,0)", color: colours.text, activecolor: colours.text };
      layout.paper_bgcolor = "rgba(0,0,0,0)";
      layout.plot_bgcolor = "rgba(0,0,0,0)";
      ["xaxis", "yaxis"].forEach(function (axis) {
        layout[axis] = Object.assign({}, layout[axis], { gridcolor: colours.grid, zerolinecolor: colours.grid });
      });
      container.classList.add("pulse-chart-drawn");
      // a minimal toolbar: plotly's own "download PNG" only; a double-click resets any zoom
      return Plotly.newPlot(container, figure.data || [], layout, {
        responsive: true, displaylogo: false, displayModeBar: true,
        modeBarButtons: [["toImage"]], doubleClick: "reset",
        toImageButtonOptions: { format: "png", filename: container.getAttribute("data-figure").replace(/-json$/, "") }
      }).then(function () {
        container.setAttribute("data-drawn", "true");
        addScaleToggle(container, Plotly, logAxis);
      });
    }).catch(function (error) {
      container.setAttribute("data-drawn", "failed");
      if (window.console) console.warn(error.message);
    });
  }

  function setUpCharts() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".pulse-chart[data-figure]"));
    if (!charts.length || !plotlySrc) return;
    if (!("IntersectionObserver" in window)) { charts.forEach(draw); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        draw(entry.target);
      });
    }, { rootMargin: "200px 0px" });
    charts.forEach(function (chart) { observer.observe(chart); });
  }

  function sortKey(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) return { missing: false, value: cell.textContent.trim().toLowerCase() };
    if (raw === "") return { missing: true, value: null };
    var number = Number(raw);
    return isNaN(number) ? { missing: false, value: raw.toLowerCase() } : { missing: false, value: number };
  }

  function compare(a, b, direction) {
    if (a.missing || b.missing) return a.missing === b.missing ? 0 : (a.missing ? 1 : -1); // gaps last
    if (a.value < b.value) return -direction;
    if (a.value > b.value) return direction;
    return 0;
  }

  function sortTable(table, column, header) {
    var body = table.tBodies[0];
    var current = header.getAttribute("aria-sort");
    var direction = current === "ascending" ? -1 : 1;
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return { row: row, index: index, key: sortKey(row.cells[column]) };
    });
    rows.sort(function (a, b) { return compare(a.key, b.key, direction) || a.index - b.index; });
    rows.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      if (cell.hasAttribute("aria-sort")) cell.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
  }

  function setUpTables() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
      if (!table.tHead || !table.tBodies.length) return;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
        if (header.hasAttribute("data-nosort")) return;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "pulse-sort";
        while (header.firstChild) button.appendChild(header.firstChild);
        header.appendChild(button);
        if (!header.hasAttribute("aria-sort")) header.setAttribute("aria-sort", "none");
        button.addEventListener("click", function () { sortTable(table, column, header); });
      });
      table.classList.add("pulse-sortable-ready");
    });
  }

  var DAY_MS = 86400000;
  var OLD_AFTER_MS = 2 * DAY_MS; // dashboard.OLD_AFTER_SECONDS

  function checkFreshness() {
    Array.prototype.forEach.call(document.querySelectorAll(".pulse-freshness-note"), function (note) {
      var time = note.querySelector("time[datetime]");
      var newest = time ? Date.parse(time.getAttribute("datetime")) : NaN;
      if (isNaN(newest)) return;
      var age = Date.now() - newest;
      if (age <= OLD_AFTER_MS) return;
      var days = Math.floor(age / DAY_MS);
      var words = note.querySelector(".pulse-freshness-age");
      if (words) words.textContent = days + " days ago";
      note.hidden = false;
      note.setAttribute("data-checked", "reader-clock");
    });
  }

  setUpTables();
  setUpCharts();
  checkFreshness();
})();
