package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// seedNetwork grows a referral tree the way sharing does: a founding chain of
// five generations, then each newcomer joins under someone picked with a
// weight that grows with the team they already built, so a few distributors
// recruit many and most recruit nobody. Grades go to about one in ten.
func (s *seeder) seedNetwork(ctx context.Context, n int) error {
	type node struct {
		id, direct int64
		code       string
	}
	var nodes []*node
	// The network grew over the year before the orders (which start 40
	// days ago): joins are spread from 365 to 41 days ago, faster and
	// faster (the i-th at a square root of the way), so the growth curve,
	// the monthly cohorts and the time to a first sale have a history.
	orig := s.db.Now
	end := orig().UTC().Truncate(time.Minute)
	var at time.Time
	s.db.Now = func() time.Time { return at }
	defer func() { s.db.Now = orig }()
	for i := 1; i <= n; i++ {
		at = end.Add(-365 * day).Add(time.Duration(math.Sqrt(float64(i)/float64(n)) * float64(324*day)))
		actor, err := s.account(ctx, fmt.Sprintf("dist%03d@demo.example.com", i), fmt.Sprintf("Distributor %d", i))
		if err != nil {
			return err
		}
		var sponsor *node
		switch {
		case i == 1 || i == 6 || i == 7: // three founders without sponsor
		case i <= 5: // the founding chain: 1 → 2 → 3 → 4 → 5
			sponsor = nodes[i-2]
		default:
			total := int64(0)
			for _, nd := range nodes {
				total += 1 + 3*nd.direct
			}
			pick := s.rng.Int64N(total)
			for _, nd := range nodes {
				if pick -= 1 + 3*nd.direct; pick < 0 {
					sponsor = nd
					break
				}
			}
		}
		j := network.Join{DisplayName: fmt.Sprintf("Shop %d", i)}
		if sponsor != nil {
			j.InviteCode = sponsor.code
			sponsor.direct++
		}
		d, err := s.db.JoinNetwork(ctx, actor, j)
		if err != nil {
			return fmt.Errorf("distributor %d: %w", i, err)
		}
		nodes = append(nodes, &node{id: d.ID, code: d.ReferralCode})
		var grade *network.Grade
		switch r := s.rng.IntN(100); {
		case r < 3:
			grade = s.grades[2]
		case r < 12:
			grade = s.grades[1]
		default:
			grade = s.grades[0]
		}
		if _, err := s.db.SetGrade(ctx, s.op, d.ID, grade.ID); err != nil {
			return fmt.Errorf("grade of distributor %d: %w", i, err)
		}
	}
	return nil
}

// summarize counts what the database holds and lists the demo logins.
func summarize(ctx context.Context, db *store.DB, reused bool) (*Result, error) {
	r := &Result{Reused: reused}
	c, err := db.CredentialsFor(ctx, operatorLogin, "")
	if err != nil {
		return nil, err
	}
	op, err := db.ActorFor(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	var after int64
	for {
		page, err := db.Distributors(ctx, op, store.DistributorFilter{After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, d := range page {
			r.Distributors++
			r.Generations = max(r.Generations, int(d.Depth)+1)
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	sups, err := db.Suppliers(ctx, op, store.SupplierFilter{Status: catalog.Approved, Limit: 100})
	if err != nil {
		return nil, err
	}
	r.Suppliers = len(sups)
	for _, sp := range sups {
		ps, err := db.Products(ctx, op, store.ProductFilter{SupplierID: sp.ID, Limit: 200})
		if err != nil {
			return nil, err
		}
		r.Products += len(ps)
	}
	for i := 1; ; i++ {
		if _, err := db.CredentialsFor(ctx, fmt.Sprintf("customer%02d@demo.example.com", i), ""); errs.Is(err, errs.NotFound) {
			break
		} else if err != nil {
			return nil, err
		}
		r.Customers++
	}
	r.Logins = []Login{
		{"operator", operatorLogin, "runs the program: rules, approvals, audit log"},
		{"supplier", demoSuppliers[0].login, demoSuppliers[0].name},
		{"supplier", demoSuppliers[1].login, demoSuppliers[1].name},
		{"supplier", demoSuppliers[2].login, demoSuppliers[2].name},
		{"distributor", "dist001@demo.example.com", "a founder, top of a five-generation chain"},
		{"distributor", "dist005@demo.example.com", "fifth generation"},
		{"customer", "customer01@demo.example.com", "a shopper"},
	}
	return r, nil
}
