package auditexport

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Verify re-reads an export: the manifest names every CSV file of the zip
// and each file has the rows, bytes and SHA-256 the manifest says. It
// returns the manifest and the problems found (none: the export is intact);
// an error is a zip or manifest that cannot be read at all.
func Verify(r io.ReaderAt, size int64) (*Manifest, []string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, fmt.Errorf("not a zip file: %w", err)
	}
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[f.Name] = f
	}
	mf := byName[ManifestFile]
	if mf == nil {
		return nil, nil, fmt.Errorf("the zip has no %s", ManifestFile)
	}
	rc, err := mf.Open()
	if err != nil {
		return nil, nil, err
	}
	var m Manifest
	err = json.NewDecoder(rc).Decode(&m)
	rc.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	var problems []string
	listed := map[string]bool{}
	for _, e := range m.Files {
		listed[e.Name] = true
		f := byName[e.Name]
		if f == nil {
			problems = append(problems, fmt.Sprintf("%s: in the manifest but not in the zip", e.Name))
			continue
		}
		rows, n, sum, err := readCSV(f)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", e.Name, err))
			continue
		}
		if sum != e.SHA256 {
			problems = append(problems, fmt.Sprintf("%s: SHA-256 is %s, the manifest says %s", e.Name, sum, e.SHA256))
		}
		if n != e.Bytes {
			problems = append(problems, fmt.Sprintf("%s: %d bytes, the manifest says %d", e.Name, n, e.Bytes))
		}
		if rows != e.Rows {
			problems = append(problems, fmt.Sprintf("%s: %d rows, the manifest says %d", e.Name, rows, e.Rows))
		}
	}
	for _, f := range zr.File {
		if f.Name != ManifestFile && !listed[f.Name] {
			problems = append(problems, fmt.Sprintf("%s: in the zip but not in the manifest", f.Name))
		}
	}
	for _, name := range Files {
		if !listed[name] {
			problems = append(problems, fmt.Sprintf("%s: missing", name))
		}
	}
	slices.Sort(problems)
	return &m, problems, nil
}

// readCSV streams a file once: its data rows (header excluded), bytes and SHA-256.
func readCSV(f *zip.File) (rows, n int64, sum string, err error) {
	rc, err := f.Open()
	if err != nil {
		return 0, 0, "", err
	}
	defer rc.Close()
	h, c := sha256.New(), &countWriter{}
	cr := csv.NewReader(io.TeeReader(rc, io.MultiWriter(h, c)))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		_, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, "", fmt.Errorf("not CSV: %w", err)
		}
		rows++
	}
	if rows > 0 {
		rows-- // the header
	}
	return rows, c.n, hex.EncodeToString(h.Sum(nil)), nil
}
