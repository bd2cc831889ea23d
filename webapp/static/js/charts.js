// Draws the dashboard's charts with Chart.js from JSON data blocks in the page (no inline script).
// Readable without colour: every bar and point carries its value as a label, datasets differ by
// line dash, point style and border, and the same figures are in a table under each chart.
(function () {
  "use strict";
  const PALETTE = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c"];
  const POINT_STYLES = ["circle", "rectRot", "triangle", "rect", "star"];
  const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 1]];

  // Writes each value at the end of its bar or above its point, so no colour or legend is needed to read it.
  const directLabels = {
    id: "directLabels",
    afterDatasetsDraw(chart, _args, options) {
      const { ctx } = chart;
      const horizontal = chart.options.indexAxis === "y";
      const suffix = options.suffix || "";
      ctx.save();
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = matchMedia("(prefers-color-scheme: dark)").matches ? "#f1f5f9" : "#111827";
      chart.data.datasets.forEach((dataset, index) => {
        const meta = chart.getDatasetMeta(index);
        if (meta.hidden) return;
        const many = meta.data.length > 31;
        meta.data.forEach((element, i) => {
          if (many && i % Math.ceil(meta.data.length / 31) !== 0) return;
          const text = `${dataset.data[i]}${suffix}`;
          if (horizontal) {
            ctx.textAlign = "left";
            ctx.textBaseline = "middle";
            ctx.fillText(text, element.x + 4, element.y);
          } else {
            ctx.textAlign = "center";
            ctx.textBaseline = "bottom";
            ctx.fillText(text, element.x, element.y - 4);
          }
        });
      });
      ctx.restore();
    },
  };

  function datasetStyle(dataset, index, type) {
    const colour = PALETTE[index % PALETTE.length];
    const style = {
      ...dataset,
      borderColor: colour,
      borderWidth: 2,
      borderDash: DASHES[index % DASHES.length],
      pointStyle: POINT_STYLES[index % POINT_STYLES.length],
      pointRadius: 5,
    };
    // Bars: the first dataset solid, the next ones outlined only, so they differ in shape, not just hue.
    style.backgroundColor = type === "line" ? colour : index === 0 ? colour + "cc" : "#ffffff";
    return style;
  }

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    const block = document.getElementById(canvas.dataset.chart);
    if (!block) return;
    const spec = JSON.parse(block.textContent);
    canvas.dataset.drawn = "true";
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((dataset, index) => datasetStyle(dataset, index, spec.type)),
      },
      plugins: [directLabels],
      options: {
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        layout: { padding: { right: 40, top: 20 } },
        // Counts are whole numbers: no 0.5 completions on the axis. Percentages keep Chart.js's own steps.
        scales: { [spec.horizontal ? "x" : "y"]: { beginAtZero: true, ticks: spec.percent ? {} : { precision: 0 } } },
        plugins: {
          directLabels: { suffix: spec.percent ? "%" : "" },
          legend: { display: spec.datasets.length > 1, labels: { usePointStyle: true } },
          title: { display: false, text: spec.title },
        },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  // Filters swap the results in with htmx: draw the new charts.
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
