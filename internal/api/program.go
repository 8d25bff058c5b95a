package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
	"sharemall/internal/store"
)

// routesProgram registers the program settings and the audit log.
func (s *Server) routesProgram() {
	s.handle("GET /api/v1/program/settings", s.getSettings)
	s.handle("PUT /api/v1/program/settings", s.putSettings)
	s.handle("GET /api/v1/audit-log", s.auditLog, "after", "limit", "action")
	s.handle("GET /api/v1/audit-log/export", s.auditExport)
}

// settingsJSON is the wire form of program.Settings: rates in basis points,
// amounts as strings of major units.
// The same shape is read back by PUT: warnings are accepted there and ignored,
// and version is required.
type settingsJSON struct {
	Version              *int64         `json:"version"`
	Currency             string         `json:"currency"`
	DefaultPhoneRegion   string         `json:"default_phone_region"`
	TimeZone             string         `json:"time_zone"`
	Tiers                int            `json:"tiers"`
	TierRatesBP          []money.Rate   `json:"tier_rates_bp"`
	PlatformRateBP       money.Rate     `json:"platform_rate_bp"`
	AreaRateBP           money.Rate     `json:"area_rate_bp"`
	CommissionCapBP      money.Rate     `json:"commission_cap_bp"`
	Binding              bindingJSON    `json:"binding"`
	UnpaidTimeoutMinutes int            `json:"unpaid_timeout_minutes"`
	AutoConfirmDays      int            `json:"auto_confirm_days"`
	AfterSaleDays        int            `json:"after_sale_days"`
	Withdrawal           withdrawalJSON `json:"withdrawal"`
	DistributorReview    bool           `json:"distributor_review"`
	HeadCountConditions  bool           `json:"head_count_conditions"`
	ProductReview        bool           `json:"product_review"`
	// OwnPurchaseCommission: 自购返佣 (docs/campaigns.md); absent from a PUT is off.
	OwnPurchaseCommission bool           `json:"own_purchase_commission"`
	Fraud                 *program.Fraud `json:"fraud,omitempty"` // absent from a PUT: kept as it is
	Warnings              []string       `json:"warnings"`
}

type bindingJSON struct {
	Mode     program.BindingMode `json:"mode"`
	LockDays int                 `json:"lock_days"`
}

type withdrawalJSON struct {
	Minimum    string     `json:"minimum"`
	FeeRateBP  money.Rate `json:"fee_rate_bp"`
	DailyLimit int        `json:"daily_limit"`
	// WithholdingRateBP: tax withheld from withdrawals (docs/payouts.md);
	// absent from a PUT is 0.
	WithholdingRateBP money.Rate `json:"withholding_rate_bp"`
}

func toSettingsJSON(st *program.Settings) settingsJSON {
	w := append(st.Warnings(), st.Notices...)
	if w == nil {
		w = []string{}
	}
	version := st.Version
	fraud := st.Fraud
	return settingsJSON{
		Fraud:   &fraud,
		Version: &version, Currency: st.CurrencyCode, DefaultPhoneRegion: st.DefaultPhoneRegion, Tiers: st.Tiers, TierRatesBP: st.TierRates,
		TimeZone:       st.TimeZone,
		PlatformRateBP: st.PlatformRate, AreaRateBP: st.AreaRate, CommissionCapBP: st.CommissionCap,
		Binding:              bindingJSON{st.Binding.Mode, st.Binding.LockDays},
		UnpaidTimeoutMinutes: st.UnpaidTimeoutMinutes, AutoConfirmDays: st.AutoConfirmDays, AfterSaleDays: st.AfterSaleDays,
		Withdrawal:        withdrawalJSON{st.Currency().Format(st.Withdrawal.Minimum), st.Withdrawal.FeeRate, st.Withdrawal.DailyLimit, st.Withdrawal.WithholdingRate},
		DistributorReview: st.DistributorReview, HeadCountConditions: st.HeadCountConditions, ProductReview: st.ProductReview, Warnings: w,
		OwnPurchaseCommission: st.OwnPurchaseCommission,
	}
}

// getSettings shows the rules to anyone signed in: distributors and
// suppliers are entitled to know how commission is computed.
func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) error {
	if actorOf(r).Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(st))
	return nil
}

