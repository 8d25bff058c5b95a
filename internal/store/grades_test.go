package store_test

import (
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestGrades(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newNetFixture(t, db)
		member := f.account(account.Customer)
		r := money.Rate(1200)
		silver, err := db.CreateGrade(f.ctx, f.op, network.Grade{Name: " Silver ", Rank: 1, Tier1Rate: &r, OwnSalesMin: 10000})
		if err != nil || silver.Name != "Silver" || *silver.Tier1Rate != 1200 || silver.OwnSalesMin != 10000 {
			t.Fatalf("create: %+v %v", silver, err)
		}
		gold, err := db.CreateGrade(f.ctx, f.op, network.Grade{Name: "Gold", Rank: 2})
		if err != nil || gold.Tier1Rate != nil {
			t.Fatalf("create gold: %+v %v", gold, err)
		}
		over := money.Rate(2600) // + tier 2 (500) = 3100 > 3000
		heads := int64(3)
		for _, tc := range []struct {
			name  string
			actor account.Actor
			g     network.Grade
			code  errs.Code
			field string
		}{
			{"anonymous", account.Actor{}, network.Grade{Name: "x"}, errs.Unauthorized, ""},
			{"not operator", member, network.Grade{Name: "x"}, errs.Forbidden, ""},
			{"no name", f.op, network.Grade{Rank: 5}, errs.Invalid, "name"},
			{"same name", f.op, network.Grade{Name: "Gold", Rank: 5}, errs.Conflict, "name"},
			{"same rank", f.op, network.Grade{Name: "x", Rank: 2}, errs.Conflict, "rank"},
			{"over the cap", f.op, network.Grade{Name: "x", Rank: 5, Tier1Rate: &over}, errs.Invalid, "tier1_rate_bp"},
			{"head count off", f.op, network.Grade{Name: "x", Rank: 5, DirectMembersMin: heads}, errs.Invalid, "direct_members_min"},
		} {
			_, err := db.CreateGrade(f.ctx, tc.actor, tc.g)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		if _, err := db.Grades(f.ctx, account.Actor{}); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("anonymous list: %v", err)
		}
		list, err := db.Grades(f.ctx, member)
		if err != nil || len(list) != 2 || list[0].ID != silver.ID {
			t.Fatalf("list: %+v %v", list, err)
		}

		// Updates: rename, back to the program rate; refusals change nothing.
		name := "Platinum"
		got, err := db.UpdateGrade(f.ctx, f.op, silver.ID, network.GradeUpdate{Name: &name, ClearTier1Rate: true})
		if err != nil || got.Name != "Platinum" || got.Tier1Rate != nil || got.OwnSalesMin != 10000 {
			t.Fatalf("update: %+v %v", got, err)
		}
		rank := int64(2)
		_, err = db.UpdateGrade(f.ctx, f.op, silver.ID, network.GradeUpdate{Rank: &rank})
		wantErr(t, err, errs.Conflict, "rank")
		_, err = db.UpdateGrade(f.ctx, f.op, silver.ID, network.GradeUpdate{DirectMembersMin: &heads})
		wantErr(t, err, errs.Invalid, "direct_members_min")
		_, err = db.UpdateGrade(f.ctx, member, silver.ID, network.GradeUpdate{Name: &name})
		wantErr(t, err, errs.Forbidden, "")
		_, err = db.UpdateGrade(f.ctx, f.op, 9999, network.GradeUpdate{Name: &name})
		wantErr(t, err, errs.NotFound, "")
		f.settings(func(s *program.Settings) { s.HeadCountConditions = true })
		if got, err = db.UpdateGrade(f.ctx, f.op, silver.ID, network.GradeUpdate{DirectMembersMin: &heads}); err != nil || got.DirectMembersMin != 3 || got.Rank != 1 {
			t.Fatalf("head count on: %+v %v", got, err)
		}

		// Grades on distributors.
		d, dActor := f.join("")
		_, err = db.SetGrade(f.ctx, dActor, d.ID, gold.ID)
		wantErr(t, err, errs.Forbidden, "")
		_, err = db.SetGrade(f.ctx, f.op, d.ID, 9999)
		wantErr(t, err, errs.Invalid, "grade_id")
		_, err = db.SetGrade(f.ctx, f.op, 9999, gold.ID)
		wantErr(t, err, errs.NotFound, "")
		if got, err := db.SetGrade(f.ctx, f.op, d.ID, gold.ID); err != nil || got.GradeID != gold.ID {
			t.Fatalf("set grade: %+v %v", got, err)
		}
		if got, err := db.SetGrade(f.ctx, f.op, d.ID, 0); err != nil || got.GradeID != 0 {
			t.Fatalf("clear grade: %+v %v", got, err)
		}
		for action, want := range map[string]int{"grade.create": 2, "grade.update": 2, "distributor.grade": 2} {
			log, err := db.AuditLog(f.ctx, store.AuditFilter{Action: action})
			if err != nil || len(log) != want {
				t.Fatalf("audit %s: %d lines, %v", action, len(log), err)
			}
		}
	})
}
