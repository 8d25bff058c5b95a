package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"sharemall/internal/demo"
	"sharemall/internal/store"
)

// runDemo seeds the sample program (once per database) and prints how to use it.
func runDemo(ctx context.Context, db *store.DB, cfg *Config, stdout io.Writer) error {
	r, err := demo.Seed(ctx, db, demo.Options{})
	if err != nil {
		return err
	}
	state := "built"
	if r.Reused {
		state = "reused"
	}
	where := cfg.Data
	if cfg.DB != "" {
		where = "the database in --db"
	}
	fmt.Fprintf(stdout, "Sharemall demo %s in %s: %d suppliers, %d products, %d distributors over %d generations, %d customers.\n\n",
		state, where, r.Suppliers, r.Products, r.Distributors, r.Generations, r.Customers)
	if len(r.Orders) > 0 {
		fmt.Fprint(stdout, "Orders:")
		for _, st := range demo.States {
			fmt.Fprintf(stdout, " %d %s,", r.Orders[st], st)
		}
		fmt.Fprintf(stdout, " and withdrawals requested %d, approved %d, paid %d.\n\n",
			r.Withdrawals["requested"], r.Withdrawals["approved"], r.Withdrawals["paid"])
	}
	fmt.Fprintf(stdout, "Open %s/healthz, the API at %s/api/v1 (document: %s/api/openapi.json).\n\n", baseURL(cfg.Addr), baseURL(cfg.Addr), baseURL(cfg.Addr))
	fmt.Fprintf(stdout, "Demo logins (password for all: %s):\n", demo.Password)
	for _, l := range r.Logins {
		fmt.Fprintf(stdout, "  %-12s %-32s %s\n", l.Role, l.Login, l.Note)
	}
	fmt.Fprintf(stdout, "\nTry: curl -s -X POST %s/api/v1/sessions -H 'Content-Type: application/json' -d '{\"login\":\"%s\",\"password\":\"%s\"}'\n\n",
		baseURL(cfg.Addr), r.Logins[0].Login, demo.Password)
	return nil
}

// baseURL turns a listen address into a URL a person can open.
func baseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "http://" + host + ":" + port
}
