package store

import (
	"context"
	"strings"
	"time"
)

// FunnelEventForTest is a funnel event for the benchmarks to append in bulk.
type FunnelEventForTest struct {
	Step                           string
	Distributor, Product, Supplier int64
	Visitor                        string
	At                             time.Time
}

// FunnelEventsForTest appends funnel events as the steps would, in
// statements of 500 rows.
func (db *DB) FunnelEventsForTest(ctx context.Context, events []FunnelEventForTest) error {
	return db.Write(ctx, func(tx *Tx) error {
		for len(events) > 0 {
			n := min(len(events), 500)
			values := make([]string, n)
			args := make([]any, 0, 6*n)
			for i, e := range events[:n] {
				values[i] = `(?, ?, ?, ?, ?, ?)`
				args = append(args, e.Step, e.Distributor, e.Product, e.Supplier, e.Visitor, ts(e.At))
			}
			if _, err := tx.Exec(ctx, `INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, visitor, at) VALUES `+
				strings.Join(values, ", "), args...); err != nil {
				return err
			}
			events = events[n:]
		}
		return nil
	})
}
