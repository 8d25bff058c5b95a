// Fission pages: the funnel's bars take their widths from the funnel API's
// JSON (the answer the API gives: each step's total against the largest),
// and the per-period chart draws visits, unique visitors and paid orders
// with uPlot. Without script the page shows the counts and the CSV link.
{
  const bars = document.querySelector("[data-fis-funnel]");
  if (bars) {
    const lang = document.documentElement.lang || "en";
    fetch(bars.dataset.fisFunnel, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((res) => (res.ok ? res.json() : Promise.reject(res.status)))
      .then((j) => {
        const max = Math.max(1, ...Object.values(j.total).filter((v) => typeof v === "number"));
        for (const bar of bars.querySelectorAll("[data-fis-step]")) {
          const v = j.total[bar.dataset.fisStep] || 0;
          bar.style.width = (v > 0 ? Math.max(1, (100 * v) / max) : 0) + "%";
        }
        bars.setAttribute("data-test", "funnel-drawn");
        const el = document.querySelector("[data-fis-series]");
        if (!el || !window.uPlot) return;
        const labels = el.dataset.labels.split("|");
        const monthly = j.grain === "month";
        const dayFmt = new Intl.DateTimeFormat(lang, monthly ? { year: "numeric", month: "short", timeZone: "UTC" } : { month: "short", day: "numeric", timeZone: "UTC" });
        const short = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
        const xs = j.points.map((p) => Date.parse(p.period + "T00:00:00Z") / 1000);
        const colours = ["#c81e3c", "#2a6fdb", "#1f8a4c"];
        const series = [{ label: el.dataset.xLabel, value: (u, v) => (v == null ? "" : dayFmt.format(new Date(v * 1000))) }];
        ["visits", "visitors", "paid"].forEach((k, i) => series.push({ label: labels[i], stroke: colours[i], width: 2 }));
        const data = [xs, j.points.map((p) => p.visits), j.points.map((p) => p.visitors), j.points.map((p) => p.paid)];
        el.textContent = "";
        el.classList.add("drawn");
        const height = 220;
        const plot = new uPlot({
          width: el.clientWidth,
          height: height,
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
          scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
          series: series,
          axes: [
            { values: (u, splits) => splits.map((v) => dayFmt.format(new Date(v * 1000))) },
            { size: 48, values: (u, splits) => splits.map((v) => short.format(v)) },
          ],
        }, data, el);
        let pending = 0;
        window.addEventListener("resize", () => {
          cancelAnimationFrame(pending);
          pending = requestAnimationFrame(() => plot.setSize({ width: el.clientWidth, height: height }));
        });
      })
      .catch(() => bars.setAttribute("data-test", "funnel-failed"));
  }
}
