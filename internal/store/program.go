package store

import (
	"context"
	"encoding/json"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// settings returns the program's current settings; the defaults (version 0)
// until an operator saves a change.
func (tx *Tx) settings(ctx context.Context) (*program.Settings, error) {
	var r settingsRow
	if err := tx.Queries(ctx, r.query()); err != nil {
		return nil, err
	}
	return r.settings()
}

// settingsRow is the current settings' row as read (found false: none yet).
type settingsRow struct {
	version int64
	raw     string
	found   bool
}

func (r *settingsRow) query() sqldb.Query {
	return sqldb.Query{SQL: `SELECT version, settings FROM program_settings ORDER BY version DESC LIMIT 1`,
		Row: func(scan func(...any) error) error {
			r.found = true
			return scan(&r.version, &r.raw)
		}}
}

func (r *settingsRow) settings() (*program.Settings, error) {
	s := program.Default()
	if !r.found {
		return s, nil
	}
	if err := json.Unmarshal([]byte(r.raw), s); err != nil {
		return nil, fmt.Errorf("settings version %d: %w", r.version, err)
	}
	s.Version = r.version
	return s, nil
}

// Settings returns the program's current settings.
func (db *DB) Settings(ctx context.Context) (*program.Settings, error) {
	var s *program.Settings
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		s, err = tx.settings(ctx)
		return err
	})
	return s, errs.Wrap("store.Settings", err)
}

// UpdateSettings replaces the program's settings with s, as a new version.
// ifVersion must be the version the operator edited (optimistic locking: two
// operators editing at once cannot silently overwrite each other). The
// change, with old and new values and the compliance warnings, is audited.
func (db *DB) UpdateSettings(ctx context.Context, actor account.Actor, s *program.Settings, ifVersion int64) (*program.Settings, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.UpdateSettings", err)
	}
	if err := s.Validate(); err != nil {
		return nil, errs.Wrap("store.UpdateSettings", err)
	}
	out := *s
	err := db.Write(ctx, func(tx *Tx) error {
		old, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if ifVersion != old.Version {
			return errs.E(errs.Conflict, "version", "settings changed since version %d (now %d); reload and apply your change again", ifVersion, old.Version)
		}
		if old.CurrencyCode != s.CurrencyCode {
			if used, err := tx.Exists(ctx, `SELECT 1 FROM skus`); err != nil {
				return err
			} else if used {
				return errs.Invalidf("currency", "cannot change once products are priced in %s", old.CurrencyCode)
			}
		}
		if err := tx.checkGradesFit(ctx, s); err != nil {
			return err
		}
		// The operator's rules win over suppliers' overrides: an override that
		// no longer fits does not block the change (pricing cuts commission to
		// the cap and ignores tiers the program no longer pays), but the
		// operator is told, and the audit line records it.
		lim, err := tx.limitsOf(ctx, s)
		if err != nil {
			return err
		}
		if err := tx.checkOverridesFit(ctx, lim); errs.Is(err, errs.Conflict) {
			out.Notices = append(out.Notices, "overrides no longer fit the new limits and will be cut to them when orders are priced, starting with: "+errs.MessageOf(err))
		} else if err != nil {
			return err
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		out.Version = old.Version + 1
		if _, err := tx.Exec(ctx, `INSERT INTO program_settings (version, settings, changed_by, changed_at) VALUES (?, ?, ?, ?)`,
			out.Version, string(raw), nullInt(actor.AccountID), ts(tx.Now())); err != nil {
			return sqldb.Relabel(err, errs.Conflict, "version", "settings were changed at the same moment; reload and try again")
		}
		type audited struct {
			Version  int64             `json:"version"`
			Settings *program.Settings `json:"settings"`
			Warnings []string          `json:"warnings,omitempty"`
		}
		return tx.audit(ctx, actor.AccountID, "program.settings.update", "program",
			audited{old.Version, old, nil}, audited{out.Version, s, append(s.Warnings(), out.Notices...)})
	})
	if err != nil {
		return nil, errs.Wrap("store.UpdateSettings", err)
	}
	return &out, nil
}

// checkGradesFit refuses settings under which an existing grade would break
// the rules: its own tier-1 rate over the cap, or a head-count condition
// while those are off.
func (tx *Tx) checkGradesFit(ctx context.Context, s *program.Settings) error {
	rows, err := tx.Query(ctx, `SELECT name, tier1_rate_bp, direct_members_min FROM grades`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var rate nullableInt
		var heads int64
		if err := rows.Scan(&name, &rate, &heads); err != nil {
			return sqldb.MapErr(err)
		}
		if heads > 0 && !s.HeadCountConditions {
			return errs.Invalidf("head_count_conditions", "grade %q has a head-count condition; remove it before turning these off", name)
		}
		r := money.Rate(rate)
		if rate != 0 && s.RateSum(&r) > s.CommissionCap {
			return errs.Invalidf("commission_cap_bp", "grade %q pays %v at tier 1, which with the other rates goes above the cap", name, r)
		}
	}
	return sqldb.MapErr(rows.Err())
}

// settingsAt returns the settings of a given version (an order's rules).
// Version 0 is the defaults.
func (tx *Tx) settingsAt(ctx context.Context, version int64) (*program.Settings, error) {
	s := program.Default()
	if version == 0 {
		return s, nil
	}
	var raw string
	if err := tx.Get(ctx, "settings version", `SELECT settings FROM program_settings WHERE version = ?`, []any{version}, &raw); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(raw), s); err != nil {
		return nil, fmt.Errorf("settings version %d: %w", version, err)
	}
	s.Version = version
	return s, nil
}
