// The dashboard's charts (dashboard/dashboard.html), drawn with the bundled ECharts from
// the figures the page hands over in #dashboard-data. Every chart is also a table or a
// list of links on the page, so nothing is lost where a chart cannot be drawn.
(() => {
  "use strict";
  const RED = "#c8161d";
  const PALETTE = [RED, "#e6863b", "#3e8ed0", "#48c78e", "#9b59b6", "#f1c40f", "#7f8c8d", "#1abc9c"];
  const charts = [];

  function go(url) {
    if (url) window.location.href = url;
  }

  function draw(element, option) {
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({ color: PALETTE, animation: false, ...option });
    charts.push(chart);
    return chart;
  }

  function narrow() {
    return window.innerWidth < 769;
  }

  function trendChart(element, trend) {
    element.style.height = "200px";
    draw(element, {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : `${v} ${trend.unit}`) },
      xAxis: { type: "category", data: trend.years.map(String), boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: trend.name, data: trend.values, connectNulls: false, symbolSize: 6 }],
    });
  }

  function breakdownChart(element, breakdown) {
    const items = breakdown.items.filter((item) => item.value);
    if (!items.length) {
      element.remove();
      return;
    }
    element.style.height = narrow() ? "220px" : "240px";
    const chart = draw(element, {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [
        {
          type: "pie",
          radius: narrow() ? ["30%", "60%"] : ["35%", "65%"],
          label: { show: !narrow(), formatter: "{b}" },
          data: items.map((item) => ({ name: item.name, value: item.value, url: item.url })),
        },
      ],
    });
    chart.on("click", (params) => go(params.data && params.data.url));
  }

  function rankingChart(element, ranking) {
    const rows = ranking.rows.slice().reverse(); // the first ranked on top
    element.style.height = `${Math.max(220, rows.length * 22 + 40)}px`;
    const chart = draw(element, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", show: !narrow() },
      yAxis: {
        type: "category",
        data: rows.map((row) => row.name),
        axisLabel: { width: narrow() ? 88 : 140, overflow: "truncate" },
        triggerEvent: true,
      },
      series: [
        {
          type: "bar",
          name: ranking.name,
          data: rows.map((row) => ({ value: row.value, url: row.url })),
          itemStyle: { color: RED },
          label: { show: true, position: "right" },
          cursor: "pointer",
        },
      ],
    });
    chart.on("click", (params) => {
      if (params.componentType === "yAxis") {
        const row = rows.find((r) => r.name === params.value);
        go(row && row.url);
      } else {
        go(params.data && params.data.url);
      }
    });
  }

  function treemapChart(element, ranking) {
    const rows = ranking.rows.filter((row) => row.value > 0);
    if (!rows.length) {
      element.closest(".box").remove();
      return;
    }
    element.style.height = narrow() ? "260px" : "340px";
    const chart = draw(element, {
      tooltip: { formatter: (p) => `${p.name}: ${p.value} ${ranking.unit}` },
      series: [
        {
          type: "treemap",
          name: ranking.name,
          roam: false,
          nodeClick: false,
          breadcrumb: { show: false },
          left: 0,
          top: 0,
          right: 0,
          bottom: 0,
          levels: [{ color: PALETTE, colorMappingBy: "index", itemStyle: { gapWidth: 2 } }],
          label: { show: true, formatter: "{b}\n{c}", color: "#fff", fontSize: 13 },
          upperLabel: { show: false },
          data: rows.map((row) => ({ name: row.name, value: row.value, url: row.url })),
        },
      ],
    });
    chart.on("click", (params) => go(params.data && params.data.url));
  }

  function mapChart(element, ranking, map) {
    fetch(map.url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((geojson) => {
        window.echarts.registerMap(map.name, geojson);
        element.style.height = narrow() ? "320px" : "460px";
        const byCode = Object.fromEntries(ranking.rows.map((row) => [row.code, row]));
        const values = ranking.rows.map((row) => row.value).filter((v) => v !== null);
        const chart = draw(element, {
          tooltip: {
            formatter: (p) => {
              const row = byCode[p.name];
              return row ? `${row.name}: ${row.value === null ? "—" : row.value} ${ranking.unit}` : p.name;
            },
          },
          visualMap: {
            min: Math.min(0, ...values),
            max: Math.max(1, ...values),
            calculable: false,
            orient: "horizontal",
            left: "center",
            bottom: 0,
            inRange: { color: ranking.better === "lower" ? [RED, "#fff5f0"] : ["#fff5f0", RED] },
          },
          series: [
            {
              type: "map",
              map: map.name,
              roam: false,
              label: { show: !narrow(), formatter: (p) => (byCode[p.name] ? byCode[p.name].name : "") },
              data: ranking.rows.map((row) => ({ name: row.code, value: row.value, url: row.url })),
            },
          ],
        });
        chart.on("click", (params) => go(params.data && params.data.url));
      })
      .catch(() => element.closest(".box").remove());
  }

  function start() {
    const source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-trend]").forEach((element) => {
      trendChart(element, data.trends[Number(element.dataset.trend)]);
    });
    document.querySelectorAll("[data-key].chart-breakdown").forEach((element) => {
      const breakdown = data.breakdowns.find((b) => b.key === element.dataset.key);
      if (breakdown) breakdownChart(element, breakdown);
    });
    const ranking = document.getElementById("chart-ranking");
    if (ranking) rankingChart(ranking, data.ranking);
    const treemap = document.getElementById("chart-treemap");
    if (treemap) treemapChart(treemap, data.ranking);
    const map = document.getElementById("chart-map");
    if (map && data.map) mapChart(map, data.ranking, data.map);
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => charts.forEach((chart) => chart.resize()), 150);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    // A chosen year or indicator shows at once; the button stays for a browser without us.
    document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
      select.addEventListener("change", () => select.form.submit());
    });
    // A ranked row drills down wherever it is clicked, not only on its name.
    document.querySelectorAll("tr.drill-row[data-href]").forEach((row) => {
      row.addEventListener("click", (event) => {
        if (!event.target.closest("a")) go(row.dataset.href);
      });
    });
    start();
  });
})();
