package web

import (
	"crypto/rand"
	"math"
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

const moneySharesPage = 30

// moneyView is my wallet: balances, the withdrawal form with its rules,
// earnings as a chart, commission details by month and my withdrawals.
type moneyView struct {
	Wallet      *wallet.Wallet
	Rule        program.Withdrawal
	AllAmount   string // the available balance as typed in the form; "" when nothing is available
	Key         string // this form's Idempotency-Key
	Earnings    *store.Earnings
	Chart       *moneyChart
	ChartDay    string // the chart tabs' URLs
	ChartMonth  string
	Status      string // the details' filter
	Filters     []moneyFilter
	Months      []moneyMonthGroup
	Older       string // the details' next page; "" on the last
	Withdrawals []wallet.Withdrawal
}

type moneyFilter struct {
	Status, Key, URL string
	Current          bool
}

type moneyMonthGroup struct {
	Label  string
	Shares []moneyShare
}

// moneyShare is one of my commission records with its line's note.
type moneyShare struct {
	store.ShareRecord
	Note *store.LineNote // nil when the line has none (booked without an order line)
}

// moneyPage shows my wallet. Its query: chart (day or month), status (the
// details' filter), before (the details' page), amount (the form's "all"
// shortcut), requested (a withdrawal was just asked for).
func (s *Server) moneyPage(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.moneyCentrePage(w, r, "money.title")
	if !ok {
		return err
	}
	q := r.URL.Query()
	p.Form.Set("amount", q.Get("amount"))
	if q.Get("requested") != "" {
		p.Notice = p.T("money.requested")
	}
	before, err := moneyQueryID(r, "before")
	if err != nil {
		return err
	}
	if p.Data, err = s.moneyData(r, p, q.Get("chart"), q.Get("status"), before); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "money", p)
	return nil
}

// moneyData reads what the wallet page shows, for the page and for the
// withdrawal form refused.
func (s *Server) moneyData(r *http.Request, p *Page, chart, status string, before int64) (*moneyView, error) {
	ctx, me := r.Context(), p.Actor.DistributorID
	if chart != "" && chart != "day" && chart != "month" {
		return nil, errs.Invalidf("chart", "must be day or month")
	}
	st, err := s.db.Settings(ctx)
	if err != nil {
		return nil, err
	}
	v := &moneyView{Rule: st.Withdrawal, Key: rand.Text(), Status: status,
		ChartDay: moneyURL("/centre/money", "status", status) + "#earnings", ChartMonth: moneyURL("/centre/money", "chart", "month", "status", status) + "#earnings"}
	if v.Wallet, err = s.db.Wallet(ctx, p.Actor, me); err != nil {
		return nil, err
	}
	if v.Wallet.Available > 0 {
		v.AllAmount = st.Currency().Format(v.Wallet.Available)
	}
	if v.Earnings, err = s.db.Earnings(ctx, p.Actor, me, 30, 12); err != nil {
		return nil, err
	}
	if chart == "month" {
		v.Chart = moneyChartOf(p, "month", v.Earnings.ByMonth, v.Earnings.MonthsTotal)
	} else {
		v.Chart = moneyChartOf(p, "day", v.Earnings.ByDay, v.Earnings.DaysTotal)
	}
	for _, f := range []string{"", string(store.SharesPending), string(store.SharesAvailable), string(store.SharesReversed)} {
		v.Filters = append(v.Filters, moneyFilter{Status: f, Key: "money.filter." + map[string]string{"": "all"}[f] + f,
			URL: moneyURL("/centre/money", "chart", chart, "status", f) + "#details", Current: f == status})
	}
	if before == 0 {
		before = math.MaxInt64
	}
	shares, err := s.db.Commissions(ctx, p.Actor, store.CommissionFilter{DistributorID: me, Status: store.ShareStatus(status), Before: before, Limit: moneySharesPage})
	if err != nil {
		return nil, err
	}
	if len(shares) > moneySharesPage {
		shares = shares[:moneySharesPage]
		v.Older = moneyURL("/centre/money", "chart", chart, "status", status, "before", strconv.FormatInt(shares[moneySharesPage-1].ID, 10)) + "#details"
	}
	lines := make([]int64, 0, len(shares))
	for _, sh := range shares {
		lines = append(lines, sh.LineID)
	}
	notes, err := s.db.CommissionNotes(ctx, p.Actor, lines)
	if err != nil {
		return nil, err
	}
	for _, sh := range shares {
		label := p.moneyMonth(sh.BookedAt)
		if n := len(v.Months); n == 0 || v.Months[n-1].Label != label {
			v.Months = append(v.Months, moneyMonthGroup{Label: label})
		}
		g := &v.Months[len(v.Months)-1]
		g.Shares = append(g.Shares, moneyShare{ShareRecord: sh, Note: notes[sh.LineID]})
	}
	v.Withdrawals, err = s.db.Withdrawals(ctx, p.Actor, store.WithdrawalFilter{DistributorID: me, Before: math.MaxInt64, Limit: 10})
	return v, err
}

// moneyMonth names the month t falls in, in the program's time zone:
// "January 2026", "2026年1月".
func (l *Locale) moneyMonth(t time.Time) string {
	t = t.In(l.loc)
	if l.Lang == "zh" {
		return t.Format("2006年1月")
	}
	return t.Format("January 2006")
}
