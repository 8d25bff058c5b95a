package api

import (
	"net/http"
	"time"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// journalResource is a journal of the ledger with its entries, amounts in
// major units of the journal's currency.
type journalResource struct {
	ID        int64                  `json:"id"`
	Key       string                 `json:"key"`
	Kind      string                 `json:"kind"`
	Memo      string                 `json:"memo"`
	Currency  string                 `json:"currency"`
	CreatedAt time.Time              `json:"created_at"`
	Entries   []journalEntryResource `json:"entries"`
}

type journalEntryResource struct {
	ID        int64  `json:"id"`
	Account   string `json:"account"`
	Direction string `json:"direction"` // debit or credit
	Amount    string `json:"amount"`
}

func journalOut(j store.PostedJournal) journalResource {
	cur := money.CurrencyOf(j.Currency)
	out := journalResource{ID: j.ID, Key: j.Key, Kind: j.Kind, Memo: j.Memo, Currency: j.Currency,
		CreatedAt: time.UnixMicro(j.Created).UTC(), Entries: make([]journalEntryResource, len(j.Entries))}
	for i, e := range j.Entries {
		dir := "credit"
		if e.Direction == ledger.Debit {
			dir = "debit"
		}
		out.Entries[i] = journalEntryResource{ID: e.ID, Account: e.Account, Direction: dir, Amount: cur.Format(e.Amount)}
	}
	return out
}

// listJournals is the operator's view of the ledger, in id order, by kind
// and by account.
func (s *Server) listJournals(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.JournalFilter{Kind: q.Get("kind"), Account: q.Get("account"), After: after, Limit: limit + 1}
	if utf8.RuneCountInString(f.Kind) > 100 || !utf8.ValidString(f.Kind) {
		return errs.Invalidf("kind", "must be at most 100 characters")
	}
	if f.Account != "" {
		if _, _, err := ledger.ParseCode(f.Account); err != nil {
			return errs.Invalidf("account", "must be an account code such as distributor_available:42 or platform_revenue")
		}
	}
	list, err := s.db.Journals(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(netMap(list, journalOut), limit, func(j journalResource) int64 { return j.ID }))
	return nil
}
