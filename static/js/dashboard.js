// The dashboards' charts (progressive enhancement): the tables on the page are the content; each chart draws
// the data the page passed with json_script (no inline script: CSP), and a click on a bar or slice opens the same
// filtered list as the number in the table.
(function () {
  "use strict";

  function option(spec) {
    var tooltip = { trigger: spec.type === "pie" ? "item" : "axis" };
    if (spec.type === "pie") {
      var s = spec.series[0];
      return {
        tooltip: tooltip,
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          name: s.name,
          data: spec.categories.map(function (name, i) { return { name: name, value: s.data[i], link: s.links[i] }; })
        }]
      };
    }
    return {
      tooltip: tooltip,
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", minInterval: spec.type === "line" ? 0 : 1 },
      series: spec.series.map(function (s) {
        return {
          type: spec.type === "line" ? "line" : "bar",
          name: s.name,
          stack: spec.type === "stacked" ? "total" : undefined,
          connectNulls: true,
          data: s.data.map(function (v, i) { return { value: v, link: (s.links || [])[i] }; })
        };
      })
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) return;
    var specs = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var spec = specs[box.getAttribute("data-chart")];
      if (!spec) return;
      var chart = window.echarts.init(box);
      chart.setOption(option(spec));
      chart.on("click", function (params) {
        var link = params.data && params.data.link;
        if (link) window.location.href = link;
      });
      box.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
