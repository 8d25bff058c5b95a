package payment

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"sharemall/internal/errs"
)

// Gateways are the providers a server runs, by name.
type Gateways map[string]Gateway

// GatewaysOf lists gateways by their names; nil ones are left out.
func GatewaysOf(gs ...Gateway) Gateways {
	out := Gateways{}
	for _, g := range gs {
		if g != nil {
			out[g.Name()] = g
		}
	}
	return out
}

// Names are the gateways' names, sorted.
func (gs Gateways) Names() []string {
	out := make([]string, 0, len(gs))
	for n := range gs {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Choose picks the gateway and method a payer asked for. An empty provider
// is the only one enabled (with several, it must be named); an empty
// method is the gateway's first, its preferred one. A provider or method
// not enabled is an error naming the field and what it may be.
func (gs Gateways) Choose(provider string, method Method) (Gateway, Method, error) {
	names := gs.Names()
	if len(names) == 0 {
		return nil, "", errs.E(errs.Conflict, "provider", "no payment provider is enabled on this server")
	}
	if provider == "" {
		if len(names) > 1 {
			return nil, "", errs.Invalidf("provider", "is required: one of %s", strings.Join(names, ", "))
		}
		provider = names[0]
	}
	g := gs[provider]
	if g == nil {
		return nil, "", errs.Invalidf("provider", "must be one of %s, not %q", strings.Join(names, ", "), provider)
	}
	ms := g.Methods()
	list := make([]string, len(ms))
	for i, m := range ms {
		list[i] = string(m)
	}
	if method == "" {
		if len(ms) == 0 {
			return nil, "", errs.E(errs.Conflict, "method", "%s has no method of paying enabled", provider)
		}
		return g, ms[0], nil
	}
	if !slices.Contains(ms, method) {
		return nil, "", errs.Invalidf("method", "must be one of %s for %s, not %q", strings.Join(list, ", "), provider, method)
	}
	return g, method, nil
}

// WithNotifyURL is g with url filled in as the NotifyURL of the payments
// it starts and the refunds it asks for, when the caller left it empty:
// the server's public notification endpoint of the provider.
func WithNotifyURL(g Gateway, url string) Gateway { return &notifying{Gateway: g, url: url} }

type notifying struct {
	Gateway
	url string
}

func (n *notifying) Start(ctx context.Context, c ChargeRequest) (*Started, error) {
	if c.NotifyURL == "" {
		c.NotifyURL = n.url
	}
	return n.Gateway.Start(ctx, c)
}

func (n *notifying) Refund(ctx context.Context, r RefundRequest) (*RefundState, error) {
	if r.NotifyURL == "" {
		r.NotifyURL = n.url
	}
	return n.Gateway.Refund(ctx, r)
}

// Acknowledge is the wrapped gateway's: spelled out so that the embedded
// interface's method set stays visible to readers.
func (n *notifying) Acknowledge(w http.ResponseWriter, err error) { n.Gateway.Acknowledge(w, err) }
