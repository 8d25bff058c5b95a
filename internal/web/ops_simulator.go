package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
	"sharemall/internal/simulate"
)

// opsSimData is the simulator page: the rules in force as the form's
// rows, and the last simulation's result as rows ready to show.
type opsSimData struct {
	TierChoices []string // "1" … MaxTiers
	Current     *simulate.Current
	Overrides   []simOverrideRow
	NewCells    []simCell
	Result      *simulate.Result
	Summary     string
	Totals      []simTotal
	Gainers     []simParty
	Losers      []simParty
	Suppliers   []simParty
	Warnings    []string
	// Proof is the signature of the rules simulated, posted back by "save"
	// (saving is offered only after a simulation of those very rules).
	Proof string
}

type simOverrideRow struct {
	Scope, Label string
	ID           int64
	Cells        []simCell
}

type simCell struct{ Name, Label string }

type simTotal struct {
	Key                        string
	Actual, Proposed, Delta    string
	ActualMinor, ProposedMinor money.Amount
	ActualShare, ProposedShare string
}

type simParty struct {
	Test, Href              string
	ID                      int64
	Actual, Proposed, Delta string
	DeltaMinor              money.Amount
}

// opsSimulator shows the form prefilled with the rules in force and the
// last 30 days as the period.
func (s *Server) opsSimulator(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "simulator", "sim.title")
	if err != nil {
		return err
	}
	cur, err := s.db.SimulationRules(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	p.Form = simForm(cur, s.db.Now().In(cur.Settings.Location()))
	if r.URL.Query().Has("saved") {
		p.Notice = p.T("sim.saved")
	}
	p.Data = simData(p, cur)
	s.render(w, r, http.StatusOK, "ops_simulator", p)
	return nil
}

// opsSimulatorRun simulates the posted rules (action "simulate") or saves
// their program rules through the settings (action "save"), which it
// refuses unless those very rules were simulated.
func (s *Server) opsSimulatorRun(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "simulator", "sim.title")
	if err != nil {
		return err
	}
	r.ParseForm()
	p.Form = r.PostForm
	cur, err := s.db.SimulationRules(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d := simData(p, cur)
	p.Data = d
	prop, period, version, err := parseSimForm(r.PostForm, cur)
	if err == nil && r.PostForm.Get("action") == "save" {
		if r.PostForm.Get("proof") != simProof(r.PostForm) {
			err = errs.Invalidf("proof", "simulate these rules before saving them")
		} else if _, err = s.db.UpdateSettings(r.Context(), p.Actor, prop.Apply(cur.Settings), version); err == nil {
			return seeOther(w, r, "/ops/simulator?saved=1")
		}
	}
	if err == nil {
		start := time.Now()
		var res *simulate.Result
		if res, err = s.db.Simulate(r.Context(), p.Actor, prop, period, 10); err == nil {
			d.show(p, res, time.Since(start))
			d.Warnings = prop.Warnings(cur.Settings)
			d.Proof = simProof(r.PostForm)
		}
	}
	status := http.StatusOK
	if err != nil {
		d.Result = nil
		if !p.formError(err) {
			return err
		}
		// An error about part of an override cell shows at the cell, and
		// one about the new override at its row.
		if f := errs.FieldOf(err); simInput(r.PostForm, f) != f {
			p.Errors[simInput(r.PostForm, f)] = p.Errors[f]
			delete(p.Errors, f)
		}
		status = statusOf(err)
	}
	s.render(w, r, status, "ops_simulator", p)
	return nil
}

// simData lays out the form's rows for the rules in force.
func simData(p *Page, cur *simulate.Current) *opsSimData {
	d := &opsSimData{Current: cur}
	for k := range program.MaxTiers {
		d.TierChoices = append(d.TierChoices, strconv.Itoa(k+1))
		d.NewCells = append(d.NewCells, simCell{fmt.Sprintf("new.tiers[%d]", k), p.T("sim.tier", k+1)})
	}
	for _, o := range cur.Overrides {
		row := simOverrideRow{Scope: o.Scope, Label: o.Label, ID: o.ID}
		for k := range program.MaxTiers {
			row.Cells = append(row.Cells, simCell{fmt.Sprintf("%ss[%d].tiers[%d]", o.Scope, o.ID, k),
				fmt.Sprintf("%s #%d: %s", p.T("sim.scope."+o.Scope), o.ID, p.T("sim.tier", k+1))})
		}
		d.Overrides = append(d.Overrides, row)
	}
	return d
}

// show lays out a result.
func (d *opsSimData) show(p *Page, r *simulate.Result, took time.Duration) {
	d.Result = r
	d.Summary = p.T("sim.summary", r.Lines, p.Money(r.Base), p.Date(r.Period.From), p.Date(r.Period.To.AddDate(0, 0, -1)),
		took.Round(time.Millisecond).String())
	share := func(a money.Amount) string {
		if r.Base == 0 {
			return ""
		}
		return simulate.Share(a, r.Base).String()
	}
	for _, t := range []struct {
		key       string
		a, b      money.Amount
		withShare bool
	}{
		{"commission", r.Actual.Commission, r.Proposed.Commission, true},
		{"supplier", r.Actual.Supplier, r.Proposed.Supplier, true},
		{"platform", r.Actual.Platform, r.Proposed.Platform, false},
		{"markup", r.Actual.Markup, r.Proposed.Markup, false},
	} {
		row := simTotal{Key: t.key, Actual: p.Money(t.a), Proposed: p.Money(t.b), Delta: signed(p, t.b-t.a), ActualMinor: t.a, ProposedMinor: t.b}
		if t.withShare {
			row.ActualShare, row.ProposedShare = share(t.a), share(t.b)
		}
		d.Totals = append(d.Totals, row)
	}
	parties := func(cs []simulate.Change, test, href string) []simParty {
		var out []simParty
		for _, c := range cs {
			out = append(out, simParty{Test: test, Href: fmt.Sprintf("%s%d", href, c.ID), ID: c.ID, Actual: p.Money(c.Actual),
				Proposed: p.Money(c.Simulated), Delta: signed(p, c.Delta()), DeltaMinor: c.Delta()})
		}
		return out
	}
	d.Gainers = parties(r.Gainers, "gainer", "/ops/distributors/")
	d.Losers = parties(r.Losers, "loser", "/ops/distributors/")
	d.Suppliers = parties(r.Suppliers, "supplier", "/ops/suppliers#s")
}

// signed shows a change with its sign.
func signed(p *Page, a money.Amount) string {
	if a > 0 {
		return "+" + p.Money(a)
	}
	if a < 0 {
		return "−" + p.Money(-a)
	}
	return p.Money(0)
}
