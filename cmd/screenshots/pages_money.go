package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/demo"
	"sharemall/internal/notify"
	"sharemall/internal/order"
	"sharemall/internal/session"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// The pages of issue 13's money in and out: paying (the choice of
// provider and method, the QR code), payout details, withholding,
// supplier payouts, shipping templates, notifications and webhooks.

// quotable is a SKU the demo ships to shipTo, for an order the screenshots place.
func (d *demoData) quotable(ctx context.Context, a account.Actor) (order.Item, error) {
	items, err := d.DB.RetailItems(ctx, store.ProductFilter{Limit: 100})
	if err != nil {
		return order.Item{}, err
	}
	for _, it := range items {
		if len(it.SKUs) == 0 {
			continue
		}
		in := order.CheckoutInput{Items: []order.Item{{SKUID: it.SKUs[0].ID, Quantity: 1}}, ShipTo: shipTo}
		if _, err := d.DB.Quote(ctx, a, in); err == nil {
			return in.Items[0], nil
		}
	}
	return order.Item{}, fmt.Errorf("nothing in the demo ships to %s", shipTo.RegionCode)
}

// unpaidOrder is an order of the customer waiting for payment, placed
// once (the same key each run): its page offers the ways to pay.
func (d *demoData) unpaidOrder(ctx context.Context, key string) (*order.Order, account.Actor, error) {
	a, err := d.actor(ctx, customer)
	if err != nil {
		return nil, a, err
	}
	item, err := d.quotable(ctx, a)
	if err != nil {
		return nil, a, err
	}
	o, err := d.DB.Checkout(ctx, a, order.CheckoutInput{Items: []order.Item{item}, ShipTo: shipTo}, key)
	return o, a, err
}

// payChoicePage is the unpaid order's page: the sandbox's two methods to choose from.
func payChoicePage(ctx context.Context, d *demoData) (string, error) {
	o, _, err := d.unpaidOrder(ctx, "screenshots-pay")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/orders/%d#h-pay-choice", o.ID), nil // the choice is below the order
}

// payQRPage chooses the QR code on that order's page, as the form posts,
// and is the pay page it leads to.
func payQRPage(ctx context.Context, d *demoData) (string, error) {
	o, _, err := d.unpaidOrder(ctx, "screenshots-pay")
	if err != nil {
		return "", err
	}
	token, err := d.Site.Session(customer, demo.Password)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/orders/%d/pay", d.Site.URL, o.ID),
		strings.NewReader(url.Values{"provider": {"sandbox"}, "method": {"qr"}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: session.Cookie, Value: token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	to := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, "/pay/") {
		return "", fmt.Errorf("pay by QR code: %d to %q", res.StatusCode, to)
	}
	return to, nil
}

// withholdingPage is the operator's tax report for the month the demo's
// paid withdrawal was paid in (the program's time zone).
func withholdingPage(ctx context.Context, d *demoData) (string, error) {
	op, err := d.actor(ctx, operator)
	if err != nil {
		return "", err
	}
	ws, err := d.DB.Withdrawals(ctx, op, store.WithdrawalFilter{Limit: 100})
	if err != nil {
		return "", err
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return "", err
	}
	for _, w := range ws {
		if w.Status == wallet.Paid && w.PaidAt != nil {
			return "/ops/withholding?month=" + w.PaidAt.In(shanghai).Format("2006-01"), nil
		}
	}
	return "", fmt.Errorf("the demo has no paid withdrawal")
}

// hooks is a webhook receiver for the screenshots: the operator's endpoint
// points at it, and one order paid is delivered to it, so the console shows
// a delivery and its log.
type hooks struct {
	once     sync.Once
	err      error
	receiver *httptest.Server
	delivery int64
}

func (h *hooks) close() {
	if h.receiver != nil {
		h.receiver.Close()
	}
}

func (d *demoData) webhooks(ctx context.Context) (*hooks, error) {
	h := &d.hooks
	h.once.Do(func() {
		h.receiver = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
		h.err = func() error {
			op, err := d.actor(ctx, operator)
			if err != nil {
				return err
			}
			if _, err := d.DB.CreateWebhookEndpoint(ctx, op, notify.EndpointInput{URL: h.receiver.URL + "/sharemall",
				EventTypes: "order.paid order.shipped", Active: true}, true); err != nil {
				return err
			}
			o, a, err := d.unpaidOrder(ctx, "screenshots-webhook")
			if err != nil {
				return err
			}
			ref := fmt.Sprintf("sbx_screenshots_%d", o.ID)
			if _, err := d.DB.StartPayment(ctx, a, o.ID, "sandbox", ref); err != nil {
				return err
			}
			if _, _, err := d.DB.ApplyPayment(ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total,
				Currency: o.Currency, Payload: "{}"}); err != nil {
				return err
			}
			if _, err := d.DB.SweepNotifications(ctx, 100); err != nil {
				return err
			}
			if _, err := d.DB.DeliverDueWebhooks(ctx, notify.NewSender(10*time.Second, true), "screenshots", 10); err != nil {
				return err
			}
			ds, err := d.DB.WebhookDeliveries(ctx, op, store.DeliveryFilter{Limit: 1})
			if err != nil || len(ds) == 0 {
				return fmt.Errorf("no webhook delivery: %v", err)
			}
			h.delivery = ds[0].ID
			return nil
		}()
	})
	return h, h.err
}

func webhooksPage(ctx context.Context, d *demoData) (string, error) {
	_, err := d.webhooks(ctx)
	return "/ops/webhooks", err
}

func webhookDeliveryPage(ctx context.Context, d *demoData) (string, error) {
	h, err := d.webhooks(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/ops/webhooks/deliveries/%d", h.delivery), nil
}

// shippingTemplatePage is the supplier's default template's form: its rules
// by region, chosen with the region picker.
func shippingTemplatePage(ctx context.Context, d *demoData) (string, error) {
	a, err := d.actor(ctx, supplier)
	if err != nil {
		return "", err
	}
	_, def, err := d.DB.ShippingTemplates(ctx, a, 0)
	if err != nil || def == 0 {
		return "", fmt.Errorf("%s has no default shipping template: %v", supplier, err)
	}
	return fmt.Sprintf("/sup/shipping/%d", def), nil
}
