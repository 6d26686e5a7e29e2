/**
 * The report page's own script (plain ES2017, run by the browser): draws the charts with the
 * inlined Chart.js from the JSON in #report-data and #report-view. Kept as text because the
 * page must load nothing; it exposes its charts as `window.fineThreadsReport` for the tests.
 * (No template literals below: this file is itself one.)
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var view = JSON.parse(document.getElementById('report-view').textContent);
  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];
  var THREADED = '#b07aa1';
  var AXIS_WIDTH = 210;
  var cores = data.machine.cores;
  var charts = {};
  window.fineThreadsReport = { data: data, view: view, charts: charts };

  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#1f2328';
  Chart.defaults.plugins.legend.labels.boxWidth = 14;

  function rgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function s(x) { return x.toFixed(2) + ' s'; }
  function threadsText(n) { return n === 0 ? 'all cores' : n === 1 ? '1 thread' : n + ' threads'; }
  function mainRun(c) { return c.measured || c.predicted; }
  function short(name) { return name.length > 30 ? name.slice(0, 29) + '…' : name; }
  function fixedWidth(scale) { scale.width = AXIS_WIDTH; }
  function notEmpty(item, chartData) {
    return chartData.datasets[item.datasetIndex].data.some(function (v) { return v; });
  }

  // Per crate: one stacked bar (front-end, back-end) per configuration, as in the seed's picture.
  function drawCrates() {
    var rows = view.crateRows;
    var datasets = [];
    data.configurations.forEach(function (c, i) {
      var run = mainRun(c);
      if (!run) return;
      var color = PALETTE[i % PALETTE.length];
      var by = {};
      run.crates.forEach(function (t) {
        var p = by[t.name];
        by[t.name] = p
          ? { frontend: p.frontend + t.frontend, backend: p.backend + t.backend, split: p.split && t.split, threads: Math.max(p.threads, t.threads) }
          : { frontend: t.frontend, backend: t.backend, split: t.split, threads: t.threads };
      });
      var label = c.label + (c.measured ? '' : ' (predicted)');
      function part(name, which) {
        var t = by[name];
        if (!t) return null;
        if (which === 'whole') return t.split ? null : t.backend;
        return t.split ? t[which] : null;
      }
      var threads = rows.map(function (n) { return by[n] ? by[n].threads : null; });
      datasets.push({ label: label + ' front-end', stack: label, data: rows.map(function (n) { return part(n, 'frontend'); }), backgroundColor: color, threads: threads, config: c.label });
      datasets.push({ label: label + ' back-end', stack: label, data: rows.map(function (n) { return part(n, 'backend'); }), backgroundColor: rgba(color, 0.38), threads: threads, config: c.label });
      datasets.push({ label: label + ' (not split)', stack: label, data: rows.map(function (n) { return part(n, 'whole'); }), backgroundColor: rgba(color, 0.12), borderColor: color, borderWidth: 1, threads: threads, config: c.label });
    });
    charts.crates = new Chart(document.getElementById('crates-chart'), {
      type: 'bar',
      data: { labels: rows, datasets: datasets },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        categoryPercentage: 0.86,
        barPercentage: 0.92,
        scales: {
          x: { stacked: true, beginAtZero: true, title: { display: true, text: 'seconds' } },
          y: { stacked: true, afterFit: fixedWidth, ticks: { autoSkip: false, callback: function (v) { return short(rows[v]); } } },
        },
        plugins: {
          legend: {
            position: 'top',
            // One entry per configuration (toggling its three parts), then what the shades mean.
            labels: {
              generateLabels: function (chart) {
                var items = [];
                chart.data.datasets.forEach(function (d, i) {
                  if (i % 3) return;
                  items.push({ text: d.stack, fillStyle: d.backgroundColor, strokeStyle: d.backgroundColor, lineWidth: 0, hidden: !chart.isDatasetVisible(i), datasetIndex: i });
                });
                items.push({ text: 'front-end', fillStyle: '#6e7781', strokeStyle: '#6e7781', lineWidth: 0 });
                items.push({ text: 'back-end', fillStyle: 'rgba(110,119,129,0.38)', strokeStyle: 'rgba(110,119,129,0.38)', lineWidth: 0 });
                return items;
              },
            },
            onClick: function (e, item, legend) {
              if (item.datasetIndex === undefined) return;
              var chart = legend.chart;
              var show = !chart.isDatasetVisible(item.datasetIndex);
              for (var k = 0; k < 3; k++) chart.setDatasetVisibility(item.datasetIndex + k, show);
              chart.update();
            },
          },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var n = ctx.dataset.threads[ctx.dataIndex];
                return ctx.dataset.label + ': ' + s(ctx.parsed.x) + (n !== null && n !== 1 ? ' (' + threadsText(n) + ')' : '');
              },
            },
          },
        },
      },
    });
  }

  // One build over time: a bar per unit (front-end, back-end), and below it the threads in use
  // against the cores, the idle cores shaded.
  function drawTimeline(index) {
    var tl = view.timelines[index];
    if (charts.timeline) charts.timeline.destroy();
    if (charts.idle) charts.idle.destroy();
    if (!tl) return;
    var run = data.configurations[tl.config][tl.kind];
    var units = run.units.slice().sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    var end = units.reduce(function (m, u) { return Math.max(m, u.end); }, run.makespan);
    var row = Math.max(5, Math.min(18, Math.floor(640 / Math.max(1, units.length))));
    document.getElementById('timeline-box').style.height = units.length * row + 80 + 'px';
    document.getElementById('timeline-caption').textContent = tl.caption;
    function split(u) { return u.metadata !== undefined && u.metadata !== null; }
    function bars(pick) { return units.map(function (u) { return pick(u) || null; }); }
    var datasets = [
      { label: 'front-end, 1 thread', data: bars(function (u) { return split(u) && u.threads === 1 && u.metadata > u.start && [u.start, u.metadata]; }), backgroundColor: PALETTE[0] },
      { label: 'front-end, threaded', data: bars(function (u) { return split(u) && u.threads !== 1 && u.metadata > u.start && [u.start, u.metadata]; }), backgroundColor: THREADED },
      { label: 'back-end', data: bars(function (u) { return split(u) && u.end > u.metadata && [u.metadata, u.end]; }), backgroundColor: '#a0cbe8' },
      { label: 'not split (build-script run, ...)', data: bars(function (u) { return !split(u) && [u.start, Math.max(u.end, u.start + 0.001)]; }), backgroundColor: '#cfc8c4' },
    ];
    datasets.forEach(function (d) { d.grouped = false; d.minBarLength = 2; });
    charts.timeline = new Chart(document.getElementById('timeline-chart'), {
      type: 'bar',
      data: { labels: units.map(function (u) { return u.name; }), datasets: datasets },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        categoryPercentage: 0.9,
        barPercentage: 1,
        scales: {
          x: { min: 0, max: end, title: { display: true, text: "seconds from the build's start" } },
          y: { afterFit: fixedWidth, ticks: { autoSkip: row < 11, font: { size: row < 14 ? 10 : 12 }, callback: function (v) { return short(units[v].name); } } },
        },
        plugins: {
          legend: { position: 'top', labels: { filter: notEmpty } },
          tooltip: {
            callbacks: {
              title: function (items) { return units[items[0].dataIndex].name; },
              label: function (ctx) {
                var r = ctx.raw;
                return ctx.dataset.label + ': ' + s(r[1] - r[0]) + ' (' + r[0].toFixed(2) + '–' + r[1].toFixed(2) + ')';
              },
              footer: function (items) { return threadsText(units[items[0].dataIndex].threads); },
            },
          },
        },
      },
    });
    var busy = run.samples.map(function (p) { return { x: p.t, y: p.threads }; });
    if (busy.length) busy.push({ x: end, y: busy[busy.length - 1].y });
    var line = busy.map(function (p) { return { x: p.x, y: cores }; });
    charts.idle = new Chart(document.getElementById('idle-chart'), {
      type: 'line',
      data: {
        datasets: [
          { label: 'threads in use', data: busy, stepped: true, fill: 'origin', backgroundColor: rgba(PALETTE[0], 0.3), borderColor: PALETTE[0], borderWidth: 1.5, pointRadius: 0 },
          {
            label: cores + ' cores: idle shaded red, oversubscribed purple',
            data: line, stepped: true, borderColor: '#1f2328', borderDash: [5, 4], borderWidth: 1, pointRadius: 0,
            backgroundColor: rgba('#e15759', 0.28),
            fill: { target: 0, above: rgba('#e15759', 0.28), below: rgba('#7b3294', 0.35) },
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', min: 0, max: end, title: { display: true, text: "seconds from the build's start" } },
          y: { min: 0, suggestedMax: cores + 1, afterFit: fixedWidth, title: { display: true, text: 'threads' }, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: 'top' } },
      },
    });
  }

  // Predicted makespan, baseline vs tuned, on machines of 4 to 64 cores.
  function drawCores() {
    var p = data.predictions;
    var tunedIndex = data.configurations.map(function (c) { return c.label; }).indexOf('tuned');
    var tunedColor = PALETTE[(tunedIndex >= 0 ? tunedIndex : 2) % PALETTE.length];
    charts.cores = new Chart(document.getElementById('cores-chart'), {
      type: 'bar',
      data: {
        labels: p.map(function (x) { return x.cores + ' cores'; }),
        datasets: [
          { label: 'baseline (predicted)', data: p.map(function (x) { return x.baseline; }), backgroundColor: PALETTE[0] },
          { label: 'tuned (predicted)', data: p.map(function (x) { return x.tuned; }), backgroundColor: tunedColor },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'build time, seconds' } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (ctx) { return ctx.dataset.label + ': ' + s(ctx.parsed.y); },
              footer: function (items) {
                var x = p[items[0].dataIndex];
                return x.baseline > 0 ? 'change: ' + ((x.tuned / x.baseline - 1) * 100).toFixed(1) + ' %' : '';
              },
            },
          },
        },
      },
    });
  }

  drawCrates();
  var select = document.getElementById('timeline-select');
  var first = 0;
  view.timelines.forEach(function (t, i) { if (t.kind === 'measured') first = i; });
  select.value = String(first);
  select.addEventListener('change', function () { drawTimeline(Number(select.value)); });
  drawTimeline(first);
  drawCores();
})();
`;
