package seed

import (
	"context"

	"sharemall/internal/sqldb"
)

// seedNetworkEvents appends, for the distributors first..last the seed
// wrote straight into their table, the events that joining would have
// appended (store.JoinNetwork): a 'join' network event at the depth it
// joined, active at once (migration 00026: members per depth, time to
// first sale's cohorts), and the 'joined' insight event (00023: new
// distributors and the network's size). The insight scenario's sweep folds
// them as it folds the sales history. One statement each, in the tree's
// transaction.
func seedNetworkEvents(ctx context.Context, tx *sqldb.Tx, first, last int64) error {
	if _, err := tx.Exec(ctx, `INSERT INTO network_events (kind, distributor_id, depth, members, at)
		SELECT 'join', id, depth, 1, joined_at FROM distributors WHERE id >= ? AND id <= ?`, first, last); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO insight_events (kind, ref_id, amount, at)
		SELECT 'joined', id, 0, joined_at FROM distributors WHERE id >= ? AND id <= ?`, first, last)
	return err
}
