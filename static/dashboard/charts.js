/* Discriminamómetro: the dashboard's charts (Chart.js, vendored) and PNG downloads.
 * Each <canvas data-series="ID"> reads its data from the JSON script #ID written by the page:
 * the rate line and the yellow and red thresholds, in percent, from the first period with data on.
 * A period without posts is null: the rate line leaves a gap there rather than joining its neighbours.
 * The thresholds are stepped dashed lines (each holds for its whole period) with a pale band from yellow
 * to red and another above red; a threshold between two periods without one is drawn as a short dash.
 * Buttons with data-png-chart download a chart as PNG; data-png-svg draws an inline SVG (the states map)
 * on a canvas first. */
(function () {
  "use strict";
  const charts = {};
  const COLOURS = { rate: "#2b5cab", yellow: "#b58900", red: "#c62828" };
  const BANDS = { yellow: "rgba(242, 184, 0, 0.16)", red: "rgba(198, 40, 40, 0.10)" };

  function isolated(values, i) {
    return values[i] !== null && (i === 0 || values[i - 1] === null) && (i === values.length - 1 || values[i + 1] === null);
  }

  function rateLine(data) {
    return { label: data.series.rate, data: data.rate, borderColor: COLOURS.rate, backgroundColor: COLOURS.rate,
             borderWidth: 2, pointRadius: 2.5, spanGaps: false, tension: 0, fill: false, order: 0 };
  }

  function thresholdLine(data, key) {
    const values = data[key];
    return {
      label: data.series[key], data: values, borderColor: COLOURS[key], backgroundColor: BANDS[key],
      borderDash: key === "yellow" ? [6, 4] : [2, 3], borderWidth: 1.5, stepped: "middle", spanGaps: false,
      // Yellow fills up to red (the yellow band), red up to the top of the chart (the red band).
      fill: key === "yellow" ? "+1" : "end", order: 1,
      pointStyle: "line", pointBorderWidth: 2, pointHoverRadius: 0,
      pointRadius: function (context) { return isolated(values, context.dataIndex) ? 7 : 0; },
    };
  }

  function draw(canvas) {
    const data = JSON.parse(document.getElementById(canvas.dataset.series).textContent);
    charts[canvas.id] = new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: [rateLine(data), thresholdLine(data, "yellow"), thresholdLine(data, "red")] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: "%" } }, x: { ticks: { maxTicksLimit: 10 } } },
        plugins: {
          // Thresholds the series does not have yet are not listed: the page says why under the chart.
          legend: { position: "bottom", labels: { filter: function (item) { return item.datasetIndex === 0 || data.thresholds; } } },
          tooltip: {
            filter: function (item) { return item.raw !== null; },
            callbacks: {
              label: function (item) { return item.dataset.label + ": " + item.formattedValue + " %"; },
              afterBody: function (items) { return "n = " + data.posts[items[0].dataIndex]; },
            },
          },
        },
      },
      // A white background, so the downloaded PNG is readable outside the page.
      plugins: [{ id: "white", beforeDraw: function (chart) {
        const ctx = chart.ctx; ctx.save(); ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, chart.width, chart.height); ctx.restore();
      } }],
    });
  }

  function download(url, name) {
    const link = document.createElement("a");
    link.href = url; link.download = name + ".png";
    document.body.appendChild(link); link.click(); link.remove();
  }

  function svgPng(svg, name) {
    const box = svg.getBoundingClientRect();
    const scale = 2, width = Math.round(box.width * scale), height = Math.round(box.height * scale);
    const copy = svg.cloneNode(true);
    // The page's stylesheet does not travel with the file: copy the computed colours onto the copy.
    const from = svg.querySelectorAll("*"), to = copy.querySelectorAll("*");
    from.forEach(function (node, i) {
      const style = getComputedStyle(node);
      to[i].setAttribute("style", "fill:" + style.fill + ";stroke:" + style.stroke + ";font:" + style.font);
    });
    copy.setAttribute("width", width); copy.setAttribute("height", height);
    const image = new Image();
    image.onload = function () {
      const canvas = document.createElement("canvas");
      canvas.width = width; canvas.height = height;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, width, height); ctx.drawImage(image, 0, 0, width, height);
      download(canvas.toDataURL("image/png"), name);
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(copy));
  }

  document.querySelectorAll("canvas[data-series]").forEach(draw);
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-png-chart], [data-png-svg]");
    if (!button) { return; }
    if (button.dataset.pngChart) {
      download(charts[button.dataset.pngChart].toBase64Image("image/png", 1), button.dataset.name);
    } else {
      svgPng(document.getElementById(button.dataset.pngSvg), button.dataset.name);
    }
  });
})();
