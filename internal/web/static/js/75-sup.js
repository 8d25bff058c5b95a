// Supplier console: the packing list's print button.
{
  for (const b of document.querySelectorAll("[data-print]")) {
    b.addEventListener("click", () => window.print());
  }
  // A button's own data-confirm (approving a refund) is asked by the
  // handler in 70-ops.js: the scripts are one bundle (app.js), and a second
  // handler here asked the same question twice.
}
