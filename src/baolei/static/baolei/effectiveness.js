// The effectiveness view's scatter (dashboard/effectiveness.html), drawn with the bundled
// ECharts from #effectiveness-data: each child region's strength against its outcome,
// with lines at the two medians cutting the plane into quadrants. The table on the page
// holds the same figures, so nothing is lost where the chart cannot be drawn.
(() => {
  "use strict";
  const RED = "#c8161d";
  const GREY = "#7a7a7a";

  function scatter(element, data) {
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    const weakSide = (point) =>
      point.strength < data.strength_median &&
      (data.better === "lower" ? point.outcome > data.outcome_median : point.outcome < data.outcome_median);
    const lines = [];
    if (data.strength_median !== null) lines.push({ xAxis: data.strength_median });
    if (data.outcome_median !== null) lines.push({ yAxis: data.outcome_median });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 24, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: (p) => `${p.data.name}<br>${data.strength}: ${p.data.value[0]}<br>${data.outcome}: ${p.data.value[1]} ${data.unit}`,
      },
      xAxis: { type: "value", name: data.strength, nameLocation: "middle", nameGap: 28, scale: true },
      // Better is up: an outcome where lower is better runs downwards.
      yAxis: {
        type: "value",
        name: `${data.outcome} (${data.unit})`,
        nameLocation: data.better === "lower" ? "start" : "end",
        inverse: data.better === "lower",
        scale: true,
      },
      series: [
        {
          type: "scatter",
          symbolSize: 10,
          data: data.points.map((point) => ({
            name: point.name,
            code: point.code,
            url: point.url,
            value: [point.strength, point.outcome],
            itemStyle: { color: weakSide(point) ? RED : GREY },
          })),
          markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: GREY }, label: { show: false }, data: lines },
        },
      ],
    });
    chart.on("click", (params) => {
      if (params.data && params.data.url) window.location.href = params.data.url;
    });
    window.addEventListener("resize", () => chart.resize());
  }

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("effectiveness-data");
    const element = document.getElementById("effectiveness-scatter");
    if (!source || !element || !window.echarts) return;
    scatter(element, JSON.parse(source.textContent));
  });
})();
