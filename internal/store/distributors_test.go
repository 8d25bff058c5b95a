package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// netFixture drives the store as several callers.
type netFixture struct {
	t     *testing.T
	db    *store.DB
	ctx   context.Context
	clock *testutil.Clock
	op    account.Actor
	n     int
}

func newNetFixture(t *testing.T, db *store.DB) *netFixture {
	f := &netFixture{t: t, db: db, ctx: context.Background(), clock: testutil.NewClock()}
	db.Now = f.clock.Now
	f.op = f.account(account.Operator)
	return f
}

// account creates an account and returns it as an actor.
func (f *netFixture) account(roles ...account.Role) account.Actor {
	f.t.Helper()
	f.n++
	return newActor(f.t, f.db, fmt.Sprintf("a%d@example.com", f.n), "", roles...)
}

func (f *netFixture) actor(accountID int64) account.Actor { return actorFor(f.t, f.db, accountID) }

// join makes a new account join under code; it returns the distributor and its actor.
func (f *netFixture) join(code string) (*network.Distributor, account.Actor) {
	f.t.Helper()
	f.clock.Advance(1e9) // later joiners join later
	a := f.account()
	d, err := f.db.JoinNetwork(f.ctx, a, network.Join{InviteCode: code, DisplayName: fmt.Sprintf("d%d", f.n)})
	if err != nil {
		f.t.Fatalf("join under %q: %v", code, err)
	}
	f.check()
	return d, f.actor(a.AccountID)
}

// check fails the test when any counter or ancestor column is wrong.
func (f *netFixture) check() {
	f.t.Helper()
	problems, err := f.db.CheckNetwork(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(problems) > 0 {
		f.t.Fatalf("network inconsistent:\n%s", strings.Join(problems, "\n"))
	}
}

func (f *netFixture) get(id int64) *network.Distributor {
	f.t.Helper()
	d, err := f.db.Distributor(f.ctx, f.op, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *netFixture) settings(change func(s *program.Settings)) {
	f.t.Helper()
	s, err := f.db.Settings(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	change(s)
	if _, err := f.db.UpdateSettings(f.ctx, f.op, s, s.Version); err != nil {
		f.t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code || errs.FieldOf(err) != field {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
}

func wantTeam(t *testing.T, d *network.Distributor, team int64, byDepth [3]int64) {
	t.Helper()
	if d.TeamSize != team || d.DepthCounts != byDepth {
		t.Fatalf("distributor %d: team %d %v, want %d %v", d.ID, d.TeamSize, d.DepthCounts, team, byDepth)
	}
}

func TestJoinNetwork(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newNetFixture(t, db)
		root, rootActor := f.join("")
		if root.Status != network.Active || root.SponsorID != 0 || root.Depth != 0 || network.ValidateCode(root.ReferralCode) != nil {
			t.Fatalf("root: %+v", root)
		}
		if !rootActor.Has(account.Distributor) || rootActor.DistributorID != root.ID {
			t.Fatalf("root actor: %+v", rootActor)
		}
		// Codes are typed by people: case and spaces do not matter.
		a, _ := f.join(" " + strings.ToLower(root.ReferralCode) + " ")
		b, _ := f.join(a.ReferralCode)
		c, _ := f.join(b.ReferralCode)
		e, _ := f.join(c.ReferralCode)
		if e.SponsorID != c.ID || e.Ancestor2ID != b.ID || e.Ancestor3ID != a.ID || e.Depth != 4 {
			t.Fatalf("e: %+v", e)
		}
		wantTeam(t, f.get(root.ID), 4, [3]int64{1, 1, 1})
		wantTeam(t, f.get(a.ID), 3, [3]int64{1, 1, 1})
		wantTeam(t, f.get(c.ID), 1, [3]int64{1, 0, 0})

		// Refusals change nothing.
		nobody := f.account()
		for _, tc := range []struct {
			name  string
			actor account.Actor
			code  string
			err   errs.Code
			field string
		}{
			{"anonymous", account.Actor{}, "", errs.Unauthorized, ""},
			{"bad shape", nobody, "ABC", errs.Invalid, "invite_code"},
			{"look-alike", nobody, "ABCDEFG0", errs.Invalid, "invite_code"},
			{"unknown", nobody, "ZZZZZZZZ", errs.Invalid, "invite_code"},
			{"twice", rootActor, "", errs.Conflict, ""},
		} {
			_, err := db.JoinNetwork(f.ctx, tc.actor, network.Join{InviteCode: tc.code})
			if errs.CodeOf(err) != tc.err || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.err, tc.field)
			}
		}
		if _, err := db.DistributorByAccount(f.ctx, nobody, nobody.AccountID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("refused join left a distributor: %v", err)
		}
		f.check()
		wantTeam(t, f.get(root.ID), 4, [3]int64{1, 1, 1})
		// Each distributor's pending account was opened, empty, by its
		// join (its first sale's payment does not create it); the refused
		// joins opened none.
		_, got, err := db.InsightRowsForTest(f.ctx, `SELECT code, currency, CAST(balance AS TEXT) FROM ledger_accounts
			WHERE kind = 'distributor_pending' ORDER BY owner_id`)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]string
		for _, d := range []*network.Distributor{root, a, b, c, e} {
			want = append(want, []string{ledger.Code(ledger.DistributorPending, d.ID), "CNY", "0"})
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("pending accounts %v; want %v", got, want)
		}
	})
}

