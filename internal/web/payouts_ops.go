package web

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// The operator's payout pages: tax withheld by month, and payouts to
// suppliers in batches (docs/payouts.md).

type opsWithholdingData struct {
	Month string
	Rows  []store.WithholdingRow
}

func (s *Server) withholdingMonth(r *http.Request) (string, error) {
	if m := strings.TrimSpace(r.URL.Query().Get("month")); m != "" {
		return m, nil
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return "", err
	}
	return s.db.Now().In(st.Location()).Format("2006-01"), nil
}

func (s *Server) opsWithholding(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-withholding", "payouts.withholding.title")
	if err != nil {
		return err
	}
	month, err := s.withholdingMonth(r)
	if err != nil {
		return err
	}
	p.Form.Set("month", month)
	rows, err := s.db.WithholdingReport(r.Context(), p.Actor, month, 0)
	status := http.StatusOK
	if err != nil {
		if !p.formError(err) {
			return err
		}
		status = statusOf(err)
	}
	p.Data = &opsWithholdingData{Month: month, Rows: rows}
	s.render(w, r, status, "ops_withholding", p)
	return nil
}

func (s *Server) opsWithholdingExport(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-withholding", "payouts.withholding.title")
	if err != nil {
		return err
	}
	month, err := s.withholdingMonth(r)
	if err != nil {
		return err
	}
	rows, err := s.db.WithholdingReport(r.Context(), p.Actor, month, 0)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := store.WithholdingCSV(&buf, rows); err != nil {
		return err
	}
	csvDownload(w, "withholding-"+month+".csv", buf.Bytes())
	return nil
}

type opsSupplierPayoutsData struct {
	Key     string // the create form's Idempotency-Key
	Payouts []store.SupplierPayout
}

func (s *Server) opsSupplierPayouts(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-supplier-payouts", "payouts.ops.title")
	if err != nil {
		return err
	}
	return s.renderOpsSupplierPayouts(w, r, p, http.StatusOK)
}

func (s *Server) renderOpsSupplierPayouts(w http.ResponseWriter, r *http.Request, p *Page, status int) error {
	ps, err := s.db.SupplierPayouts(r.Context(), p.Actor, 0, "", 100)
	if err != nil {
		return err
	}
	p.Data = &opsSupplierPayoutsData{Key: rand.Text(), Payouts: ps}
	s.render(w, r, status, "ops_supplier_payouts", p)
	return nil
}

func (s *Server) opsSupplierPayoutCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-supplier-payouts", "payouts.ops.title")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	sid, perr := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("supplier_id")), 10, 64)
	if perr != nil || sid <= 0 {
		err = errs.Invalidf("supplier_id", "must be a supplier's id")
	}
	if err == nil {
		st, serr := s.db.Settings(r.Context())
		if serr != nil {
			return serr
		}
		amount, aerr := st.Currency().ParseField("amount", strings.TrimSpace(r.PostForm.Get("amount")))
		if err = aerr; err == nil {
			_, err = s.db.CreateSupplierPayout(r.Context(), p.Actor, sid, amount, r.PostForm.Get("key"))
		}
	}
	if err == nil {
		return seeOther(w, r, "/ops/supplier-payouts")
	}
	if !p.formError(err) {
		return err
	}
	p.Form.Set("supplier_id", r.PostForm.Get("supplier_id"))
	p.Form.Set("amount", r.PostForm.Get("amount"))
	return s.renderOpsSupplierPayouts(w, r, p, statusOf(err))
}

func (s *Server) opsSupplierPayoutReject(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-supplier-payouts", "payouts.ops.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	if _, err := s.db.RejectSupplierPayout(r.Context(), p.Actor, id, r.PostForm.Get("reason")); err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderOpsSupplierPayouts(w, r, p, statusOf(err))
	}
	return seeOther(w, r, "/ops/supplier-payouts")
}

func (s *Server) opsSupplierBatchCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-supplier-payouts", "payouts.ops.title")
	if err != nil {
		return err
	}
	b, _, err := s.db.CreateSupplierPayoutBatch(r.Context(), p.Actor)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderOpsSupplierPayouts(w, r, p, statusOf(err))
	}
	return seeOther(w, r, fmt.Sprintf("/ops/supplier-payout-batches/%d", b.ID))
}

type opsSupplierBatchData struct {
	Batch   *store.SupplierPayoutBatch
	Payouts []store.SupplierPayout
}

func (s *Server) opsSupplierBatch(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-supplier-payouts", "payouts.ops.title")
	if err != nil {
		return err
	}
	return s.renderOpsSupplierBatch(w, r, p, http.StatusOK)
}

func (s *Server) renderOpsSupplierBatch(w http.ResponseWriter, r *http.Request, p *Page, status int) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, ps, err := s.db.SupplierPayoutBatch(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	p.Back, p.Title = "/ops/supplier-payouts", p.T("payouts.ops.batch", b.ID)
	p.Data = &opsSupplierBatchData{Batch: b, Payouts: ps}
	s.render(w, r, status, "ops_supplier_batch", p)
	return nil
}

// opsSupplierBatchExport downloads the batch's bank or Alipay file.
func (s *Server) opsSupplierBatchExport(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-supplier-payouts", "payouts.ops.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	o := store.PayoutExportOptions{Format: q.Get("format"), PayerAccount: q.Get("payer_account"), PayerName: q.Get("payer_name")}
	var buf bytes.Buffer
	if err := s.db.SupplierPayoutBatchExport(r.Context(), p.Actor, id, o, &buf); err != nil {
		return err
	}
	csvDownload(w, fmt.Sprintf("sharemall-supplier-payout-batch-%d-%s.csv", id, o.Format), buf.Bytes())
	return nil
}

func (s *Server) opsSupplierBatchPaid(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-supplier-payouts", "payouts.ops.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	if _, _, err := s.db.MarkSupplierPayoutBatchPaid(r.Context(), p.Actor, id, r.PostForm.Get("payout_ref")); err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form.Set("payout_ref", r.PostForm.Get("payout_ref"))
		return s.renderOpsSupplierBatch(w, r, p, statusOf(err))
	}
	return seeOther(w, r, fmt.Sprintf("/ops/supplier-payout-batches/%d", id))
}
