package store_test

import (
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// Random joins, reviews and moves against a model of the tree: after every
// step the counters and ancestor columns agree with sponsor_id
// (CheckNetwork), the sponsors agree with the model, and a refused move is
// refused for a reason the model confirms.
func TestNetworkProperty(t *testing.T) {
	db := testutil.OpenSQLite(t)
	f := newNetFixture(t, db)
	sponsorOf := map[int64]int64{}
	status := map[int64]network.Status{}
	codes := map[int64]string{}
	var ids []int64
	review := false
	inTeam := func(x, y int64) bool { // y is x or below x
		for ; y != 0; y = sponsorOf[y] {
			if y == x {
				return true
			}
		}
		return false
	}
	rapid.Check(t, func(rt *rapid.T) {
		for range rapid.IntRange(1, 15).Draw(rt, "steps") {
			switch op := rapid.IntRange(0, 9).Draw(rt, "op"); {
			case op == 0:
				review = !review
				f.settings(func(s *program.Settings) { s.DistributorReview = review })
			case op <= 4 || len(ids) < 2:
				code, sponsor := "", int64(0)
				if len(ids) > 0 && rapid.Bool().Draw(rt, "under someone") {
					sponsor = rapid.SampledFrom(ids).Draw(rt, "sponsor")
					code = codes[sponsor]
				}
				f.clock.Advance(1e9)
				a := f.account()
				d, err := db.JoinNetwork(f.ctx, a, network.Join{InviteCode: code})
				if sponsor != 0 && status[sponsor] != network.Active {
					if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "invite_code" {
						rt.Fatalf("join under %s sponsor: %v", status[sponsor], err)
					}
					continue
				}
				if err != nil {
					rt.Fatalf("join: %v", err)
				}
				ids = append(ids, d.ID)
				sponsorOf[d.ID], status[d.ID], codes[d.ID] = sponsor, d.Status, d.ReferralCode
			case op <= 5:
				id := rapid.SampledFrom(ids).Draw(rt, "reviewed")
				approve := rapid.Bool().Draw(rt, "approve")
				d, err := db.ReviewDistributor(f.ctx, f.op, id, approve, "checked")
				if status[id] != network.Pending {
					if !errs.Is(err, errs.Conflict) {
						rt.Fatalf("review of %s: %v", status[id], err)
					}
					continue
				}
				if err != nil {
					rt.Fatalf("review: %v", err)
				}
				status[id] = d.Status
			default:
				x := rapid.SampledFrom(ids).Draw(rt, "moved")
				to := int64(0)
				if rapid.IntRange(0, 4).Draw(rt, "to root") > 0 {
					to = rapid.SampledFrom(ids).Draw(rt, "new sponsor")
				}
				_, err := db.MoveDistributor(f.ctx, f.op, x, to)
				refuse := to != 0 && to != sponsorOf[x] && (to == x || inTeam(x, to) || to > x || status[to] != network.Active)
				if refuse {
					if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "sponsor_id" {
						rt.Fatalf("move %d under %d: got %v, want invalid sponsor_id", x, to, err)
					}
					continue
				}
				if err != nil {
					rt.Fatalf("move %d under %d: %v", x, to, err)
				}
				sponsorOf[x] = to
			}
			problems, err := db.CheckNetwork(f.ctx)
			if err != nil || len(problems) > 0 {
				rt.Fatalf("after a step: %v %v", problems, err)
			}
		}
		seen := 0
		for after := int64(0); ; {
			page, err := db.Distributors(f.ctx, f.op, store.DistributorFilter{After: after, Limit: 500})
			if err != nil {
				rt.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, d := range page {
				if d.SponsorID != sponsorOf[d.ID] || d.Status != status[d.ID] {
					rt.Fatalf("distributor %d: sponsor %d status %s, model %d %s", d.ID, d.SponsorID, d.Status, sponsorOf[d.ID], status[d.ID])
				}
			}
			seen += len(page)
			after = page[len(page)-1].ID
		}
		if seen != len(ids) {
			rt.Fatalf("%d distributors stored, model has %d", seen, len(ids))
		}
	})
}
