// The adjustment form asks to confirm with the direction and the amount typed.
{
  for (const f of document.querySelectorAll("form[data-confirm-credit]")) {
    const update = () => {
      const amount = f.elements.amount.value.trim();
      const dir = f.querySelector("input[name=direction]:checked");
      if (amount && dir) f.dataset.confirm = f.dataset["confirm" + (dir.value === "debit" ? "Debit" : "Credit")].replace("{amount}", amount);
    };
    f.addEventListener("input", update);
    f.addEventListener("change", update);
    update();
  }
}
