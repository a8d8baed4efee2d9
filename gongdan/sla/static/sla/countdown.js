// Live SLA countdowns: every badge with data-sla-due shows the time left (or overdue), and turns
// red when its deadline passes. Pages with data-sla-refresh reload themselves every N seconds.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;

  function span(ms) {
    var minutes = Math.round(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) parts.push(days + (zh ? "天" : "d"));
    if (hours) parts.push(hours + (zh ? "小时" : "h"));
    if (!days) parts.push(mins + (zh ? "分" : "m"));
    return parts.join(zh ? "" : " ");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-sla-due]").forEach(function (badge) {
      var left = Date.parse(badge.getAttribute("data-sla-due")) - now;
      var text = badge.querySelector(".sla-countdown");
      if (!text) return;
      if (left >= 0) {
        text.textContent = zh ? "剩余 " + span(left) : span(left) + " left";
      } else {
        text.textContent = zh ? "已超时 " + span(left) : span(left) + " overdue";
        badge.classList.remove("text-bg-success", "text-bg-warning");
        badge.classList.add("text-bg-danger");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
    var refresh = parseInt(document.body.getAttribute("data-sla-refresh") || "0", 10);
    if (refresh > 0) setTimeout(function () { window.location.reload(); }, refresh * 1000);
  });
})();
