// Insight charts: each [data-dash-series] fetches the insight API's JSON
// (the very answer the API gives) and draws it with uPlot, loaded only by
// the pages that chart. Without script the page shows the tables and CSV links.
{
  const plots = document.querySelectorAll("[data-dash-series]");
  if (plots.length && window.uPlot) {
    const lang = document.documentElement.lang || "en";
    const draw = async (el) => {
      const res = await fetch(el.dataset.dashSeries, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const j = await res.json();
      let scale = 1;
      let fmt = new Intl.NumberFormat(lang);
      if (j.money) {
        fmt = new Intl.NumberFormat(lang, { style: "currency", currency: j.currency });
        scale = 10 ** fmt.resolvedOptions().maximumFractionDigits;
      }
      const short = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
      const xs = j.points.map((p) => Date.parse(p.period + "T00:00:00Z") / 1000);
      const ys = j.points.map((p) => p.value / scale);
      const monthly = j.grain === "month";
      const dayFmt = new Intl.DateTimeFormat(lang, monthly ? { year: "numeric", month: "short", timeZone: "UTC" } : { month: "short", day: "numeric", timeZone: "UTC" });
      el.textContent = "";
      el.classList.add("drawn");
      const height = 220;
      const opts = {
        width: el.clientWidth,
        height: height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        series: [
          { label: el.dataset.xLabel, value: (u, v) => (v == null ? "" : dayFmt.format(new Date(v * 1000))) },
          {
            label: el.dataset.label,
            stroke: "#c81e3c",
            fill: "rgba(200,30,60,.12)",
            width: 2,
            paths: monthly && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6] }) : undefined,
            value: (u, v) => (v == null ? "" : fmt.format(v)),
          },
        ],
        axes: [
          { values: (u, splits) => splits.map((v) => dayFmt.format(new Date(v * 1000))) },
          { size: 56, values: (u, splits) => splits.map((v) => short.format(v)) },
        ],
      };
      const plot = new uPlot(opts, [xs, ys], el);
      let pending = 0;
      window.addEventListener("resize", () => {
        cancelAnimationFrame(pending);
        pending = requestAnimationFrame(() => plot.setSize({ width: el.clientWidth, height: height }));
      });
    };
    // When every chart has been tried, the page says so (the browser tests
    // and the screenshots wait for it).
    Promise.allSettled([...plots].map(draw)).then(() => {
      document.querySelector(".dash-charts")?.setAttribute("data-test", "charts-drawn");
    });
  }
}
