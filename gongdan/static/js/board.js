// The lead's board chart: open and P0/P1 tickets per agent, from the JSON the page embeds.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const holder = document.getElementById("load-chart");
    const source = document.getElementById("load-data");
    if (!holder || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const zh = (document.documentElement.lang || "").startsWith("zh");
    const chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0, data: [zh ? "未结" : "Open", "P0/P1"] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: data.names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: zh ? "未结" : "Open", type: "bar", data: data.open },
        { name: "P0/P1", type: "bar", data: data.urgent },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  });
})();
