package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

const opsAuditPage = 50

// opsAuditData is a page of the audit log, oldest first from After.
type opsAuditData struct {
	Entries []store.AuditEntry
	Next    string // the next page's URL, "" on the last
	Export  string
}

func (s *Server) opsAudit(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "audit", "ops.audit.title")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p.Form = q
	f, err := auditFilter(q)
	if err != nil {
		p.formError(err)
		p.Data = &opsAuditData{}
		s.render(w, r, statusOf(err), "ops_audit", p)
		return nil
	}
	f.Limit = opsAuditPage + 1
	list, err := s.db.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	d := &opsAuditData{Entries: list[:min(len(list), opsAuditPage)], Export: "/ops/audit/export?" + url.Values{"action": {f.Action}}.Encode()}
	if len(list) > opsAuditPage {
		next := url.Values{"action": {f.Action}, "after": {strconv.FormatInt(d.Entries[len(d.Entries)-1].ID, 10)}}
		d.Next = "/ops/audit?" + next.Encode()
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "ops_audit", p)
	return nil
}

func auditFilter(q url.Values) (store.AuditFilter, error) {
	f := store.AuditFilter{Action: strings.TrimSpace(q.Get("action"))}
	if len(f.Action) > 100 {
		return f, errs.Invalidf("action", "must be at most 100 characters")
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, errs.Invalidf("after", "must be an audit line's id")
		}
		f.AfterID = n
	}
	return f, nil
}

// opsAuditExport writes the log (with the page's action filter) as CSV, in
// the columns of the API's export, page by page.
func (s *Server) opsAuditExport(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.opsPage(r, "audit", "ops.audit.title"); err != nil {
		return err
	}
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.AfterID, f.Limit = 0, 1000
	page, err := s.db.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="sharemall-audit.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "actor_account_id", "action", "subject", "old", "new"})
	for len(page) > 0 {
		for _, e := range page {
			cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), strconv.FormatInt(e.ActorAccountID, 10),
				e.Action, e.Subject, string(e.Old), string(e.New)})
		}
		if len(page) < f.Limit {
			break
		}
		f.AfterID = page[len(page)-1].ID
		if page, err = s.db.AuditLog(r.Context(), f); err != nil {
			s.log.ErrorContext(r.Context(), "audit export interrupted", "err", err)
			break // the header is sent; the log says why the file is short
		}
	}
	cw.Flush()
	return nil
}
