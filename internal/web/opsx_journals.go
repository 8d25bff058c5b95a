package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/store"
)

// opsxJournalsPage is how many journals the page shows at once.
const opsxJournalsPage = 50

// opsxJournal is one journal as the page draws it.
type opsxJournal struct {
	store.PostedJournal
	At time.Time
}

// opsxJournalsData is a page of the ledger's journals, filtered.
type opsxJournalsData struct {
	Journals []opsxJournal
	Next     string
	Filtered bool
}

// opsxJournals lists the journals touching any account of the ledger (and
// of a kind), oldest first, with the store read the API's GET /journals
// uses (db.Journals), checked the same way.
func (s *Server) opsxJournals(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "journals", "opsx.journals.title")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.JournalFilter{Account: strings.TrimSpace(q.Get("account")), Kind: strings.TrimSpace(q.Get("journal_kind")), Limit: opsxJournalsPage + 1}
	p.Form.Set("account", f.Account)
	p.Form.Set("journal_kind", f.Kind)
	d := &opsxJournalsData{Filtered: f.Account != "" || f.Kind != ""}
	p.Data = d
	if f.After, err = opsxQueryID(r, "after"); err == nil {
		err = opsxCheckJournalFilter(f)
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		if m, ok := p.Errors["after"]; ok { // no field of the form: on top
			p.Errors[""] = m
			delete(p.Errors, "after")
		}
		s.render(w, r, statusOf(err), "opsx_journals", p)
		return nil
	}
	list, err := s.db.Journals(r.Context(), f)
	if err != nil {
		return err
	}
	if len(list) > opsxJournalsPage {
		list = list[:opsxJournalsPage]
		d.Next = "/ops/journals?" + url.Values{"account": {f.Account}, "journal_kind": {f.Kind}, "after": {strconv.FormatInt(list[opsxJournalsPage-1].ID, 10)}}.Encode()
	}
	for _, j := range list {
		d.Journals = append(d.Journals, opsxJournal{PostedJournal: j, At: time.UnixMicro(j.Created)})
	}
	s.render(w, r, http.StatusOK, "opsx_journals", p)
	return nil
}

// opsxCheckJournalFilter refuses what the API's GET /journals refuses.
func opsxCheckJournalFilter(f store.JournalFilter) error {
	if utf8.RuneCountInString(f.Kind) > 100 || !utf8.ValidString(f.Kind) {
		return errs.Invalidf("journal_kind", "must be at most 100 characters")
	}
	if f.Account != "" {
		if _, _, err := ledger.ParseCode(f.Account); err != nil {
			return errs.Invalidf("account", "must be an account code such as distributor_available:42 or platform_revenue")
		}
	}
	return nil
}
