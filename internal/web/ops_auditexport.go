package web

import (
	"bytes"
	"net/http"
	"strconv"

	"sharemall/internal/auditexport"
)

// routesAuditExport registers the regulator's audit export in the
// operator console (docs/audit-export.md): a form of the period, and the
// zip it downloads, the same as `sharemall audit export`.
func (s *Server) routesAuditExport() {
	s.handle("GET /ops/audit/regulator", s.opsAuditRegulator)
}

// opsAuditRegulator shows the period form; with from and to and
// download=1 it answers the zip. A bad date re-renders the form with the
// error by its field.
func (s *Server) opsAuditRegulator(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-audit-export", "auditexport.title")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p.Form = q
	if q.Get("download") == "" {
		s.render(w, r, http.StatusOK, "ops_auditexport", p)
		return nil
	}
	loc, err := s.db.AuditPeriodLocation(r.Context())
	if err != nil {
		return err
	}
	per, err := auditexport.ParsePeriod(q.Get("from"), q.Get("to"), loc)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		s.render(w, r, statusOf(err), "ops_auditexport", p)
		return nil
	}
	// Built in memory before a byte is sent, so a failure is an error page
	// and not half a zip; the rows are still read one by one, and the
	// command line (which writes to a file) suits periods too large for that.
	var buf bytes.Buffer
	zw := auditexport.NewWriter(&buf, per, s.db.Now())
	if err := s.db.ExportAudit(r.Context(), per, zw); err != nil {
		return err
	}
	if _, err := zw.Close(); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="audit-`+per.From.Format("20060102")+`-`+per.To.Format("20060102")+`.zip"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}
