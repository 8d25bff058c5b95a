package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/fraud"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// SweepFraud is the fraud sweep's name (docs/fraud.md).
const SweepFraud = "fraud"

// How the fraud sweep reads: again from FraudMargin before its watermark
// (a transaction stamps its time when it begins and may commit later), no
// further back than FraudHorizon, and the signals over aggregates
// (clusters, refund rates, team growth) at most once per FraudAggregateEvery.
const (
	FraudMargin         = 10 * time.Minute
	FraudHorizon        = 30 * 24 * time.Hour
	FraudAggregateEvery = time.Hour
	fraudChunk          = 100
)

// Sources of the fraud sweep's watermarks.
const (
	fraudSourceOrders    = "orders"    // orders.paid_at, for self-purchase
	fraudSourceVisits    = "visits"    // the last day click spam was read up to
	fraudSourceAggregate = "aggregate" // when the aggregates last ran
)

// finding is a signal the rules found: recorded once per (kind, distributor, key).
type finding struct {
	kind        fraud.Kind
	distributor int64
	key         string
	evidence    fraud.Evidence
}

// SweepFraud reads what happened since its watermarks (orders paid, visits)
// and, at most hourly, the aggregates (payout accounts, devices and
// addresses shared, refunds after settlement, team growth), and records
// each finding as a signal once: UNIQUE (kind, distributor_id,
// evidence_key) with ON CONFLICT DO NOTHING, so the overlap of the margin,
// a rerun or two servers at once never record one twice. A new signal of
// a kind whose hold is on holds the distributor's settlement in the same
// transaction (books.HoldSettlement). It returns how many orders it read
// and signals it found beyond them; nothing in the request path writes here.
func (db *DB) SweepFraud(ctx context.Context, limit int) (int, error) {
	const op = "store.SweepFraud"
	if limit <= 0 {
		limit = 500
	}
	total := 0
	for first := true; total < limit; first = false {
		var n int
		want := min(fraudChunk, limit-total)
		err := db.Write(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.selfPurchaseChunk(ctx, want, first)
			return err
		})
		if err != nil {
			return total, errs.Wrap(op, err)
		}
		total += n
		if n < want {
			break
		}
	}
	if total >= limit {
		return total, nil // more orders first; the runner calls again
	}
	n, err := db.detect(ctx, fraudSourceVisits, func(tx *Tx, s *program.Settings) ([]finding, int64, error) { return tx.clickSpam(ctx, s) })
	total += n
	if err != nil {
		return total, errs.Wrap(op, err)
	}
	if _, err := db.fillFingerprints(ctx); err != nil { // before the payout clusters read them
		return total, errs.Wrap(op, err)
	}
	n, err = db.detect(ctx, fraudSourceAggregate, func(tx *Tx, s *program.Settings) ([]finding, int64, error) { return tx.aggregatesIfDue(ctx, s) })
	total += n
	return min(total, limit-1), errs.Wrap(op, err) // never a full batch from the aggregates: they ran once
}

// fraudMark reads a watermark (0 when none).
func (tx *Tx) fraudMark(ctx context.Context, source string) (int64, error) {
	var mark int64
	err := tx.Each(ctx, `SELECT at FROM fraud_watermarks WHERE source = ?`, []any{source}, func(scan func(...any) error) error {
		return sqldb.MapErr(scan(&mark))
	})
	return mark, err
}

func (tx *Tx) setFraudMark(ctx context.Context, source string, at int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO fraud_watermarks (source, at) VALUES (?, ?)
		ON CONFLICT (source) DO UPDATE SET at = CASE WHEN excluded.at > fraud_watermarks.at THEN excluded.at ELSE fraud_watermarks.at END`,
		source, at)
	return err
}

// record records the findings not recorded before and holds the
// settlement of the distributors whose new signals hold, all at once (one
// code-ordered wallet lock). It returns how many were new.
func (tx *Tx) record(ctx context.Context, s *program.Settings, found []finding) (int, error) {
	var hold []int64
	n := 0
	for _, f := range found {
		body, err := json.Marshal(f.evidence)
		if err != nil {
			return 0, err
		}
		holds := fraud.Holds(s.Fraud, f.kind)
		var id int64
		if err := tx.Each(ctx, `INSERT INTO fraud_signals (kind, distributor_id, evidence_key, evidence, holds, status, detected_at)
			VALUES (?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (kind, distributor_id, evidence_key) DO NOTHING RETURNING id`,
			[]any{string(f.kind), f.distributor, f.key, string(body), holds, ts(tx.Now())},
			func(scan func(...any) error) error { return sqldb.MapErr(scan(&id)) }); err != nil {
			return 0, err
		}
		if id == 0 {
			continue // found before
		}
		n++
		if holds {
			hold = append(hold, f.distributor)
		}
	}
	if len(hold) > 0 {
		slices.Sort(hold)
		if err := books.HoldSettlement(ctx, tx.Tx, s.CurrencyCode, slices.Compact(hold)); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// detect reads findings in a read transaction (the scans of the click
// spam and the aggregates hold no writer, which SQLite has only one of),
// then records them and moves source's watermark to mark in a write
// (recording is idempotent, so two servers detecting at once record each
// finding once). A mark of 0 moves nothing.
func (db *DB) detect(ctx context.Context, source string, find func(tx *Tx, s *program.Settings) ([]finding, int64, error)) (int, error) {
	var s *program.Settings
	var found []finding
	var mark int64
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if s, err = tx.settings(ctx); err != nil {
			return err
		}
		found, mark, err = find(tx, s)
		return err
	})
	if err != nil || (mark == 0 && len(found) == 0) {
		return 0, err
	}
	n := 0
	err = db.Write(ctx, func(tx *Tx) error {
		var err error
		if n, err = tx.record(ctx, s, found); err != nil || mark == 0 {
			return err
		}
		return tx.setFraudMark(ctx, source, mark)
	})
	return n, err
}

// aggregatesIfDue finds the aggregate signals when FraudAggregateEvery
// has passed since they last ran, and returns now as the mark (0: not due).
func (tx *Tx) aggregatesIfDue(ctx context.Context, s *program.Settings) ([]finding, int64, error) {
	last, err := tx.fraudMark(ctx, fraudSourceAggregate)
	if err != nil {
		return nil, 0, err
	}
	if last != 0 && tx.Now().Sub(fromTS(last)) < FraudAggregateEvery {
		return nil, 0, nil
	}
	var found []finding
	for _, detect := range []func(context.Context, *program.Settings) ([]finding, error){
		tx.payoutClusters, tx.deviceClusters, tx.addressClusters, tx.refundRates, tx.emptyTeams,
	} {
		f, err := detect(ctx, s)
		if err != nil {
			return nil, 0, err
		}
		found = append(found, f...)
	}
	return found, ts(tx.Now()), nil
}

// month is the program month holding t ("2026-12"): the evidence key of
// the signals over a window, found at most once a month per distributor.
func month(s *program.Settings, t time.Time) string { return t.In(s.Location()).Format("2006-01") }
