package api

import (
	"net/http"
	"time"

	"sharemall/internal/commission"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// routesCommissions registers the commissions routes: a distributor's
// wallet and the commission share records. Booking, settling and refunding
// have no route: orders and jobs call the store.
func (s *Server) routesCommissions() {
	s.handle("GET /api/v1/distributors/{id}/wallet", s.getWallet)
	s.handle("GET /api/v1/commissions", s.listCommissions, "after", "limit", "status", "order_id", "distributor_id", "supplier_id")
}

// formatIn writes an amount in major units of the currency code (two
// digits if the code is unknown, which the store never lets in).
func formatIn(code string, a money.Amount) string {
	return money.CurrencyOf(code).Format(a)
}

type walletJSON struct {
	DistributorID int64  `json:"distributor_id"`
	Currency      string `json:"currency"`
	Pending       string `json:"pending"`
	Available     string `json:"available"`
	Withdrawing   string `json:"withdrawing"`
	Withdrawn     string `json:"withdrawn"`
	Debt          string `json:"debt"`
}

func (s *Server) getWallet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wl, err := s.db.Wallet(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	f := func(a money.Amount) string { return formatIn(wl.Currency, a) }
	writeJSON(w, http.StatusOK, walletJSON{DistributorID: wl.DistributorID, Currency: wl.Currency, Pending: f(wl.Pending),
		Available: f(wl.Available), Withdrawing: f(wl.Withdrawing), Withdrawn: f(wl.Withdrawn), Debt: f(wl.Debt)})
	return nil
}

// shareJSON is one party's share of one order line.
type shareJSON struct {
	ID            int64      `json:"id"`
	OrderID       int64      `json:"order_id"`
	LineID        int64      `json:"line_id"`
	Kind          string     `json:"kind"`
	Tier          *int       `json:"tier"`
	DistributorID *int64     `json:"distributor_id"`
	SupplierID    *int64     `json:"supplier_id"`
	Currency      string     `json:"currency"`
	BookedAmount  string     `json:"booked_amount"`
	Amount        string     `json:"amount"`
	Status        string     `json:"status"`
	Reversed      bool       `json:"reversed"`
	BookedAt      time.Time  `json:"booked_at"`
	SettledAt     *time.Time `json:"settled_at"`
}

func shareOut(r store.ShareRecord) shareJSON {
	out := shareJSON{ID: r.ID, OrderID: r.OrderID, LineID: r.LineID, Kind: string(r.Party.Kind), Currency: r.Currency,
		BookedAmount: formatIn(r.Currency, r.Booked), Amount: formatIn(r.Currency, r.Amount), Status: string(r.ShareStatus()),
		Reversed: r.Reversed(), BookedAt: r.BookedAt, SettledAt: r.SettledAt}
	id := r.Party.ID
	switch r.Party.Kind {
	case commission.KindTier:
		tier := r.Party.Tier
		out.Tier, out.DistributorID = &tier, &id
	case commission.KindMarkup, commission.KindAgent:
		out.DistributorID = &id
	case commission.KindSupplier:
		out.SupplierID = &id
	}
	return out
}

func (s *Server) listCommissions(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.CommissionFilter{After: after, Limit: limit, Status: store.ShareStatus(r.URL.Query().Get("status"))}
	for _, q := range []struct {
		name string
		dest *int64
	}{{"order_id", &f.OrderID}, {"distributor_id", &f.DistributorID}, {"supplier_id", &f.SupplierID}} {
		if *q.dest, err = queryInt(r, q.name, 0, 1, 1<<62); err != nil {
			return err
		}
	}
	list, err := s.db.Commissions(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	out := make([]shareJSON, len(list))
	for i, rec := range list {
		out[i] = shareOut(rec)
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(c shareJSON) int64 { return c.ID }))
	return nil
}
