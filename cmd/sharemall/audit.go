package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"sharemall/internal/auditexport"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// errExportDamaged makes `sharemall audit export --verify` exit non-zero.
var errExportDamaged = errors.New("the export does not verify")

// auditFlags are `sharemall audit export`'s flags (docs/audit-export.md).
type auditFlags struct {
	from, to, out, verify string
}

func (f *auditFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.from, "from", "", "first day of the period, YYYY-MM-DD in the program's time zone")
	fs.StringVar(&f.to, "to", "", "last day of the period, YYYY-MM-DD (included)")
	fs.StringVar(&f.out, "out", "", "the zip file to write, e.g. audit-2026-q1.zip")
	fs.StringVar(&f.verify, "verify", "", "re-check an export's checksums and row counts instead (needs no database)")
}

// auditVerify re-checks the zip at path against its manifest.
func auditVerify(path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	m, problems, err := auditexport.Verify(f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "PROBLEM", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "audit verify: %d problem(s)\n", len(problems))
		return errExportDamaged
	}
	fmt.Fprintf(stdout, "audit verify: ok: %s to %s (%s), %d files, generated at %s\n", m.From, m.To, m.TimeZone, len(m.Files),
		m.GeneratedAt.Format("2006-01-02 15:04:05Z"))
	return nil
}

// auditExport writes the export of the period to the --out file: into a
// temporary file beside it, renamed once complete, so a failed export
// leaves no half a zip under the name.
func auditExport(ctx context.Context, db *store.DB, f auditFlags, stdout io.Writer) error {
	if f.out == "" {
		return errs.Invalidf("out", "name the zip file to write with --out")
	}
	loc, err := db.AuditPeriodLocation(ctx)
	if err != nil {
		return err
	}
	p, err := auditexport.ParsePeriod(f.from, f.to, loc)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.out), ".audit-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone once renamed
	zw := auditexport.NewWriter(tmp, p, db.Now())
	if err := db.ExportAudit(ctx, p, zw); err != nil {
		tmp.Close()
		return err
	}
	m, err := zw.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.out); err != nil {
		return err
	}
	for _, e := range m.Files {
		fmt.Fprintf(stdout, "%-22s %8d rows  sha256 %s\n", e.Name, e.Rows, e.SHA256)
	}
	fmt.Fprintf(stdout, "audit export: %s to %s (%s) written to %s\n", m.From, m.To, m.TimeZone, f.out)
	return nil
}