// putSettings replaces the settings. The body is the whole settings object
// as GET returns it, with the version that was read.
func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	if err := actor.Require(account.Operator); err != nil {
		return err
	}
	var req settingsJSON
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Version == nil {
		return errs.Invalidf("version", "is required: send the version you read, so concurrent edits are not lost")
	}
	cur, ok := money.LookupCurrency(req.Currency)
	if !ok {
		return errs.Invalidf("currency", "%q is not a supported ISO 4217 currency code", req.Currency)
	}
	if req.Withdrawal.Minimum == "" {
		return errs.Invalidf("withdrawal.minimum", "is required")
	}
	min, err := cur.ParseField("withdrawal.minimum", req.Withdrawal.Minimum)
	if err != nil {
		return err
	}
	st := &program.Settings{
		CurrencyCode: req.Currency, DefaultPhoneRegion: req.DefaultPhoneRegion, Tiers: req.Tiers, TierRates: req.TierRatesBP,
		TimeZone:     req.TimeZone,
		PlatformRate: req.PlatformRateBP, AreaRate: req.AreaRateBP, CommissionCap: req.CommissionCapBP,
		Binding:              program.Binding{Mode: req.Binding.Mode, LockDays: req.Binding.LockDays},
		UnpaidTimeoutMinutes: req.UnpaidTimeoutMinutes, AutoConfirmDays: req.AutoConfirmDays, AfterSaleDays: req.AfterSaleDays,
		Withdrawal: program.Withdrawal{Minimum: min, FeeRate: req.Withdrawal.FeeRateBP, DailyLimit: req.Withdrawal.DailyLimit,
			WithholdingRate: req.Withdrawal.WithholdingRateBP},
		DistributorReview: req.DistributorReview, HeadCountConditions: req.HeadCountConditions, ProductReview: req.ProductReview,
		OwnPurchaseCommission: req.OwnPurchaseCommission,
	}
	if req.Fraud != nil {
		st.Fraud = *req.Fraud
	} else if now, err := s.db.Settings(r.Context()); err == nil {
		st.Fraud = now.Fraud
	} else {
		return err
	}
	saved, err := s.db.UpdateSettings(r.Context(), actor, st, *req.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(saved))
	return nil
}

type auditJSON struct {
	ID             int64     `json:"id"`
	At             time.Time `json:"at"`
	ActorAccountID int64     `json:"actor_account_id,omitempty"`
	Action         string    `json:"action"`
	Subject        string    `json:"subject"`
	Old            any       `json:"old"`
	New            any       `json:"new"`
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := s.db.AuditLog(r.Context(), store.AuditFilter{Action: r.URL.Query().Get("action"), AfterID: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	out := make([]auditJSON, len(list))
	for i, e := range list {
		out[i] = auditJSON{ID: e.ID, At: e.At, ActorAccountID: e.ActorAccountID, Action: e.Action, Subject: e.Subject, Old: rawOrNil(e.Old), New: rawOrNil(e.New)}
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(a auditJSON) int64 { return a.ID }))
	return nil
}

func rawOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return jsonRaw(b)
}

type jsonRaw []byte

func (j jsonRaw) MarshalJSON() ([]byte, error) { return j, nil }

// auditExport writes the whole audit log as CSV, for a regulator. It streams
// page by page so the log's size does not matter.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	first, err := s.db.AuditLog(r.Context(), store.AuditFilter{Limit: 1000})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="sharemall-audit.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "actor_account_id", "action", "subject", "old", "new"})
	for page := first; len(page) > 0; {
		for _, e := range page {
			cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), strconv.FormatInt(e.ActorAccountID, 10),
				e.Action, e.Subject, string(e.Old), string(e.New)})
		}
		if len(page) < 1000 {
			break
		}
		if page, err = s.db.AuditLog(r.Context(), store.AuditFilter{AfterID: page[len(page)-1].ID, Limit: 1000}); err != nil {
			s.log.ErrorContext(r.Context(), "audit export interrupted", "err", err)
			break // the header is sent; a short file is all we can do, and the log says why
		}
	}
	cw.Flush()
	return nil
}
