// Network insight bars: each [data-net-bars] fetches the insight API's JSON
// (members per depth, or time to first sale) and draws it with uPlot as
// bars; the tables beside them hold the same figures without script.
{
  const bars = document.querySelectorAll("[data-net-bars]");
  if (bars.length && window.uPlot) {
    const lang = document.documentElement.lang || "en";
    const fmt = new Intl.NumberFormat(lang);
    const draw = async (el) => {
      const res = await fetch(el.dataset.netBars, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const j = await res.json();
      let xs, ys, labels;
      if (el.dataset.kind === "depths") {
        xs = j.depths.map((d) => d.depth);
        ys = j.depths.map((d) => d.members);
        labels = j.depths.map((d) => d.depth + (d.and_deeper ? "+" : ""));
      } else {
        xs = j.buckets.map((b, i) => i);
        ys = j.total.buckets;
        labels = j.buckets;
      }
      if (!xs.length) return;
      el.textContent = "";
      const height = 200;
      const opts = {
        width: el.clientWidth,
        height: height,
        legend: { show: false },
        cursor: { points: { show: false } },
        scales: {
          x: { time: false, range: () => [xs[0] - 0.5, xs[xs.length - 1] + 0.5] },
          y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        series: [
          { label: el.dataset.xLabel },
          {
            label: el.dataset.label,
            stroke: "#c81e3c",
            fill: "rgba(200,30,60,.35)",
            width: 1,
            paths: uPlot.paths.bars({ size: [0.7] }),
            points: { show: false },
            value: (u, v) => (v == null ? "" : fmt.format(v)),
          },
        ],
        axes: [
          { splits: () => xs, values: (u, splits) => splits.map((v) => labels[xs.indexOf(v)] ?? ""), label: el.dataset.xLabel },
          { size: 52, values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? fmt.format(v) : "")) },
        ],
      };
      // Nine buckets share a phone's width: their labels lean, so "15-30"
      // and "31-60" stay apart.
      if (labels.length > 6 && el.clientWidth < 500) Object.assign(opts.axes[0], { rotate: -45, size: 48 });
      const plot = new uPlot(opts, [xs, ys], el);
      el.classList.add("drawn");
      let pending = 0;
      window.addEventListener("resize", () => {
        cancelAnimationFrame(pending);
        pending = requestAnimationFrame(() => plot.setSize({ width: el.clientWidth, height: height }));
      });
    };
    // When the bars and the growth charts (80-dash.js) have been tried, the
    // page says so (the browser tests and the screenshots wait for it).
    const charts = document.querySelector(".dash-charts");
    const chartsTried = new Promise((done) => {
      if (!charts || charts.dataset.test === "charts-drawn") return done();
      new MutationObserver((_, o) => {
        if (charts.dataset.test === "charts-drawn") {
          o.disconnect();
          done();
        }
      }).observe(charts, { attributes: true });
    });
    Promise.allSettled([...bars].map(draw))
      .then(() => chartsTried)
      .then(() => document.querySelector(".net-grid")?.setAttribute("data-test", "bars-drawn"));
  }
}
