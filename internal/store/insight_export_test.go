package store

import (
	"context"
	"strconv"
)

// InsightRowsForTest runs a query over the raw tables for the insight
// oracle: every column read as an integer, except text columns given by
// index in text (read as strings, returned in the second slice).
func (db *DB) InsightRowsForTest(ctx context.Context, q string, args ...any) ([][]int64, [][]string, error) {
	var nums [][]int64
	var texts [][]string
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			n := make([]int64, len(cols))
			s := make([]string, len(cols))
			for i, v := range vals {
				switch v := v.(type) {
				case int64:
					n[i] = v
				case int32:
					n[i] = int64(v)
				case float64:
					n[i] = int64(v)
				case []byte:
					s[i] = string(v)
					n[i], _ = strconv.ParseInt(s[i], 10, 64)
				case string:
					s[i] = v
					n[i], _ = strconv.ParseInt(v, 10, 64)
				case bool:
					if v {
						n[i] = 1
					}
				}
			}
			nums = append(nums, n)
			texts = append(texts, s)
		}
		return rows.Err()
	})
	return nums, texts, err
}
