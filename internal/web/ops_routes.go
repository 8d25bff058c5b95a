package web

import (
	"net/http"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// routesOps registers the operator's console: the queues, the program
// settings and the audit log. Every page is for operators only.
func (s *Server) routesOps() {
	s.handle("GET /ops", s.opsHome)
	s.handle("POST /ops/ledger-check", s.opsLedgerCheck)
	s.handle("GET /ops/suppliers", s.opsSuppliers)
	s.handle("POST /ops/suppliers/{id}/decision", s.opsSupplierDecide)
	s.handle("GET /ops/reviews", s.opsReviews)
	s.handle("POST /ops/reviews/{id}/decision", s.opsReviewDecide)
	s.handle("GET /ops/distributors", s.opsDistributors)
	s.handle("GET /ops/distributors/{id}", s.opsDistributor)
	s.handle("GET /ops/distributors/{id}/tree", s.opsTree)
	s.handle("POST /ops/distributors/{id}/grade", s.opsDistributorGrade)
	s.handle("POST /ops/distributors/{id}/agent-areas", s.opsAgentGrant)
	s.handle("POST /ops/distributors/{id}/agent-areas/revoke", s.opsAgentRevoke)
	s.handle("GET /ops/withdrawals", s.opsWithdrawals)
	s.handle("POST /ops/withdrawals/{id}/approve", s.opsWithdrawalApprove)
	s.handle("POST /ops/withdrawals/{id}/reject", s.opsWithdrawalReject)
	s.handle("POST /ops/payout-batches", s.opsBatchCreate)
	s.handle("GET /ops/payout-batches/{id}", s.opsBatch)
	s.handle("GET /ops/payout-batches/{id}/export", s.opsBatchExport)
	s.handle("POST /ops/payout-batches/{id}/paid", s.opsBatchPaid) // ops_batch_paid.go
	s.handle("GET /ops/cases", s.opsCases)
	s.handle("POST /ops/cases/{id}/decision", s.opsCaseDecide)
	s.handle("GET /ops/settings", s.opsSettings)
	s.handle("POST /ops/settings", s.opsSettingsSave)
	s.handle("GET /ops/simulator", s.opsSimulator)
	s.handle("POST /ops/simulator", s.opsSimulatorRun)
	s.handle("GET /ops/audit", s.opsAudit)
	s.handle("GET /ops/audit/export", s.opsAuditExport)
}

// opsPage starts a console page for an operator: anyone else is refused
// (an anonymous visitor is sent to sign in by fail).
func (s *Server) opsPage(r *http.Request, section, title string) (*Page, error) {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return nil, errs.E(errs.Unauthorized, "", "sign in first")
	}
	if !p.Actor.Has(account.Operator) {
		return nil, errs.E(errs.Forbidden, "", "only operators use the operator console")
	}
	p.Console, p.Title = section, p.T(title)
	return p, nil
}

// opsCap is how many rows a queue count reads before it says "more than".
const opsCap = 100

// rowErrorsOnTop moves a refused decision's errors to the top of the page
// when its row is no longer listed (decided meanwhile), so they still show.
func rowErrorsOnTop(p *Page, listed bool) {
	if listed {
		return
	}
	for f, m := range p.Errors {
		if f != "" {
			p.Errors[""] = m
			delete(p.Errors, f)
		}
	}
}