func TestReviewDistributor(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newNetFixture(t, db)
		root, rootActor := f.join("")
		f.settings(func(s *program.Settings) { s.DistributorReview = true })
		p, pActor := f.join(root.ReferralCode)
		if p.Status != network.Pending || !pActor.Has(account.Distributor) {
			t.Fatalf("pending: %+v", p)
		}
		wantTeam(t, f.get(root.ID), 0, [3]int64{})
		// Nobody joins under a pending distributor.
		_, err := db.JoinNetwork(f.ctx, f.account(), network.Join{InviteCode: p.ReferralCode})
		wantErr(t, err, errs.Invalid, "invite_code")

		_, err = db.ReviewDistributor(f.ctx, rootActor, p.ID, true, "")
		wantErr(t, err, errs.Forbidden, "")
		_, err = db.ReviewDistributor(f.ctx, f.op, p.ID, false, "  ")
		wantErr(t, err, errs.Invalid, "reason")
		_, err = db.ReviewDistributor(f.ctx, f.op, 9999, true, "")
		wantErr(t, err, errs.NotFound, "")
		if f.get(p.ID).Status != network.Pending {
			t.Fatal("refused review changed the status")
		}

		got, err := db.ReviewDistributor(f.ctx, f.op, p.ID, true, "")
		if err != nil || got.Status != network.Active || got.ReviewedAt == nil {
			t.Fatalf("approve: %+v %v", got, err)
		}
		f.check()
		wantTeam(t, f.get(root.ID), 1, [3]int64{1, 0, 0})
		_, err = db.ReviewDistributor(f.ctx, f.op, p.ID, false, "late")
		wantErr(t, err, errs.Conflict, "status")

		q, _ := f.join(root.ReferralCode)
		got, err = db.ReviewDistributor(f.ctx, f.op, q.ID, false, "fake identity")
		if err != nil || got.Status != network.Rejected {
			t.Fatalf("reject: %+v %v", got, err)
		}
		f.check()
		if f.actor(q.AccountID).Has(account.Distributor) {
			t.Fatal("rejected distributor kept the role")
		}
		wantTeam(t, f.get(root.ID), 1, [3]int64{1, 0, 0})
		log, err := db.AuditLog(f.ctx, store.AuditFilter{Action: "distributor.review"})
		if err != nil || len(log) != 2 {
			t.Fatalf("audit: %d lines, %v", len(log), err)
		}
	})
}

