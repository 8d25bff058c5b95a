package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/auditexport"
	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// Audit export (docs/audit-export.md): the rule changes, bindings,
// commission per order line and payouts of a period, with the compliance
// guard's settings and warnings at each settings version, streamed into
// sink file by file in one read transaction (one consistent state), row by
// row from the database's cursor.

// overrideActions are the audit actions that change commission rules
// besides the program's settings: overrides per product and SKU, grades'
// rates, regional agents.
var overrideActions = []any{"catalog.commission", "grade.create", "grade.update", "region.agent.grant", "region.agent.revoke"}

// AuditPeriodLocation is the program's time zone, in which an export's days are counted.
func (db *DB) AuditPeriodLocation(ctx context.Context) (*time.Location, error) {
	st, err := db.Settings(ctx)
	if err != nil {
		return nil, errs.Wrap("store.AuditPeriodLocation", err)
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return nil, errs.Wrap("store.AuditPeriodLocation", err)
	}
	return loc, nil
}

// ExportAudit writes the export of period p into sink. It is the operator
// console's download and `sharemall audit export`; the caller checks who asks.
func (db *DB) ExportAudit(ctx context.Context, p auditexport.Period, sink auditexport.Sink) error {
	start, end := ts(p.Start()), ts(p.End())
	err := db.Read(ctx, func(tx *Tx) error {
		for _, part := range []func(context.Context, auditexport.Sink, int64, int64) error{
			tx.exportSettings, tx.exportGuard, tx.exportOverrides, tx.exportBindings, tx.exportCommissions, tx.exportRefunds,
			tx.exportPayouts,
		} {
			if err := part(ctx, sink, start, end); err != nil {
				return err
			}
		}
		return nil
	})
	return errs.Wrap("store.ExportAudit", err)
}

// settingsVersion is one version of the rules and the span it was in force.
type settingsVersion struct {
	version, changedBy int64
	changedAt, until   int64 // until 0: still in force
	raw                string
}

// eachSettingsVersion calls fn for every settings version in force at some
// moment of [start, end), in order: the one in force at start, then those
// made during the period. One row is held at a time.
func (tx *Tx) eachSettingsVersion(ctx context.Context, start, end int64, fn func(settingsVersion) error) error {
	var prev *settingsVersion
	err := tx.Each(ctx, `SELECT version, COALESCE(changed_by, 0), changed_at, settings FROM program_settings ORDER BY version`, nil,
		func(scan func(...any) error) error {
			var v settingsVersion
			if err := scan(&v.version, &v.changedBy, &v.changedAt, &v.raw); err != nil {
				return sqldb.MapErr(err)
			}
			if prev != nil && prev.changedAt >= end {
				return nil // after the period: read on to the end (a few rows) rather than stop a cursor half way
			}
			if prev != nil {
				prev.until = v.changedAt
				if prev.until > start {
					if err := fn(*prev); err != nil {
						return err
					}
				}
			}
			prev = &v
			return nil
		})
	if err != nil || prev == nil || prev.changedAt >= end {
		return err
	}
	return fn(*prev)
}

func (tx *Tx) exportSettings(ctx context.Context, sink auditexport.Sink, start, end int64) error {
	if err := sink.File(auditexport.SettingsFile, []string{"version", "changed_at", "changed_by", "in_force_until", "settings"}); err != nil {
		return err
	}
	return tx.eachSettingsVersion(ctx, start, end, func(v settingsVersion) error {
		return sink.Row(itoaID(v.version), csvTime(v.changedAt), csvID(v.changedBy), csvTime(v.until), v.raw)
	})
}

