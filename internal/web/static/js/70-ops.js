{
  // A button that needs a second thought, on a form with other buttons
  // (the settings form previews without asking, saves after asking).
  document.addEventListener("submit", (e) => {
    const b = e.submitter;
    if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
}
