package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/api"
	"sharemall/internal/errs"
)

// bindLimitFlags registers the flags of client limits and metrics access.
func (c *Config) bindLimitFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("SHAREMALL_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client; empty: the connection's address is the client's (SHAREMALL_TRUSTED_PROXIES)")
	fs.IntVar(&c.WriteLimit, "write-limit", envInt("SHAREMALL_WRITE_LIMIT", api.DefaultConfig().WriteLimit),
		"writes (POST, PUT, PATCH, DELETE) a client address may send a minute, in bursts of up to as many; 0: no limit (SHAREMALL_WRITE_LIMIT)")
	fs.IntVar(&c.SignUpLimit, "signup-limit", envInt("SHAREMALL_SIGNUP_LIMIT", api.DefaultConfig().SignUpLimit),
		"sign-ups a client address may make an hour, in bursts of up to as many; 0: no limit (SHAREMALL_SIGNUP_LIMIT)")
	fs.IntVar(&c.LoginAddressLimit, "login-address-limit", envInt("SHAREMALL_LOGIN_ADDRESS_LIMIT", account.DefaultLoginPolicy.AddressLimit),
		"failed logins a client address may make in 15 minutes before it is refused; 0: no limit (SHAREMALL_LOGIN_ADDRESS_LIMIT)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("SHAREMALL_METRICS_ADDR", ""),
		"serve /metrics on this address (e.g. 127.0.0.1:9090) instead of the main one (SHAREMALL_METRICS_ADDR)")
	fs.StringVar(&c.MetricsToken, "metrics-token", secret("SHAREMALL_METRICS_TOKEN", ""),
		"bearer token /metrics asks for; without it or --metrics-addr, /metrics is not served (SHAREMALL_METRICS_TOKEN, SHAREMALL_METRICS_TOKEN_FILE)")
}

// applyLimits copies the limits and metrics access into the API's configuration.
func (c *Config) applyLimits(acfg *api.Config) error {
	proxies, err := api.ParseTrustedProxies("--trusted-proxies", c.TrustedProxies)
	if err != nil {
		return errors.New(errs.FieldOf(err) + ": " + errs.MessageOf(err))
	}
	for flag, n := range map[string]int{"--write-limit": c.WriteLimit, "--signup-limit": c.SignUpLimit, "--login-address-limit": c.LoginAddressLimit} {
		if n < 0 {
			return fmt.Errorf("%s must be 0 (no limit) or more, not %d", flag, n)
		}
	}
	acfg.TrustedProxies = proxies
	acfg.WriteLimit, acfg.SignUpLimit = c.WriteLimit, c.SignUpLimit
	acfg.Login.AddressLimit = c.LoginAddressLimit
	acfg.MetricsToken, acfg.MetricsSeparate = c.MetricsToken, c.MetricsAddr != ""
	return nil
}

// serveMetrics serves h on --metrics-addr, when set, until the returned stop is called.
func serveMetrics(c *Config, h http.Handler, log *slog.Logger) (stop func(context.Context) error, err error) {
	if c.MetricsAddr == "" {
		return func(context.Context) error { return nil }, nil
	}
	ln, err := net.Listen("tcp", c.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("serving metrics", "addr", ln.Addr().String(), "token", c.MetricsToken != "")
	if c.metricsReady != nil {
		c.metricsReady(ln.Addr().String())
	}
	return srv.Shutdown, nil
}
