package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"strings"

	"sharemall/internal/insight"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Packed breakdowns (migration 00029, docs/insight.md "Breakdowns"). A
// custom range is summed per key over its days, and a day of a large
// program holds a row for each of thousands of distributors or products:
// as rows, a 60-day range is some 150,000 B-tree steps and a GROUP BY. A
// pack is the rows of one (supplier, dimension, day) or of one month that
// is over, in one value: a read fetches a range's packs (about one per
// day) and sums them in memory.
//
// The rows stay the truth. The fold marks the packs of the days and months
// whose rows it changes stale, in the same transaction (markPacks); the
// insight sweep rebuilds stale packs from the rows under the fold lock
// (PackInsight), so a pack never misses a fold; a read sums the rows of
// any piece whose pack is stale, so a read is exact whether or not the
// sweep has caught up.

const (
	packDay   = "day"
	packMonth = "month"
)

// packKey names a pack.
type packKey struct {
	supplier int64
	dim      insight.Dim
	grain    string
	period   int // yyyymmdd: the day, or the month's first day
}

// markPacks marks stale the packs of the chunk's days and of their months,
// creating those that do not exist yet (empty, stale).
func (f *insightFold) markPacks(ctx context.Context, tx *Tx) error {
	set := map[packKey]bool{}
	for k := range f.breakdown {
		set[packKey{k.supplier, k.dim, packDay, k.day}] = true
		set[packKey{k.supplier, k.dim, packMonth, k.day/100*100 + 1}] = true
	}
	keys := make([]packKey, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b packKey) int {
		return cmp.Or(cmp.Compare(a.supplier, b.supplier), cmp.Compare(a.dim, b.dim), cmp.Compare(a.grain, b.grain), cmp.Compare(a.period, b.period))
	})
	return eachBatch(len(keys), func(lo, hi int) error {
		args := make([]any, 0, 5*(hi-lo))
		for _, k := range keys[lo:hi] {
			args = append(args, k.supplier, string(k.dim), k.grain, k.period, []byte{})
		}
		// A pack already stale is left alone: no new row version per chunk.
		_, err := tx.Exec(ctx, `INSERT INTO insight_breakdown_packs (supplier_id, dim, grain, period, body, stale)
			VALUES `+strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, TRUE), `, hi-lo), `, `)+`
			ON CONFLICT (supplier_id, dim, grain, period) DO UPDATE SET stale = TRUE WHERE NOT insight_breakdown_packs.stale`, args...)
		return err
	})
}

// packRows is how many rows one rebuild transaction reads at most (it may
// read one pack more): a month's pack of a large program is read alone.
const packRows = 20000

// PackInsight rebuilds stale packs from their rows, oldest first, in
// transactions under the fold lock of at most about packRows rows each,
// until none is left that should be packed: every stale day, and every
// stale month before the current one (in the program's time zone). It
// returns how many it rebuilt. The insight sweep runs it after folding.
func (db *DB) PackInsight(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more := 0, false
		err := db.writeAlone(ctx, func(tx *Tx) error {
			if err := tx.lockFigures(ctx); err != nil {
				return err
			}
			s, err := tx.settings(ctx)
			if err != nil {
				return err
			}
			thisMonth := insight.DayKey(tx.Now(), s.Location())/100*100 + 1
			var keys []packKey
			err = tx.Each(ctx, `SELECT supplier_id, dim, grain, period FROM insight_breakdown_packs
				WHERE stale AND (grain = 'day' OR period < ?) ORDER BY grain, period LIMIT 1000`, []any{thisMonth},
				func(scan func(...any) error) error {
					var k packKey
					var dim string
					if err := scan(&k.supplier, &dim, &k.grain, &k.period); err != nil {
						return sqldb.MapErr(err)
					}
					k.dim = insight.Dim(dim)
					keys = append(keys, k)
					return nil
				})
			if err != nil {
				return err
			}
			rows := 0
			for i, k := range keys {
				if rows >= packRows {
					more = true
					break
				}
				var body []byte
				var count int
				if body, count, err = tx.buildPack(ctx, k); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `UPDATE insight_breakdown_packs SET body = ?, stale = FALSE
					WHERE supplier_id = ? AND dim = ? AND grain = ? AND period = ?`,
					body, k.supplier, string(k.dim), k.grain, k.period); err != nil {
					return err
				}
				rows += count + 1
				n = i + 1
			}
			more = more || len(keys) == 1000
			return nil
		})
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// buildPack encodes a pack's rows: their count, then each row's key
// (length and bytes), amount and commission, in key order, as varints.
func (tx *Tx) buildPack(ctx context.Context, k packKey) ([]byte, int, error) {
	q := `SELECT key_code, amount, commission FROM insight_breakdown WHERE supplier_id = ? AND dim = ? AND day = ? ORDER BY key_code`
	args := []any{k.supplier, string(k.dim), k.period}
	if k.grain == packMonth {
		q = `SELECT key_code, amount, commission FROM insight_breakdown_periods
			WHERE supplier_id = ? AND dim = ? AND grain = 'month' AND period = ? ORDER BY key_code`
	}
	var body []byte
	count := 0
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		var key string
		var amount, commission int64
		if err := scan(&key, &amount, &commission); err != nil {
			return sqldb.MapErr(err)
		}
		body = binary.AppendUvarint(body, uint64(len(key)))
		body = append(body, key...)
		body = binary.AppendVarint(body, amount)
		body = binary.AppendVarint(body, commission)
		count++
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return append(binary.AppendUvarint(nil, uint64(count)), body...), count, nil
}

var errBadPack = errors.New("store: a breakdown pack does not decode")

// packSums adds packs' and rows' figures per key.
type packSums struct {
	at   map[string]int // key → index in sums
	keys []string
	sums [][2]int64
}

func (s *packSums) add(key []byte, amount, commission int64) {
	i, ok := s.at[string(key)] // no allocation for a key already seen
	if !ok {
		k := string(key)
		i = len(s.keys)
		s.at[k] = i
		s.keys = append(s.keys, k)
		s.sums = append(s.sums, [2]int64{})
	}
	s.sums[i][0] += amount
	s.sums[i][1] += commission
}

// addPack decodes body (buildPack) into the sums.
func (s *packSums) addPack(body []byte) error {
	n, w := binary.Uvarint(body)
	if w <= 0 {
		return errBadPack
	}
	body = body[w:]
	if len(s.at) == 0 {
		s.at = make(map[string]int, n)
	}
	for range n {
		l, w := binary.Uvarint(body)
		if w <= 0 || uint64(len(body)-w) < l {
			return errBadPack
		}
		key := body[w : w+int(l)]
		body = body[w+int(l):]
		amount, w := binary.Varint(body)
		if w <= 0 {
			return errBadPack
		}
		body = body[w:]
		commission, w := binary.Varint(body)
		if w <= 0 {
			return errBadPack
		}
		body = body[w:]
		s.add(key, amount, commission)
	}
	if len(body) != 0 {
		return errBadPack
	}
	return nil
}

// packPlan covers the days from..to (yyyymmdd, both included) with months
// that are over (before thisMonth, the first day of the current month) and
// lie wholly in the range, and the range's other days: at most one run of
// months between two runs of days.
func packPlan(from, to, thisMonth int) (headFrom, headTo, monthFrom, monthTo, tailFrom, tailTo int) {
	first := from/100*100 + 1
	if first != from {
		first = insight.Key(utcDay(first).AddDate(0, 1, 0)) // the first month starting in the range
	}
	last := first // the first month not wholly in the range, or the current month
	for last < thisMonth && addDays(insight.Key(utcDay(last).AddDate(0, 1, 0)), -1) <= to {
		last = insight.Key(utcDay(last).AddDate(0, 1, 0))
	}
	if last == first { // no month: all days
		return from, to, 0, -1, 0, -1
	}
	return from, addDays(first, -1), first, addDays(last, -1)/100*100 + 1, last, to
}

// breakdownFromPacks reads the limit largest keys (tiers: in order) of
// supplier's dimension over the days from..to from the packs (packPlan),
// summing the rows of any stale one.
func (tx *Tx) breakdownFromPacks(ctx context.Context, sup int64, by insight.Dim, from, to, thisMonth, limit int,
	fn func(scan func(...any) error) error) error {
	hf, ht, mf, mt, tf, tt := packPlan(from, to, thisMonth)
	var sums packSums
	var staleDays, staleMonths []any
	var ranges []string
	args := []any{sup, string(by)}
	for _, r := range [][3]any{{packDay, hf, ht}, {packMonth, mf, mt}, {packDay, tf, tt}} {
		if r[1].(int) <= r[2].(int) {
			ranges = append(ranges, `(grain = ? AND period >= ? AND period <= ?)`)
			args = append(args, r[0], r[1], r[2])
		}
	}
	if len(ranges) == 0 {
		return nil
	}
	err := tx.Each(ctx, `SELECT grain, period, stale, body FROM insight_breakdown_packs
		WHERE supplier_id = ? AND dim = ? AND (`+strings.Join(ranges, ` OR `)+`)`, args,
		func(scan func(...any) error) error {
			var grain string
			var period int
			var stale bool
			var body []byte
			if err := scan(&grain, &period, &stale, &body); err != nil {
				return sqldb.MapErr(err)
			}
			switch {
			case !stale:
				return sums.addPack(body)
			case grain == packMonth:
				staleMonths = append(staleMonths, period)
			default:
				staleDays = append(staleDays, period)
			}
			return nil
		})
	if err != nil {
		return err
	}
	addRows := func(q string, periods []any) error {
		if len(periods) == 0 {
			return nil
		}
		if sums.at == nil {
			sums.at = map[string]int{}
		}
		return tx.Each(ctx, q+` IN (`+sqldb.Placeholders(len(periods))+`)`, append([]any{sup, string(by)}, periods...),
			func(scan func(...any) error) error {
				var key string
				var amount, commission int64
				if err := scan(&key, &amount, &commission); err != nil {
					return sqldb.MapErr(err)
				}
				sums.add([]byte(key), amount, commission)
				return nil
			})
	}
	if err := addRows(`SELECT key_code, amount, commission FROM insight_breakdown WHERE supplier_id = ? AND dim = ? AND day`, staleDays); err != nil {
		return err
	}
	if err := addRows(`SELECT key_code, amount, commission FROM insight_breakdown_periods
		WHERE supplier_id = ? AND dim = ? AND grain = 'month' AND period`, staleMonths); err != nil {
		return err
	}
	return sums.top(by, limit, fn)
}

// top calls fn with the limit largest sums, largest first and then by key
// (tiers: in key order), as the rows' ORDER BY SUM(amount) DESC, key_code.
func (s *packSums) top(by insight.Dim, limit int, fn func(scan func(...any) error) error) error {
	idx := make([]int, len(s.keys))
	for i := range idx {
		idx[i] = i
	}
	less := func(a, b int) int {
		if by == insight.ByTier {
			return strings.Compare(s.keys[a], s.keys[b])
		}
		return cmp.Or(cmp.Compare(s.sums[b][0], s.sums[a][0]), strings.Compare(s.keys[a], s.keys[b]))
	}
	if len(idx) > limit {
		// Keep the limit best in a bounded selection: one pass, a sort of
		// limit rows, whatever the number of keys.
		best := make([]int, 0, limit+1)
		for _, i := range idx {
			if len(best) == limit && less(i, best[limit-1]) >= 0 {
				continue
			}
			at, _ := slices.BinarySearchFunc(best, i, less)
			best = slices.Insert(best, at, i)
			if len(best) > limit {
				best = best[:limit]
			}
		}
		idx = best
	} else {
		slices.SortFunc(idx, less)
	}
	for _, i := range idx {
		err := fn(func(dest ...any) error {
			if len(dest) != 3 {
				return errBadPack
			}
			*dest[0].(*string) = s.keys[i]
			for j, v := range s.sums[i] {
				switch d := dest[j+1].(type) {
				case *int64:
					*d = v
				case *money.Amount:
					*d = money.Amount(v)
				default:
					return errBadPack
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
