// The wallet page: the "all" shortcut fills the amount in place (without
// script it is a link that reloads the page with the amount filled).
{
  document.addEventListener("click", (e) => {
    const a = e.target.closest("[data-money-fill]");
    if (!a) return;
    const input = document.getElementById(a.dataset.moneyFill);
    if (!input) return;
    e.preventDefault();
    input.value = a.dataset.value;
    input.focus();
  });
}
