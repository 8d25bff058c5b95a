package web

import (
	"io"
	"net/http"
	"os"
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
	// Written to a temporary file before a byte is sent, so a failure is an
	// error page and not half a zip, and a large period takes disk, not memory.
	f, err := os.CreateTemp("", "sharemall-audit-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	zw := auditexport.NewWriter(f, per, s.db.Now())
	if err := s.db.ExportAudit(r.Context(), per, zw); err != nil {
		return err
	}
	if _, err := zw.Close(); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="audit-`+per.From.Format("20060102")+`-`+per.To.Format("20060102")+`.zip"`)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f) // a client that goes away mid-download is no error of ours
	return nil
}
