package store

import (
	"context"
	"fmt"

	"sharemall/internal/network"
)

// SeedTree inserts a tree of active distributors, with their accounts, in
// one transaction, counters and ancestor columns computed here: sponsors[i]
// is the index of node i's sponsor (-1 for a root, otherwise below i). It
// returns the ids in node order. For tests and benchmarks of large trees.
func (db *DB) SeedTree(ctx context.Context, sponsors []int) ([]int64, error) {
	n := len(sponsors)
	team := make([]int64, n)
	by := make([][3]int64, n)
	for i := range n {
		for k, s := 0, sponsors[i]; s >= 0; k, s = k+1, sponsors[s] {
			team[s]++
			if k < 3 {
				by[s][k]++
			}
		}
	}
	ids := make([]int64, n)
	nodes := make([]network.Distributor, n)
	err := db.Write(ctx, func(tx *Tx) error {
		for i := range n {
			acc, err := tx.Insert(ctx, `INSERT INTO accounts (email, name, password_hash, created_at) VALUES (?, '', '', ?)`,
				fmt.Sprintf("seed%d-%d@example.com", tx.Now().UnixNano(), i), ts(tx.Now()))
			if err != nil {
				return err
			}
			var p network.Placement
			if s := sponsors[i]; s >= 0 {
				p = network.PlaceUnder(&nodes[s])
			}
			ids[i], err = tx.Insert(ctx, `INSERT INTO distributors (account_id, referral_code, status, sponsor_id, ancestor2_id, ancestor3_id,
				depth, team_size, depth1_count, depth2_count, depth3_count, joined_at) VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				acc, seedCode(i), nullInt(p.SponsorID), nullInt(p.Ancestor2ID), nullInt(p.Ancestor3ID), p.Depth,
				team[i], by[i][0], by[i][1], by[i][2], ts(tx.Now()))
			if err != nil {
				return err
			}
			nodes[i] = network.Distributor{ID: ids[i], SponsorID: p.SponsorID, Ancestor2ID: p.Ancestor2ID, Depth: p.Depth}
		}
		return nil
	})
	return ids, err
}

// seedCode is a valid referral code made from i, so seeds never collide.
func seedCode(i int) string {
	b := []byte("22222222")
	for k := len(b) - 1; i > 0; k-- {
		b[k] = network.CodeAlphabet[i%len(network.CodeAlphabet)]
		i /= len(network.CodeAlphabet)
	}
	return string(b)
}
