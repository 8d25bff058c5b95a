package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"sharemall/internal/api"
	"sharemall/internal/store"
)

// serveMore starts the servers beyond the first: opt.Servers-1 more in
// this process, each on a store.DB of its own (its own connection pools) on
// the same database, and opt.ExternalServers `sharemall serve` processes;
// then deals the clients' requests round-robin over all of them. It returns
// what stops them.
func (r *run) serveMore(ctx context.Context) (func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	bases := []string{r.c.base}
	for range r.opt.Servers - 1 {
		if r.opt.Open == nil {
			stop()
			return nil, fmt.Errorf("bench: %d servers need Options.Open", r.opt.Servers)
		}
		db, err := r.opt.Open(ctx)
		if err != nil {
			stop()
			return nil, fmt.Errorf("bench: server %d: %w", len(bases)+1, err)
		}
		db.Now = r.db.Now
		base, s, err := r.serveOn(ctx, db)
		if err != nil {
			db.Close()
			stop()
			return nil, err
		}
		r.extra = append(r.extra, db)
		stops = append(stops, func() { s(); db.Close() })
		bases = append(bases, base)
	}
	for range r.opt.ExternalServers {
		base, s, err := r.serveExternal(ctx)
		if err != nil {
			stop()
			return nil, err
		}
		stops = append(stops, s)
		bases = append(bases, base)
	}
	if len(bases) > 1 {
		tr := r.c.http.Transport
		r.rr = &roundRobin{next: tr, hosts: bases, served: make([]atomic.Int64, len(bases))}
		r.c.http = &http.Client{Transport: r.rr, Timeout: r.c.http.Timeout}
	}
	return stop, nil
}

// serveOn serves db as serve does for the first server (same
// configuration, same sandbox secret) on a loopback port of its own.
func (r *run) serveOn(ctx context.Context, db *store.DB) (string, func(), error) {
	cfg := api.DefaultConfig()
	cfg.CookieSecure = false
	cfg.PaymentSandbox = true
	cfg.SandboxSecret = r.secret
	cfg.WriteLimit, cfg.SignUpLimit = 0, 0
	srv := &http.Server{Handler: api.New(db, slog.New(slog.DiscardHandler), cfg).Handler(), ReadHeaderTimeout: 10 * time.Second}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("bench: listen: %w", err)
	}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}, nil
}

// roundRobin sends each request to the next server in turn: every client
// then spreads its requests evenly over the servers, as a load balancer
// dealing connections round-robin would.
type roundRobin struct {
	next   http.RoundTripper
	hosts  []string // base URLs, the first the one the client was made for
	n      atomic.Uint64
	served []atomic.Int64 // requests answered, by server
}

func (rr *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	k := (rr.n.Add(1) - 1) % uint64(len(rr.hosts))
	req = req.Clone(req.Context())
	req.URL.Host = rr.hosts[k][len("http://"):]
	req.Host = ""
	res, err := rr.next.RoundTrip(req)
	if err == nil {
		rr.served[k].Add(1)
	}
	return res, err
}

// requests are the requests each server answered so far.
func (rr *roundRobin) requests() []int64 {
	out := make([]int64, len(rr.served))
	for i := range rr.served {
		out[i] = rr.served[i].Load()
	}
	return out
}
