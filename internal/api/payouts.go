package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// routesPayouts registers where distributors and suppliers are paid
// (docs/payouts.md). Reads and writes answer with the masked view only.
func (s *Server) routesPayouts() {
	s.handle("GET /api/v1/distributors/{id}/payout-details", s.payoutDetailsOf(store.PayoutDistributor))
	s.handle("PUT /api/v1/distributors/{id}/payout-details", s.setPayoutDetailsOf(store.PayoutDistributor))
	s.handle("GET /api/v1/suppliers/{id}/payout-details", s.payoutDetailsOf(store.PayoutSupplier))
	s.handle("PUT /api/v1/suppliers/{id}/payout-details", s.setPayoutDetailsOf(store.PayoutSupplier))
	s.handle("GET /api/v1/withholding", s.withholdingReport, "month", "distributor_id")
	s.handle("GET /api/v1/withholding/export", s.withholdingExport, "month", "distributor_id")
}

// withholdingRowResource is one distributor's month on the wire.
type withholdingRowResource struct {
	Month         string `json:"month"`
	DistributorID int64  `json:"distributor_id"`
	DisplayName   string `json:"display_name"`
	Currency      string `json:"currency"`
	Withdrawals   int    `json:"withdrawals"`
	Gross         string `json:"gross"`
	Fee           string `json:"fee"`
	Withheld      string `json:"withheld"`
	Paid          string `json:"paid"`
}

func (s *Server) withholdingRows(r *http.Request) ([]store.WithholdingRow, error) {
	var d int64
	if v := r.URL.Query().Get("distributor_id"); v != "" {
		var err error
		if d, err = strconv.ParseInt(v, 10, 64); err != nil || d <= 0 {
			return nil, errs.Invalidf("distributor_id", "must be a positive id")
		}
	}
	return s.db.WithholdingReport(r.Context(), actorOf(r), r.URL.Query().Get("month"), d)
}

func (s *Server) withholdingReport(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.withholdingRows(r)
	if err != nil {
		return err
	}
	out := struct {
		Items []withholdingRowResource `json:"items"`
	}{Items: []withholdingRowResource{}}
	for _, x := range rows {
		c := money.CurrencyOf(x.Currency)
		out.Items = append(out.Items, withholdingRowResource{x.Month, x.DistributorID, x.DisplayName, x.Currency, x.Withdrawals,
			c.Format(x.Gross), c.Format(x.Fee), c.Format(x.Withheld), c.Format(x.Paid)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) withholdingExport(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.withholdingRows(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := store.WithholdingCSV(&buf, rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sharemall-withholding-%s.csv"`, rows0Month(rows, r)))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// rows0Month names the file by the month asked (already checked).
func rows0Month(rows []store.WithholdingRow, r *http.Request) string {
	if len(rows) > 0 {
		return rows[0].Month
	}
	return strings.TrimSpace(r.URL.Query().Get("month"))
}

// payoutDetailsResource is recorded payout details on the wire: masked.
type payoutDetailsResource struct {
	OwnerKind string        `json:"owner_kind"`
	OwnerID   int64         `json:"owner_id"`
	Masked    payout.Masked `json:"masked"`
	UpdatedAt time.Time     `json:"updated_at"`
}

func payoutDetailsOut(v *store.PayoutDetailsView) payoutDetailsResource {
	return payoutDetailsResource{OwnerKind: v.Owner.Kind, OwnerID: v.Owner.ID, Masked: v.Masked, UpdatedAt: v.UpdatedAt}
}

func (s *Server) payoutDetailsOf(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		v, err := s.db.PayoutDetails(r.Context(), actorOf(r), store.PayoutOwner{Kind: kind, ID: id})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, payoutDetailsOut(v))
		return nil
	}
}

func (s *Server) setPayoutDetailsOf(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var d payout.Details
		if err := decode(w, r, &d); err != nil {
			return err
		}
		v, err := s.db.SetPayoutDetails(r.Context(), actorOf(r), store.PayoutOwner{Kind: kind, ID: id}, d)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, payoutDetailsOut(v))
		return nil
	}
}