// exportGuard writes the compliance guard's view of each version: what it
// checks (tiers against the hard limit, the commission cap, head-count
// conditions, no entry fee) and the warnings program.Settings.Warnings
// gave for it, joined by " | ".
func (tx *Tx) exportGuard(ctx context.Context, sink auditexport.Sink, start, end int64) error {
	if err := sink.File(auditexport.GuardFile, []string{"version", "changed_at", "tiers", "max_tiers", "tier_rates_bp", "area_rate_bp",
		"rate_sum_bp", "commission_cap_bp", "head_count_conditions", "entry_fee", "warnings"}); err != nil {
		return err
	}
	return tx.eachSettingsVersion(ctx, start, end, func(v settingsVersion) error {
		var st program.Settings
		if err := json.Unmarshal([]byte(v.raw), &st); err != nil {
			return errs.Wrap("store.exportGuard", err)
		}
		rates := make([]string, len(st.TierRates))
		for i, r := range st.TierRates {
			rates[i] = strconv.FormatInt(int64(r), 10)
		}
		return sink.Row(itoaID(v.version), csvTime(v.changedAt), strconv.Itoa(st.Tiers), strconv.Itoa(program.MaxTiers),
			strings.Join(rates, " "), strconv.FormatInt(int64(st.AreaRate), 10), strconv.FormatInt(int64(st.RateSum(nil)), 10),
			strconv.FormatInt(int64(st.CommissionCap), 10), strconv.FormatBool(st.HeadCountConditions),
			"0", // joining is never charged: no fee exists to set (DESIGN.md, compliance guard)
			strings.Join(st.Warnings(), " | "))
	})
}

func (tx *Tx) exportOverrides(ctx context.Context, sink auditexport.Sink, start, end int64) error {
	if err := sink.File(auditexport.OverridesFile, []string{"audit_id", "at", "actor_account_id", "action", "subject", "old_value", "new_value"}); err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT id, at, COALESCE(actor_account_id, 0), action, subject, COALESCE(old_value, ''), COALESCE(new_value, '')
		FROM audit_log WHERE at >= ? AND at < ? AND action IN (`+sqldb.Placeholders(len(overrideActions))+`) ORDER BY at, id`,
		append([]any{start, end}, overrideActions...), func(scan func(...any) error) error {
			var id, at, actor int64
			var action, subject, old, new string
			if err := scan(&id, &at, &actor, &action, &subject, &old, &new); err != nil {
				return sqldb.MapErr(err)
			}
			return sink.Row(itoaID(id), csvTime(at), csvID(actor), action, subject, old, new)
		})
}

func (tx *Tx) exportBindings(ctx context.Context, sink auditexport.Sink, start, end int64) error {
	if err := sink.File(auditexport.BindingsFile, []string{"event_id", "at", "customer_account_id", "distributor_id",
		"previous_distributor_id", "visit_id", "outcome", "reason"}); err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT id, at, customer_account_id, distributor_id, COALESCE(previous_distributor_id, 0), COALESCE(visit_id, 0), outcome, reason
		FROM binding_events WHERE at >= ? AND at < ? ORDER BY at, id`, []any{start, end}, func(scan func(...any) error) error {
		var id, at, customer, distributor, previous, visit int64
		var outcome, reason string
		if err := scan(&id, &at, &customer, &distributor, &previous, &visit, &outcome, &reason); err != nil {
			return sqldb.MapErr(err)
		}
		return sink.Row(itoaID(id), csvTime(at), itoaID(customer), itoaID(distributor), csvID(previous), csvID(visit), outcome, reason)
	})
}

