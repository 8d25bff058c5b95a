package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"sharemall/internal/errs"
)

// supUploadMax is the largest shipping file taken: some thousands of rows.
const supUploadMax = 512 << 10

// supUploadRow is a row of a shipping file that was refused, by its line.
type supUploadRow struct {
	Line    int
	Message string
}

type supUploadPage struct {
	Done    bool
	Rows    int // rows read, the header aside
	Shipped int
	Errors  []supUploadRow
}

func (s *Server) supUploadForm(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.supPage(r, "sup-parcels")
	if err != nil {
		return err
	}
	p.Title, p.Back, p.Data = p.T("sup.upload.title"), "/sup/parcels", &supUploadPage{}
	s.render(w, r, http.StatusOK, "sup_upload", p)
	return nil
}

// supUpload ships many parcels from a CSV file of fulfilment order id,
// carrier and tracking number: each row through the same store call as
// shipping one by one, good rows applied, each bad row's error reported
// with its line number. A file too large or not CSV is refused whole.
func (s *Server) supUpload(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-parcels")
	if err != nil {
		return err
	}
	p.Title, p.Back = p.T("sup.upload.title"), "/sup/parcels"
	d := &supUploadPage{}
	p.Data = d
	rows, err := readShippingFile(w, r)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		s.render(w, r, statusOf(err), "sup_upload", p)
		return nil
	}
	d.Done = true
	for _, row := range rows {
		d.Rows++
		if row.err == nil {
			_, row.err = s.db.ShipFulfilment(r.Context(), sup, row.id, row.carrier, row.tracking)
		}
		if row.err != nil {
			if !p.formError(row.err) {
				return row.err
			}
			msg := p.Errors[errs.FieldOf(row.err)]
			if f := errs.FieldOf(row.err); f != "" {
				msg = f + ": " + msg
			}
			d.Errors = append(d.Errors, supUploadRow{Line: row.line, Message: msg})
			clear(p.Errors)
			continue
		}
		d.Shipped++
	}
	s.render(w, r, http.StatusOK, "sup_upload", p)
	return nil
}

type shippingRow struct {
	line              int
	id                int64
	carrier, tracking string
	err               error
}

// readShippingFile reads the uploaded file's rows; a header row naming the
// columns is skipped. Refusals name the field "file".
func readShippingFile(w http.ResponseWriter, r *http.Request) ([]shippingRow, error) {
	r.Body = http.MaxBytesReader(w, r.Body, supUploadMax+64<<10)
	if err := r.ParseMultipartForm(supUploadMax + 64<<10); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return nil, errs.E(errs.TooLarge, "file", "must be at most %d KB", supUploadMax>>10)
		}
		return nil, errs.Invalidf("file", "choose a CSV file to upload")
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		return nil, errs.Invalidf("file", "choose a CSV file to upload")
	}
	defer f.Close()
	if h.Size > supUploadMax {
		return nil, errs.E(errs.TooLarge, "file", "must be at most %d KB", supUploadMax>>10)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a spreadsheet's byte order mark
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errs.Invalidf("file", "is empty: one row per parcel is expected")
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return nil, errs.Invalidf("file", "is not a CSV file (UTF-8 text)")
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []shippingRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, errs.Invalidf("file", "is not a CSV file: line %d: %v", pe.Line, pe.Err)
			}
			return nil, errs.Invalidf("file", "is not a CSV file")
		}
		if len(out) == 0 && line == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "fulfilment_order_id") {
			continue // the header
		}
		out = append(out, parseShippingRow(line, rec))
	}
	if len(out) == 0 {
		return nil, errs.Invalidf("file", "has no rows: one row per parcel is expected")
	}
	return out, nil
}

func parseShippingRow(line int, rec []string) shippingRow {
	row := shippingRow{line: line}
	if len(rec) != 3 {
		row.err = errs.Invalidf("columns", "want 3 columns (fulfilment order id, carrier, tracking number), got %d", len(rec))
		return row
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(rec[0]), "#"), 10, 64)
	if err != nil || id <= 0 {
		row.err = errs.Invalidf("fulfilment_order_id", "must be a fulfilment order number, not %q", rec[0])
		return row
	}
	row.id, row.carrier, row.tracking = id, rec[1], rec[2]
	return row
}
