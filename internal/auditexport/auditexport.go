// Package auditexport writes and verifies the regulator's audit export: CSV
// files in a zip with a manifest of each file's rows and SHA-256
// (docs/audit-export.md). The store fills it (store.ExportAudit) row by
// row; nothing here holds a table in memory.
package auditexport

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"sharemall/internal/errs"
)

// The files of an export, in the order they are written.
const (
	SettingsFile    = "settings_versions.csv"
	GuardFile       = "guard.csv"
	OverridesFile   = "overrides.csv"
	BindingsFile    = "bindings.csv"
	CommissionsFile = "commissions.csv"
	RefundsFile     = "commission_refunds.csv"
	PayoutsFile     = "payouts.csv"
	ManifestFile    = "manifest.json"
)

// Files lists the CSV files every export holds.
var Files = []string{SettingsFile, GuardFile, OverridesFile, BindingsFile, CommissionsFile, RefundsFile, PayoutsFile}

// MaxDays bounds a period: a year and a day covers any yearly report.
const MaxDays = 367

// Period is the days from From to To, both included, in the program's time zone.
type Period struct {
	From, To time.Time // midnights in Loc
	Loc      *time.Location
}

// ParsePeriod reads two dates (2026-01-31); errors name "from" or "to".
func ParsePeriod(from, to string, loc *time.Location) (Period, error) {
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return Period{}, errs.Invalidf("from", "must be a date like 2026-01-31")
	}
	t, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return Period{}, errs.Invalidf("to", "must be a date like 2026-01-31")
	}
	if t.Before(f) {
		return Period{}, errs.Invalidf("to", "must be on or after from (%s)", from)
	}
	if t.Sub(f) >= MaxDays*24*time.Hour {
		return Period{}, errs.Invalidf("to", "a period is at most %d days: export a longer one in parts", MaxDays)
	}
	return Period{From: f, To: t, Loc: loc}, nil
}

// Start is the first moment of the period.
func (p Period) Start() time.Time { return p.From }

// End is the first moment after the period.
func (p Period) End() time.Time { return p.To.AddDate(0, 0, 1) }

// Sink takes an export's files one after another, row by row.
type Sink interface {
	File(name string, header []string) error
	Row(fields ...string) error
}

// Manifest describes an export.
type Manifest struct {
	Format      int         `json:"format"` // 1
	From        string      `json:"from"`
	To          string      `json:"to"`
	TimeZone    string      `json:"time_zone"`
	Start       time.Time   `json:"start"` // the first moment, UTC
	End         time.Time   `json:"end"`   // the first moment after, UTC
	GeneratedAt time.Time   `json:"generated_at"`
	Files       []FileEntry `json:"files"`
}

// FileEntry is one CSV file: its data rows (the header not counted), bytes and SHA-256.
type FileEntry struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Writer writes an export into a zip as the store streams it.
type Writer struct {
	zw       *zip.Writer
	manifest Manifest
	cur      *FileEntry
	hash     hash.Hash
	count    *countWriter
	csv      *csv.Writer
}

// NewWriter starts an export of period p into w, generated at now.
func NewWriter(w io.Writer, p Period, now time.Time) *Writer {
	return &Writer{zw: zip.NewWriter(w), manifest: Manifest{Format: 1, From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly),
		TimeZone: p.Loc.String(), Start: p.Start().UTC(), End: p.End().UTC(), GeneratedAt: now.UTC()}}
}

// File ends the file being written and starts the next with its header.
func (w *Writer) File(name string, header []string) error {
	if err := w.endFile(); err != nil {
		return err
	}
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: w.manifest.GeneratedAt})
	if err != nil {
		return err
	}
	w.hash, w.count = sha256.New(), &countWriter{}
	w.csv = csv.NewWriter(io.MultiWriter(f, w.hash, w.count))
	w.cur = &FileEntry{Name: name}
	return w.csv.Write(header)
}

// Row writes one data row of the current file.
func (w *Writer) Row(fields ...string) error {
	if w.cur == nil {
		return fmt.Errorf("auditexport: a row before any file")
	}
	w.cur.Rows++
	return w.csv.Write(fields)
}

func (w *Writer) endFile() error {
	if w.cur == nil {
		return nil
	}
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return err
	}
	w.cur.Bytes, w.cur.SHA256 = w.count.n, hex.EncodeToString(w.hash.Sum(nil))
	w.manifest.Files = append(w.manifest.Files, *w.cur)
	w.cur = nil
	return nil
}

// Close ends the last file, writes the manifest and finishes the zip.
func (w *Writer) Close() (*Manifest, error) {
	if err := w.endFile(); err != nil {
		return nil, err
	}
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: ManifestFile, Method: zip.Deflate, Modified: w.manifest.GeneratedAt})
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&w.manifest); err != nil {
		return nil, err
	}
	if err := w.zw.Close(); err != nil {
		return nil, err
	}
	m := w.manifest
	return &m, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
