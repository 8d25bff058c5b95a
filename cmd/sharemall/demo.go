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

// runDemo seeds the sample program (once per database) and prints how to
// use it; addr is the address the server is bound to.
func runDemo(ctx context.Context, db *store.DB, cfg *Config, addr string, stdout io.Writer) error {
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
	base := baseURL(addr)
	fmt.Fprintf(stdout, "Open the shop at %s/ (a phone-sized window shows it as customers see it).\n", base)
	fmt.Fprintf(stdout, "Consoles: %s/ops for the operator, %s/sup for a supplier (sign in with the logins below).\n", base, base)
	fmt.Fprintf(stdout, "The API is at %s/api/v1 (document: %s/api/openapi.json; health: %s/healthz).\n", base, base, base)
	if loopbackOnly(addr) {
		fmt.Fprint(stdout, "Listening on this machine only. To let other machines reach it, run with --addr :8080 (every interface);\n"+
			"anyone who can reach it can sign in with the logins below.\n")
	}
	fmt.Fprintf(stdout, "Start afresh: stop it and delete %s (or pass another --data). Another port: --addr 127.0.0.1:9090.\n\n", cfg.Data)
	if err := printCentre(ctx, db, addr, base, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo logins (password for all: %s):\n", demo.Password)
	for _, l := range r.Logins {
		fmt.Fprintf(stdout, "  %-12s %-32s %s\n", l.Role, l.Login, l.Note)
	}
	fmt.Fprintf(stdout, "\nTry: curl -s -X POST %s/api/v1/sessions -H 'Content-Type: application/json' -d '{\"login\":\"%s\",\"password\":\"%s\"}'\n",
		base, r.Logins[0].Login, demo.Password)
	fmt.Fprintf(stdout, "then send the token it returns: curl -s %s/api/v1/me -H 'Authorization: Bearer sms_…'\n\n", base)
	return nil
}

// loopbackOnly reports whether addr serves this machine only.
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
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
