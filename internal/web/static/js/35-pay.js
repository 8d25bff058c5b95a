// Paying: the order page's choice of provider and method fills the form's
// hidden fields; the pay page polls the payment until it is paid, and in
// WeChat calls the app's bridge with the signed parameters the server got.
{
  const form = document.getElementById("pay-form");
  if (form) {
    form.addEventListener("change", (e) => {
      const c = e.target;
      if (!c.dataset.provider) return;
      form.elements.provider.value = c.dataset.provider;
      form.elements.method.value = c.dataset.method;
    });
  }
  const step = document.querySelector(".pay-step[data-status-url]");
  if (step) {
    const poll = () => {
      fetch(step.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
        .then((r) => (r.ok ? r.json() : null))
        .then((s) => {
          if (s && s.status !== "pending") {
            location.href = s.order_url;
            return;
          }
          setTimeout(poll, 2000);
        })
        .catch(() => setTimeout(poll, 5000));
    };
    setTimeout(poll, 2000);
    const bridge = step.dataset.bridge;
    const button = step.querySelector("[data-bridge-button]");
    if (bridge && button) {
      const params = JSON.parse(bridge);
      const failed = step.querySelector("[data-bridge-failed]");
      const invoke = () => {
        if (typeof WeixinJSBridge === "undefined") {
          failed.hidden = false;
          return;
        }
        WeixinJSBridge.invoke("getBrandWCPayRequest", params, (res) => {
          // "get_brand_wcpay_request:ok" only says the app took it: the
          // notification (or the poll) says it is paid.
          if (res && res.err_msg !== "get_brand_wcpay_request:ok") failed.hidden = false;
        });
      };
      button.addEventListener("click", invoke);
      if (typeof WeixinJSBridge === "undefined") {
        document.addEventListener("WeixinJSBridgeReady", invoke, { once: true });
      } else {
        invoke();
      }
    }
  }
}
