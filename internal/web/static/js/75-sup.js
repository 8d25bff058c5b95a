// Supplier console: the packing list's print button, and a second thought
// before approving a refund (the button says what will be refunded).
{
  for (const b of document.querySelectorAll("[data-print]")) {
    b.addEventListener("click", () => window.print());
  }
  document.addEventListener("submit", (e) => {
    const b = e.submitter;
    if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) {
      e.preventDefault();
      e.stopPropagation(); // the base script must not disable the buttons of a form not sent
    }
  }, true);
}
