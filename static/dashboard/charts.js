/* Discriminamómetro: the dashboard's charts (Chart.js, vendored) and PNG downloads.
 * Each <canvas data-series="ID"> reads its data from the JSON script #ID written by the page:
 * the rate line and the yellow and red thresholds, in percent. Buttons with data-png-chart
 * download a chart as PNG; data-png-svg draws an inline SVG (the states map) on a canvas first. */
(function () {
  "use strict";
  const charts = {};
  const COLOURS = { rate: "#2b5cab", yellow: "#b58900", red: "#c62828" };

  function draw(canvas) {
    const data = JSON.parse(document.getElementById(canvas.dataset.series).textContent);
    const line = function (key, dash) {
      return { label: data.series[key], data: data[key], borderColor: COLOURS[key], backgroundColor: COLOURS[key],
               borderDash: dash, borderWidth: key === "rate" ? 2 : 1.5, pointRadius: key === "rate" ? 2.5 : 0,
               // Periods without scored posts have no rate: the line joins the periods that have one.
               spanGaps: true, tension: 0 };
    };
    charts[canvas.id] = new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: [line("rate", []), line("yellow", [6, 4]), line("red", [2, 3])] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: "%" } }, x: { ticks: { maxTicksLimit: 10 } } },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { afterBody: function (items) { return "n = " + data.posts[items[0].dataIndex]; } } },
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
