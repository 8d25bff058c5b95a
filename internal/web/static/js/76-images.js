// A product's pictures: a file over the upload limit is refused as soon as
// it is chosen, by the field, instead of after minutes of sending it on a
// slow network. The server checks again (and checks the type by content).
{
  for (const input of document.querySelectorAll("input[data-max-bytes]")) {
    const max = Number(input.dataset.maxBytes);
    const form = input.form;
    const note = document.createElement("p");
    note.className = "field-error";
    note.dataset.test = "error-image-size";
    note.hidden = true;
    input.parentElement.append(note);
    const check = () => {
      const file = input.files && input.files[0];
      const tooBig = !!file && file.size > max;
      input.setCustomValidity(tooBig ? input.dataset.tooLarge : "");
      note.textContent = tooBig ? input.dataset.tooLarge : "";
      note.hidden = !tooBig;
      if (tooBig) input.setAttribute("aria-invalid", "true");
      return !tooBig;
    };
    input.addEventListener("change", check);
    form.addEventListener("submit", (e) => {
      if (!check()) e.preventDefault();
    });
  }
}
