// Cart, address form: the pages work without it. The cart's selection
// updates its total (read from the page the server renders for it) and
// the quantity submits on change; the region picker fills each level
// from the regions API instead of sending the form back.
{
  const form = document.querySelector("[data-cart-form]");
  if (form) {
    const picks = [...document.querySelectorAll("[data-pick]")];
    const usable = () => picks.filter((p) => !p.disabled);
    const allWrap = document.querySelector("[data-select-all]");
    const all = allWrap && allWrap.querySelector("input");
    const total = document.querySelector("[data-total]");
    const go = document.querySelector("[data-checkout]");
    const count = go && go.querySelector("[data-count]");
    const recalc = document.querySelector("[data-recalc]");
    if (recalc) recalc.hidden = true;
    if (allWrap) allWrap.hidden = false;

    const selection = () => {
      const q = new URLSearchParams({ sel: "1" });
      for (const p of usable()) if (p.checked) q.append("sku", p.value);
      return "/cart?" + q;
    };
    const sync = async () => {
      const url = selection();
      history.replaceState(null, "", url);
      for (const b of document.querySelectorAll("input[name=back]")) b.value = url;
      const n = usable().filter((p) => p.checked).length;
      if (all) all.checked = n > 0 && n === usable().length;
      if (go) {
        go.disabled = n === 0;
        go.toggleAttribute("data-keep-disabled", n === 0);
      }
      if (count) count.textContent = n;
      try {
        const res = await fetch(url, { credentials: "same-origin" });
        if (!res.ok) return;
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const t = doc.querySelector("[data-total]");
        if (t && total && url === location.pathname + location.search) total.textContent = t.textContent;
      } catch {
        // Offline: the total stays; checkout prices the selection anyway.
      }
    };
    document.addEventListener("change", (e) => {
      const t = e.target;
      if (t === all) {
        for (const p of usable()) p.checked = all.checked;
        sync();
      } else if (picks.includes(t)) {
        sync();
      } else if (t.matches("[data-stepper] input[name=quantity]") && t.value !== "") {
        t.form.requestSubmit();
      }
    });
  }

  // Region picker: <fieldset data-region-picker> with one select per level.
  for (const picker of document.querySelectorAll("[data-region-picker]")) {
    const levels = [...picker.querySelectorAll("[data-level]")];
    const selects = levels.map((l) => l.querySelector("select"));
    const buttons = [...picker.querySelectorAll("[data-region-go]")];
    const zh = document.documentElement.lang.startsWith("zh");
    const label = (name) => {
      const i = name.lastIndexOf(" ");
      return i < 0 ? name : zh ? name.slice(i + 1) : name.slice(0, i);
    };
    for (const b of buttons) b.hidden = true;
    selects.forEach((sel, i) => sel.addEventListener("change", async () => {
      for (let j = i + 1; j < selects.length; j++) {
        selects[j].length = 1; // keep "Choose…"
        selects[j].value = "";
        levels[j].hidden = true;
      }
      const next = selects[i + 1];
      const parent = sel.value;
      if (!next || !parent) return;
      try {
        const res = await fetch("/api/v1/regions?parent=" + encodeURIComponent(parent), { headers: { Accept: "application/json" } });
        if (!res.ok) throw new Error(String(res.status));
        const body = await res.json();
        if (sel.value !== parent) return; // chosen again meanwhile
        for (const g of body.items || []) next.add(new Option(label(g.name), g.code));
        levels[i + 1].hidden = next.length === 1; // nothing below: this region is the address's
      } catch {
        for (const b of buttons) b.hidden = false; // the form can still ask the server
      }
    }));
  }
}
