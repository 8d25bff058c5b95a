// Distributor centre: earnings while a price is typed, posters drawn on a
// canvas, pictures from elsewhere that do not load giving way to initials.
{
  // <img data-hide-broken>: an avatar or product picture on another site
  // (which the Content-Security-Policy may refuse) hides when it fails, so
  // the initial beneath it shows.
  for (const img of document.querySelectorAll("img[data-hide-broken]")) {
    if (img.complete && img.naturalWidth === 0) img.hidden = true;
    else img.addEventListener("error", () => { img.hidden = true; });
  }

  // <input data-earn-sku data-earn-url aria-describedby="out-id">: what a
  // unit earns at the typed price, asked of the server (which computes it
  // as checkout does) a moment after typing stops.
  for (const input of document.querySelectorAll("input[data-earn-sku]")) {
    const out = document.getElementById((input.getAttribute("aria-describedby") || "").split(" ")[0]);
    if (!out) continue;
    let timer = 0;
    let asked = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++asked;
        const q = new URLSearchParams({ sku: input.dataset.earnSku, price: input.value.trim() });
        try {
          const res = await fetch(input.dataset.earnUrl + "?" + q, { credentials: "same-origin", headers: { Accept: "application/json" } });
          const body = await res.json();
          if (mine !== asked) return;
          out.textContent = body.text || body.error || "";
          out.classList.toggle("centre-bad", !body.text);
        } catch {
          // Offline or refused: the preview button still asks the page.
        }
      }, 350);
    });
  }

  const posterFont = (weight, px) =>
    `${weight} ${px}px system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif`;

  const load = (src) => new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = reject;
    img.src = src;
  });

  // Only pictures of this site are drawn: one from elsewhere would taint the
  // canvas (no image could be saved) and the CSP refuses it anyway.
  const ownSite = (url) => {
    try {
      return Boolean(url) && new URL(url, location.href).origin === location.origin;
    } catch {
      return false;
    }
  };

  // lines breaks text to width: Chinese (and Japanese, Korean) between any
  // two characters, other scripts between words; at most max lines, the
  // last cut with an ellipsis.
  const lines = (g, text, width, max) => {
    const tokens = text.match(/[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]|[^\s\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]+|\s+/g) || [];
    const out = [];
    let line = "";
    for (let t of tokens) {
      while (g.measureText(line + t).width > width) {
        if (line.trim()) {
          out.push(line.trimEnd());
          line = "";
          t = t.trimStart();
        } else {
          // A word longer than the line: cut it.
          let i = 1;
          while (i < t.length && g.measureText(t.slice(0, i + 1)).width <= width) i++;
          out.push(t.slice(0, i));
          t = t.slice(i);
        }
      }
      line += t;
    }
    if (line.trim()) out.push(line.trim());
    if (out.length > max) {
      let last = out[max - 1];
      while (last && g.measureText(last + "…").width > width) last = last.slice(0, -1);
      out.length = max;
      out[max - 1] = last + "…";
    }
    return out;
  };

  // cover draws img filling the box, cropped to its shape.
  const cover = (g, img, x, y, w, h) => {
    const s = Math.max(w / img.naturalWidth, h / img.naturalHeight);
    const sw = w / s;
    const sh = h / s;
    g.drawImage(img, (img.naturalWidth - sw) / 2, (img.naturalHeight - sh) / 2, sw, sh, x, y, w, h);
  };

  // <figure data-poster data-title data-sub data-price data-shop data-image
  // data-initial data-qr data-scan data-file data-alt>: drawn at 750×1200
  // (twice a phone's width), then shown as an image, which a long press
  // saves or sends, with a "save image" link.
  const drawPoster = async (fig) => {
    const d = fig.dataset;
    const W = 750;
    const H = 1200;
    const pad = 48;
    const brand = "#c81e3c";
    let qr;
    let pic = null;
    try {
      [qr, pic] = await Promise.all([load(d.qr), ownSite(d.image) ? load(d.image).catch(() => null) : null]);
    } catch {
      return; // no QR code: the page's own QR and link stay
    }
    if (document.fonts && document.fonts.ready) await document.fonts.ready;
    const c = document.createElement("canvas");
    c.width = W;
    c.height = H;
    const g = c.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, W, H);
    g.textBaseline = "alphabetic";

    // The shop's name on a band of the brand colour.
    g.fillStyle = brand;
    g.fillRect(0, 0, W, 112);
    g.fillStyle = "#fff";
    g.font = posterFont(700, 38);
    g.fillText(lines(g, d.shop || "", W - 2 * pad, 1)[0] || "", pad, 70);

    // The picture, or the initial on a tint when there is none.
    const box = { x: pad, y: 144, w: W - 2 * pad, h: 620 };
    if (pic) {
      cover(g, pic, box.x, box.y, box.w, box.h);
    } else {
      g.fillStyle = "#fbe9ec";
      g.fillRect(box.x, box.y, box.w, box.h);
      g.fillStyle = brand;
      g.font = posterFont(700, 240);
      g.textAlign = "center";
      g.fillText(d.initial || "", W / 2, box.y + box.h / 2 + 85);
      g.textAlign = "left";
    }

    // The title across; under it, beside the QR code on the right: the
    // line under the title, the price, and how to scan.
    const q = 224;
    const qx = W - pad - q;
    const qy = H - pad - q;
    const textW = qx - pad - 28;
    let y = box.y + box.h + 64;
    g.fillStyle = "#1d1d1f";
    g.font = posterFont(700, 38);
    for (const l of lines(g, d.title || "", W - 2 * pad, 2)) {
      g.fillText(l, pad, y);
      y += 50;
    }
    if (d.sub) {
      g.fillStyle = "#5f6368";
      g.font = posterFont(400, 28);
      for (const l of lines(g, d.sub, textW, d.price ? 2 : 3)) {
        g.fillText(l, pad, y + 4);
        y += 38;
      }
    }
    if (d.price) {
      // As large as fits beside the QR code.
      g.fillStyle = brand;
      let px = 60;
      for (; px > 30; px -= 4) {
        g.font = posterFont(700, px);
        if (g.measureText(d.price).width <= textW) break;
      }
      y += px - 4;
      g.fillText(lines(g, d.price, textW, 1)[0], pad, y);
      y += 12;
    }
    g.fillStyle = "#5f6368";
    g.font = posterFont(400, 26);
    y += 40;
    for (const l of lines(g, d.scan || "", textW, 3)) {
      g.fillText(l, pad, y);
      y += 34;
    }
    g.imageSmoothingEnabled = false; // the QR code's modules stay sharp
    g.drawImage(qr, qx, qy, q, q);

    c.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const img = new Image(W, H);
      img.src = url;
      img.alt = d.alt || d.title || "";
      img.className = "centre-poster-img";
      img.dataset.test = "poster-img";
      fig.replaceChildren(img);
      fig.dataset.drawn = "1";
      const section = fig.parentElement;
      const save = section.querySelector("[data-poster-save]");
      if (save) {
        save.href = url;
        save.download = d.file || "poster.png";
      }
      for (const el of section.querySelectorAll("[data-poster-actions], [data-poster-hint]")) el.hidden = false;
    }, "image/png");
  };

  for (const fig of document.querySelectorAll("figure[data-poster]")) drawPoster(fig);

  // The preview buttons of price fields are for pages without a script:
  // with one, the earnings follow the typing.
  for (const b of document.querySelectorAll("[data-earn-button]")) b.hidden = true;

  // The coupon form shows the field of the discount kind chosen.
  for (const form of document.querySelectorAll("form[data-coupon-form]")) {
    const show = () => {
      const kind = (form.querySelector("input[name=kind]:checked") || {}).value;
      for (const f of form.querySelectorAll("[data-coupon-kind]")) f.hidden = f.dataset.couponKind !== kind;
    };
    form.addEventListener("change", show);
    show();
  }
}
