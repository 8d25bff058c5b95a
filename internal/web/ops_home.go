package web

import (
	"net/http"

	"sharemall/internal/catalog"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// opsQueue is one queue on the console's home: how many wait, and where.
type opsQueue struct {
	Key, Href string
	Count     int
	More      bool // more than opsCap wait
}

// opsHomeData is the console's home.
type opsHomeData struct {
	Queues []opsQueue
	Review bool // the program reviews distributors before they join
	// Ledger is the latest ledger check (just run from this page, or the
	// last recorded: the hourly sweep's, the command's); nil when none ran.
	Ledger *store.LedgerCheckRun
	Fresh  bool // Ledger was run by this request
}

func (s *Server) opsHome(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "dashboard", "ops.home.title")
	if err != nil {
		return err
	}
	return s.renderOpsHome(w, r, p, nil)
}

// opsLedgerCheck runs the ledger check on demand: it reads every journal,
// so it runs when asked, never on a page view.
func (s *Server) opsLedgerCheck(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "dashboard", "ops.home.title")
	if err != nil {
		return err
	}
	run, _, err := s.db.RunLedgerCheck(r.Context(), store.LedgerByConsole)
	if err != nil {
		return err
	}
	return s.renderOpsHome(w, r, p, run)
}

func (s *Server) renderOpsHome(w http.ResponseWriter, r *http.Request, p *Page, ledger *store.LedgerCheckRun) error {
	ctx := r.Context()
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	d := &opsHomeData{Review: st.DistributorReview, Ledger: ledger, Fresh: ledger != nil}
	if ledger == nil {
		if d.Ledger, err = s.db.LastLedgerCheck(ctx); err != nil {
			return err
		}
	}
	sups, err := s.db.Suppliers(ctx, p.Actor, store.SupplierFilter{Status: catalog.Applied, Limit: opsCap})
	if err != nil {
		return err
	}
	d.Queues = append(d.Queues, opsQueue{Key: "suppliers", Href: "/ops/suppliers", Count: min(len(sups), opsCap), More: len(sups) > opsCap})
	if st.DistributorReview {
		ds, err := s.db.Distributors(ctx, p.Actor, store.DistributorFilter{Status: network.Pending, Limit: opsCap + 1})
		if err != nil {
			return err
		}
		d.Queues = append(d.Queues, opsQueue{Key: "reviews", Href: "/ops/reviews", Count: min(len(ds), opsCap), More: len(ds) > opsCap})
	}
	if st.ProductReview {
		ps, err := s.db.PendingProducts(ctx, p.Actor, 0, opsCap)
		if err != nil {
			return err
		}
		d.Queues = append(d.Queues, opsQueue{Key: "products", Href: "/ops/products/review", Count: min(len(ps), opsCap), More: len(ps) > opsCap})
	}
	for _, k := range []struct {
		key    string
		status wallet.Status
	}{{"withdrawals", wallet.Requested}, {"approved", wallet.Approved}} {
		ws, err := s.db.Withdrawals(ctx, p.Actor, store.WithdrawalFilter{Status: k.status, Limit: opsCap + 1})
		if err != nil {
			return err
		}
		d.Queues = append(d.Queues, opsQueue{Key: k.key, Href: "/ops/withdrawals", Count: min(len(ws), opsCap), More: len(ws) > opsCap})
	}
	late, more, err := s.lateCases(r, p, opsLateDays)
	if err != nil {
		return err
	}
	d.Queues = append(d.Queues, opsQueue{Key: "cases", Href: "/ops/cases", Count: len(late), More: more})
	p.Data = d
	s.render(w, r, http.StatusOK, "ops_home", p)
	return nil
}