func TestMoveDistributor(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newNetFixture(t, db)
		// r1 ─ a ─ b ─ c ─ d ─ e      r2 ─ x
		//          └ b2
		r1, _ := f.join("")
		r2, r2Actor := f.join("")
		a, _ := f.join(r1.ReferralCode)
		b, _ := f.join(a.ReferralCode)
		b2, _ := f.join(a.ReferralCode)
		c, _ := f.join(b.ReferralCode)
		d, _ := f.join(c.ReferralCode)
		e, _ := f.join(d.ReferralCode)
		x, _ := f.join(r2.ReferralCode)

		for _, tc := range []struct {
			name   string
			actor  account.Actor
			id, to int64
			code   errs.Code
			field  string
		}{
			{"not operator", r2Actor, b.ID, r2.ID, errs.Forbidden, ""},
			{"self", f.op, b.ID, b.ID, errs.Invalid, "sponsor_id"},
			{"into own team", f.op, b.ID, d.ID, errs.Invalid, "sponsor_id"},
			{"into own team, deep", f.op, a.ID, e.ID, errs.Invalid, "sponsor_id"},
			{"sponsor joined later", f.op, b.ID, x.ID, errs.Invalid, "sponsor_id"},
			{"missing sponsor", f.op, b.ID, 9999, errs.Invalid, "sponsor_id"},
			{"negative sponsor", f.op, b.ID, -1, errs.Invalid, "sponsor_id"},
			{"missing distributor", f.op, 9999, r2.ID, errs.NotFound, ""},
		} {
			_, err := db.MoveDistributor(f.ctx, tc.actor, tc.id, tc.to)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		f.check()
		if f.get(b.ID).SponsorID != a.ID {
			t.Fatal("refused move changed the sponsor")
		}

		// Move b (with c, d, e) under r2.
		moved, err := db.MoveDistributor(f.ctx, f.op, b.ID, r2.ID)
		if err != nil || moved.SponsorID != r2.ID || moved.Depth != 1 || moved.Ancestor2ID != 0 {
			t.Fatalf("move: %+v %v", moved, err)
		}
		f.check()
		wantTeam(t, f.get(r1.ID), 2, [3]int64{1, 1, 0})
		wantTeam(t, f.get(a.ID), 1, [3]int64{1, 0, 0})
		wantTeam(t, f.get(r2.ID), 5, [3]int64{2, 1, 1})
		if got := f.get(e.ID); got.Depth != 4 || got.Ancestor3ID != b.ID {
			t.Fatalf("e after move: %+v", got)
		}
		if got := f.get(d.ID); got.Ancestor3ID != r2.ID || got.Depth != 3 {
			t.Fatalf("d after move: %+v", got)
		}

		// To the root and back under b2's sponsor line; moving to the same sponsor changes nothing.
		if _, err := db.MoveDistributor(f.ctx, f.op, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		f.check()
		if got := f.get(c.ID); got.SponsorID != 0 || got.Depth != 0 {
			t.Fatalf("c as root: %+v", got)
		}
		if _, err := db.MoveDistributor(f.ctx, f.op, c.ID, b2.ID); err != nil {
			t.Fatal(err)
		}
		f.check()
		wantTeam(t, f.get(r1.ID), 5, [3]int64{1, 1, 1})
		wantTeam(t, f.get(a.ID), 4, [3]int64{1, 1, 1})
		if _, err := db.MoveDistributor(f.ctx, f.op, c.ID, b2.ID); err != nil {
			t.Fatal(err)
		}
		f.check()
		log, err := db.AuditLog(f.ctx, store.AuditFilter{Action: "distributor.move"})
		if err != nil || len(log) != 3 {
			t.Fatalf("audit: %d lines, %v", len(log), err)
		}
	})
}

func TestDistributorVisibility(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newNetFixture(t, db)
		root, rootActor := f.join("")
		a, aActor := f.join(root.ReferralCode)
		b, _ := f.join(a.ReferralCode)
		other, otherActor := f.join("")
		customer := f.account(account.Customer)

		// Self and operators see everything; the upline sees the public card.
		if d, err := db.Distributor(f.ctx, aActor, a.ID); err != nil || d.Card || d.ReferralCode == "" {
			t.Fatalf("self: %+v %v", d, err)
		}
		if d, err := db.Distributor(f.ctx, rootActor, b.ID); err != nil || !d.Card || d.ReferralCode != "" || d.AccountID != 0 {
			t.Fatalf("upline card: %+v %v", d, err)
		}
		for _, tc := range []struct {
			name  string
			actor account.Actor
			id    int64
			code  errs.Code
		}{
			{"anonymous", account.Actor{}, a.ID, errs.Unauthorized},
			{"stranger", otherActor, a.ID, errs.NotFound},
			{"customer", customer, a.ID, errs.NotFound},
			{"downline reads upline", aActor, root.ID, errs.NotFound},
		} {
			_, err := db.Distributor(f.ctx, tc.actor, tc.id)
			wantErr(t, err, tc.code, "")
		}
		// Team and members: only self and operators.
		if _, err := db.Team(f.ctx, otherActor, root.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("stranger team: %v", err)
		}
		if _, err := db.Team(f.ctx, rootActor, a.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("upline reads member's team: %v", err)
		}
		if _, err := db.Members(f.ctx, rootActor, a.ID, 1, 0, 10); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("upline reads member's members: %v", err)
		}
		if _, err := db.Members(f.ctx, otherActor, root.ID, 1, 0, 10); !errs.Is(err, errs.NotFound) {
			t.Fatalf("stranger reads members: %v", err)
		}
		for _, depth := range []int{0, 4} {
			_, err := db.Members(f.ctx, rootActor, root.ID, depth, 0, 10)
			wantErr(t, err, errs.Invalid, "depth")
		}
		m, err := db.Members(f.ctx, rootActor, root.ID, 2, 0, 10)
		if err != nil || len(m) != 1 || m[0].ID != b.ID || !m[0].Card {
			t.Fatalf("members at depth 2: %+v %v", m, err)
		}
		tm, err := db.Team(f.ctx, rootActor, root.ID)
		if err != nil || tm.TeamSize != 2 || tm.ByDepth != [3]int64{1, 1, 0} {
			t.Fatalf("team: %+v %v", tm, err)
		}
		if _, err := db.DistributorByAccount(f.ctx, otherActor, aActor.AccountID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("by account, stranger: %v", err)
		}
		if d, err := db.DistributorByAccount(f.ctx, aActor, aActor.AccountID); err != nil || d.ID != a.ID {
			t.Fatalf("by account, self: %v", err)
		}
		if _, err := db.Distributors(f.ctx, rootActor, store.DistributorFilter{}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("list as distributor: %v", err)
		}
		list, err := db.Distributors(f.ctx, f.op, store.DistributorFilter{Status: network.Active, After: root.ID, Limit: 2})
		if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
			t.Fatalf("list: %+v %v", list, err)
		}
		_ = other
	})
}

