// Marketing materials: <button data-share-material data-share-text
// data-material-url data-share-title hidden> shares the copy with the link
// through the Web Share API, shown only where the browser has it.
for (const b of document.querySelectorAll("[data-share-material]")) {
  if (navigator.share) b.hidden = false;
  b.addEventListener("click", (e) => {
    e.preventDefault();
    navigator.share({ title: b.dataset.shareTitle || document.title, text: b.dataset.shareText, url: b.dataset.materialUrl }).catch(() => {});
  });
}