// exportCommissions writes one row per share of every order line booked in
// the period: what was booked on payment and what stands now (after refunds).
func (tx *Tx) exportCommissions(ctx context.Context, sink auditexport.Sink, start, end int64) error {
	if err := sink.File(auditexport.CommissionsFile, []string{"line_id", "order_id", "settings_version", "currency", "booked_at", "status",
		"settled_at", "held", "booked_base", "booked_markup", "base", "markup", "party", "kind", "tier", "beneficiary_id",
		"booked_amount", "amount"}); err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT c.line_id, c.order_id, o.settings_version, c.currency, c.booked_at, c.status, COALESCE(c.settled_at, 0), c.held,
			c.booked_base, c.booked_markup, c.base, c.markup, s.party, s.kind, s.tier, s.beneficiary_id, s.booked_amount, s.amount
		FROM commission_lines c JOIN orders o ON o.id = c.order_id JOIN commission_shares s ON s.line_id = c.line_id
		WHERE c.booked_at >= ? AND c.booked_at < ? ORDER BY c.booked_at, c.line_id, s.id`, []any{start, end},
		func(scan func(...any) error) error {
			var line, order, version, booked, settled, bBase, bMarkup, base, markup, tier, beneficiary, bAmount, amount int64
			var currency, status, party, kind string
			var held bool
			if err := scan(&line, &order, &version, &currency, &booked, &status, &settled, &held, &bBase, &bMarkup, &base, &markup,
				&party, &kind, &tier, &beneficiary, &bAmount, &amount); err != nil {
				return sqldb.MapErr(err)
			}
			return sink.Row(itoaID(line), itoaID(order), itoaID(version), currency, csvTime(booked), status, csvTime(settled),
				strconv.FormatBool(held), i64(bBase), i64(bMarkup), i64(base), i64(markup), party, kind, i64(tier), csvID(beneficiary),
				i64(bAmount), i64(amount))
		})
}

// exportRefunds writes each recomputation of an order line's shares after
// a refund made in the period: the line's base, markup and quantity after
// it and what was refunded (docs/money.md: refunds recompute, never scale).
func (tx *Tx) exportRefunds(ctx context.Context, sink auditexport.Sink, start, end int64) error {
	if err := sink.File(auditexport.RefundsFile, []string{"refund_id", "at", "line_id", "order_id", "currency", "refund_key",
		"base_after", "markup_after", "quantity_after", "refunded"}); err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT r.id, r.at, r.line_id, c.order_id, c.currency, r.refund_key, r.base_after, r.markup_after, r.quantity_after, r.refunded
		FROM commission_refunds r JOIN commission_lines c ON c.line_id = r.line_id
		WHERE r.at >= ? AND r.at < ? ORDER BY r.at, r.id`, []any{start, end}, func(scan func(...any) error) error {
		var id, at, line, order, base, markup, quantity, refunded int64
		var currency, key string
		if err := scan(&id, &at, &line, &order, &currency, &key, &base, &markup, &quantity, &refunded); err != nil {
			return sqldb.MapErr(err)
		}
		return sink.Row(itoaID(id), csvTime(at), itoaID(line), itoaID(order), currency, key, i64(base), i64(markup), i64(quantity), i64(refunded))
	})
}

// exportPayouts writes the withdrawals requested and the supplier payouts
// made in the period, with where each stands now. A withdrawal's bank
// transfer is net − withheld (the tax kept back, docs/payouts.md).
func (tx *Tx) exportPayouts(ctx context.Context, sink auditexport.Sink, start, end int64) error {
	if err := sink.File(auditexport.PayoutsFile, []string{"kind", "id", "payee_id", "currency", "amount", "fee", "net", "withheld", "status",
		"requested_at", "decided_at", "decided_by", "paid_at", "payout_ref", "batch_id", "reason"}); err != nil {
		return err
	}
	row := func(kind string) func(scan func(...any) error) error {
		return func(scan func(...any) error) error {
			var id, payee, amount, fee, net, withheld, requested, decided, decidedBy, paid, batch int64
			var currency, status, ref, reason string
			if err := scan(&id, &payee, &currency, &amount, &fee, &net, &withheld, &status, &requested, &decided, &decidedBy, &paid, &ref,
				&batch, &reason); err != nil {
				return sqldb.MapErr(err)
			}
			return sink.Row(kind, itoaID(id), itoaID(payee), currency, i64(amount), i64(fee), i64(net), i64(withheld), status, csvTime(requested),
				csvTime(decided), csvID(decidedBy), csvTime(paid), ref, csvID(batch), reason)
		}
	}
	err := tx.Each(ctx, `SELECT id, distributor_id, currency, amount, fee, net, withheld, status, requested_at, COALESCE(decided_at, 0),
			COALESCE(decided_by, 0), COALESCE(paid_at, 0), COALESCE(payout_ref, ''), COALESCE(batch_id, 0), reason
		FROM withdrawals WHERE requested_at >= ? AND requested_at < ? ORDER BY requested_at, id`, []any{start, end}, row("withdrawal"))
	if err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT id, supplier_id, currency, amount, 0, amount, 0, status, created_at, COALESCE(decided_at, 0),
			COALESCE(decided_by, 0), COALESCE(paid_at, 0), COALESCE(payout_ref, ''), COALESCE(batch_id, 0), reason
		FROM supplier_payouts WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`, []any{start, end}, row("supplier_payout"))
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

// csvID is an id, "" for none (0).
func csvID(v int64) string {
	if v == 0 {
		return ""
	}
	return i64(v)
}

// csvTime is a stored time in RFC 3339 UTC, "" for none (0).
func csvTime(v int64) string {
	if v == 0 {
		return ""
	}
	return fromTS(v).Format(time.RFC3339Nano)
}
