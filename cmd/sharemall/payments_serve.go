package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/store"
	"sharemall/internal/wxauth"
)

// providerConfig is one real payment provider serve can run: enabled when
// its configuration is present in the environment, refused when only part
// of it is (Load names the missing setting).
type providerConfig struct {
	Name string
	// Load reads the provider's configuration (keys from …_FILE settings)
	// and builds its gateway; nil, nil when none of it is set.
	Load func() (payment.Gateway, error)
}

// providers are the real payment providers serve knows, besides the
// sandbox. Each provider's package adds itself here with its
// ConfigFromEnv (docs/payments.md, "Configuration").
var providers = []providerConfig{
	{Name: "wechatpay", Load: func() (payment.Gateway, error) {
		cfg, on, err := wechatpay.ConfigFromEnv(os.Getenv)
		if err != nil || !on {
			return nil, err
		}
		return wechatpay.New(cfg, nil)
	}},
	{Name: "alipay", Load: func() (payment.Gateway, error) {
		cfg, on, err := alipay.ConfigFromEnv(os.Getenv)
		if err != nil || !on {
			return nil, err
		}
		return alipay.New(cfg, nil)
	}},
}

// gateways loads every provider whose configuration is present. A half
// configuration is an error naming what is missing; a provider on needs
// --public-url, because its notifications are posted there. log, when not
// nil, hears which providers are on.
func gateways(cfg *Config, log *slog.Logger) ([]payment.Gateway, error) {
	var out []payment.Gateway
	var on []string
	for _, p := range providers {
		g, err := p.Load()
		if err != nil {
			return nil, fmt.Errorf("payment provider %s: %w", p.Name, err)
		}
		if g == nil {
			continue
		}
		if cfg.PublicURL == "" {
			return nil, fmt.Errorf("payment provider %s: --public-url (SHAREMALL_PUBLIC_URL) is required: its notifications are posted to {public-url}/api/v1/payments/notify/%s", p.Name, p.Name)
		}
		out = append(out, g)
		on = append(on, p.Name)
	}
	if cfg.PaymentSandbox {
		on = append(on, payment.SandboxName)
	}
	switch {
	case log == nil:
	case len(on) == 0:
		log.Warn("no payment provider is on: customers cannot pay (configure WeChat Pay or Alipay, or --payment-sandbox for a trial)")
	default:
		log.Info("payment providers on", "providers", strings.Join(on, ","), "notify", strings.TrimRight(cfg.PublicURL, "/")+"/api/v1/payments/notify/{provider}")
	}
	return out, nil
}

// runnerRefunders are what the sweeps refund through and ask about open
// payments: the sandbox always (it holds no money, so its refunds are only
// bookkeeping and need no secret), and the configured providers, told
// where their refund notifications go.
func runnerRefunders(cfg *Config, gws []payment.Gateway) []store.Refunder {
	out := []store.Refunder{&payment.Sandbox{}}
	for _, g := range gws {
		out = append(out, payment.WithNotifyURL(g, strings.TrimRight(cfg.PublicURL, "/")+"/api/v1/payments/notify/"+g.Name()))
	}
	return out
}

// wechatOAuth is WeChat's web authorization for JSAPI in WeChat's browser,
// when SHAREMALL_WECHAT_APP_SECRET_FILE is set (docs/payments.md); nil
// when it is not.
func wechatOAuth() (*wxauth.Client, error) {
	cfg, on, err := wxauth.ConfigFromEnv(os.Getenv)
	if err != nil || !on {
		return nil, err
	}
	return wxauth.New(cfg, nil)
}
