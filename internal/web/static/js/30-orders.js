// Orders: the current tab of the order list is in view, even when the tabs
// scroll sideways on a narrow phone.
{
  const current = document.querySelector(".order-tabs [aria-current=page]");
  if (current) current.scrollIntoView({ block: "nearest", inline: "center" });
}
