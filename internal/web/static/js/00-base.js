// Sharemall's only script: small progressive enhancements. Every page works
// without it; no inline script is allowed (Content-Security-Policy).
"use strict";

// Copy buttons: <button data-copy="text">.
document.addEventListener("click", async (e) => {
  const b = e.target.closest("[data-copy]");
  if (!b) return;
  e.preventDefault();
  try {
    await navigator.clipboard.writeText(b.dataset.copy);
    flash(b, b.dataset.copied || "✓");
  } catch {
    window.prompt("", b.dataset.copy);
  }
});

// Share buttons: <button data-share-url="…" data-share-title="…" hidden>,
// shown only where the browser has the Web Share API.
for (const b of document.querySelectorAll("[data-share-url]")) {
  if (navigator.share) b.hidden = false;
  b.addEventListener("click", (e) => {
    e.preventDefault();
    navigator.share({ title: b.dataset.shareTitle || document.title, url: b.dataset.shareUrl }).catch(() => {});
  });
}

// Forms that need a second thought: <form data-confirm="Are you sure?">.
document.addEventListener("submit", (e) => {
  const f = e.target;
  if (f.dataset.confirm && !window.confirm(f.dataset.confirm)) {
    e.preventDefault();
    return;
  }
  // One submission per click: a slow network must not place an order twice.
  for (const b of f.querySelectorAll("button[type=submit]")) {
    setTimeout(() => { b.disabled = true; }, 0);
  }
});

// Auto-submitting selects: <select data-autosubmit>.
document.addEventListener("change", (e) => {
  if (e.target.matches("[data-autosubmit]")) e.target.form.requestSubmit();
});

function flash(el, text) {
  const was = el.textContent;
  el.textContent = text;
  setTimeout(() => { el.textContent = was; }, 1500);
}

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => navigator.serviceWorker.register("/sw.js").catch(() => {}));
}

// Back to a page from the history: its buttons work again.
window.addEventListener("pageshow", () => {
  for (const b of document.querySelectorAll("button[type=submit][disabled]:not([data-keep-disabled])")) b.disabled = false;
});
