// Shop pages: the product page's picture counter, option sheet, quantity
// stepper and price; the pages work without it.
{
  const slides = document.querySelector("[data-slides]");
  const count = document.querySelector("[data-count]");
  if (slides && count) {
    const n = slides.children.length;
    slides.addEventListener("scroll", () => {
      const i = Math.round(slides.scrollLeft / slides.clientWidth) + 1;
      count.textContent = i + " / " + n;
    }, { passive: true });
  }

  const form = document.querySelector("[data-buy-form]");
  if (form) {
    const radios = [...form.querySelectorAll("input[name=sku_id]")];
    const qty = form.querySelector("input[name=quantity]");
    const price = document.querySelector("[data-price]");
    const choice = document.querySelector("[data-choice]");
    const opener = document.querySelector("[data-sheet-open]");
    const closer = form.querySelector("[data-sheet-close]");
    const body = document.body;

    const chosen = () => radios.find((r) => r.checked);
    const show = () => {
      const r = chosen();
      if (!r) return;
      if (price) price.textContent = r.dataset.price;
      if (choice) choice.textContent = r.dataset.label;
      const max = Math.min(99, Number(r.dataset.max) || 1);
      qty.max = max;
      if (Number(qty.value) > max) qty.value = max;
    };
    form.addEventListener("change", (e) => { if (e.target.name === "sku_id") show(); });
    show();

    for (const b of form.querySelectorAll("[data-step]")) {
      b.hidden = false;
      b.addEventListener("click", () => {
        const v = (Number(qty.value) || 1) + Number(b.dataset.step);
        qty.value = Math.max(1, Math.min(Number(qty.max) || 99, v));
      });
    }

    // Several options: they slide up in a sheet, and the first tap on a
    // buy button opens it to confirm the choice; the next one submits.
    if (radios.length > 1) {
      body.classList.add("js-sheet");
      const open = () => { body.classList.add("sheet-open"); (chosen() || radios[0]).focus(); };
      const close = () => body.classList.remove("sheet-open");
      opener.hidden = false;
      closer.hidden = false;
      opener.addEventListener("click", open);
      closer.addEventListener("click", () => { close(); opener.focus(); });
      document.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
      document.addEventListener("click", (e) => {
        if (body.classList.contains("sheet-open") && !e.target.closest("[data-sheet], .buy-bar, [data-sheet-open]")) close();
      });
      // On the form itself, so the page-wide "one submission" guard never sees a submit that only opened the sheet.
      form.addEventListener("submit", (e) => {
        if (!body.classList.contains("sheet-open")) {
          e.preventDefault();
          e.stopPropagation();
          open();
        }
      });
      if (location.hash === "#sku-sheet") open();
    }
  }
}
