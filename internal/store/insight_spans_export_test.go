package store

import (
	"context"
	"fmt"
	"time"

	"sharemall/internal/insight"
)

// InsightPlanForTest is how InsightBreakdown would read the days from..to
// (calendar days) now: one "grain:from-to" or "span:name" per piece.
func (db *DB) InsightPlanForTest(ctx context.Context, from, to time.Time) ([]string, error) {
	var out []string
	err := db.Read(ctx, func(tx *Tx) error {
		state, err := tx.breakdownState(ctx)
		if err != nil {
			return err
		}
		for _, p := range planBreakdown(insight.Key(from), insight.Key(to), state) {
			if p.span != "" {
				out = append(out, "span:"+p.span)
			} else {
				out = append(out, fmt.Sprintf("%s:%d-%d", p.grain, p.from, p.to))
			}
		}
		return nil
	})
	return out, err
}