// A chain 10,000 deep: counters stay exact and every read is immediate.
// Under the race detector (SQLite fifteen times slower, the network check
// quadratic in the depth) the chain is 2,500 deep: still past any limit of
// a recursive query, and what it checks there is the interleavings, which
// depth does not change.
func TestDeepChain(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newNetFixture(t, db)
		n := 10000
		if raceDetector {
			n = 2500
		}
		sponsors := make([]int, n)
		for i := range sponsors {
			sponsors[i] = i - 1
		}
		ids, err := db.SeedTree(f.ctx, sponsors)
		if err != nil {
			t.Fatal(err)
		}
		f.check()
		bottom := f.get(ids[n-1])
		f.settings(func(s *program.Settings) { s.Tiers = 3; s.TierRates = []money.Rate{1000, 500, 300} })
		d, dActor := f.join(bottom.ReferralCode)
		if d.Depth != int64(n) {
			t.Fatalf("depth %d", d.Depth)
		}
		root := f.get(ids[0])
		wantTeam(t, root, int64(n), [3]int64{1, 1, 1})
		up, err := db.Upline(f.ctx, dActor, d.ID)
		if err != nil || len(up) != 3 || up[0].ID != d.ID || up[1].ID != ids[n-1] || up[2].ID != ids[n-2] {
			t.Fatalf("upline: %+v %v", up, err)
		}
		tm, err := db.Team(f.ctx, f.op, ids[0])
		if err != nil || tm.TeamSize != int64(n) || tm.Deeper != int64(n-3) {
			t.Fatalf("team: %+v %v", tm, err)
		}
		// Moving the lower half of the chain to be a root keeps every counter exact.
		if _, err := db.MoveDistributor(f.ctx, f.op, ids[n/2], 0); err != nil {
			t.Fatal(err)
		}
		f.check()
		wantTeam(t, f.get(ids[0]), int64(n/2-1), [3]int64{1, 1, 1})
	})
}

// Joins and moves at the same time keep every counter exact: tree changes
// take the network lock, so none reads counters another is changing.
func TestNetworkConcurrent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newNetFixture(t, db)
		root, _ := f.join("")
		other, _ := f.join("")
		a, _ := f.join(root.ReferralCode)
		b, _ := f.join(a.ReferralCode)
		actors := make([]account.Actor, 20)
		for i := range actors {
			actors[i] = f.account()
		}
		errc := make(chan error, len(actors)+4)
		for i, ac := range actors {
			code := []string{root.ReferralCode, a.ReferralCode, b.ReferralCode}[i%3]
			go func() {
				_, err := db.JoinNetwork(f.ctx, ac, network.Join{InviteCode: code})
				errc <- err
			}()
		}
		for _, to := range []int64{other.ID, root.ID, other.ID, root.ID} {
			go func() {
				_, err := db.MoveDistributor(f.ctx, f.op, a.ID, to)
				errc <- err
			}()
		}
		for range len(actors) + 4 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		f.check()
		if got := f.get(root.ID).TeamSize + f.get(other.ID).TeamSize; got != 22 {
			t.Fatalf("teams hold %d, want 22", got)
		}
	})
}
