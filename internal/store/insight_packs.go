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

// packRow is one row of a pack.
type packRow struct {
	key                string
	amount, commission int64
}

// buildPack reads a pack's rows and encodes them (encodePack).
func (tx *Tx) buildPack(ctx context.Context, k packKey) ([]byte, int, error) {
	q := `SELECT key_code, amount, commission FROM insight_breakdown WHERE supplier_id = ? AND dim = ? AND day = ?`
	args := []any{k.supplier, string(k.dim), k.period}
	if k.grain == packMonth {
		q = `SELECT key_code, amount, commission FROM insight_breakdown_periods
			WHERE supplier_id = ? AND dim = ? AND grain = 'month' AND period = ?`
	}
	rows, err := tx.packRows(ctx, q, args)
	if err != nil {
		return nil, 0, err
	}
	return encodePack(rows), len(rows), nil
}

// packRows reads rows of key, amount and commission.
func (tx *Tx) packRows(ctx context.Context, q string, args []any) ([]packRow, error) {
	var rows []packRow
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		var r packRow
		if err := scan(&r.key, &r.amount, &r.commission); err != nil {
			return sqldb.MapErr(err)
		}
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

// encodePack encodes rows of distinct keys as a pack: their count, then
// each row's key (length and bytes), amount and commission, as varints,
// in the keys' byte order (sorted here, not by the database, whose
// collation may order text otherwise), which lets a read merge packs.
func encodePack(rows []packRow) []byte {
	slices.SortFunc(rows, func(a, b packRow) int { return strings.Compare(a.key, b.key) })
	body := binary.AppendUvarint(make([]byte, 0, 16*len(rows)+8), uint64(len(rows)))
	for _, r := range rows {
		body = binary.AppendUvarint(body, uint64(len(r.key)))
		body = append(body, r.key...)
		body = binary.AppendVarint(body, r.amount)
		body = binary.AppendVarint(body, r.commission)
	}
	return body
}

var errBadPack = errors.New("store: a breakdown pack does not decode")

// packCursor reads a pack's rows in order.
type packCursor struct {
	body               []byte
	left               uint64
	key                []byte // the current row's, in body
	amount, commission int64
}

func newPackCursor(body []byte) (*packCursor, error) {
	n, w := binary.Uvarint(body)
	if w <= 0 {
		return nil, errBadPack
	}
	return &packCursor{body: body[w:], left: n}, nil
}

// next moves to the next row; false at the end.
func (c *packCursor) next() (bool, error) {
	if c.left == 0 {
		if len(c.body) != 0 {
			return false, errBadPack
		}
		return false, nil
	}
	c.left--
	l, w := binary.Uvarint(c.body)
	if w <= 0 || uint64(len(c.body)-w) < l {
		return false, errBadPack
	}
	c.key = c.body[w : w+int(l) : w+int(l)]
	b := c.body[w+int(l):]
	if c.amount, w = binary.Varint(b); w <= 0 {
		return false, errBadPack
	}
	b = b[w:]
	if c.commission, w = binary.Varint(b); w <= 0 {
		return false, errBadPack
	}
	c.body = b[w:]
	return true, nil
}

// packTop is the limit best keys seen, best first: largest amount, then
// smallest key (tiers: smallest key), as the rows' ORDER BY.
type packTop struct {
	byKey bool
	limit int
	rows  []packRow
}

func (t *packTop) better(key []byte, amount int64, r packRow) bool {
	if !t.byKey && amount != r.amount {
		return amount > r.amount
	}
	return string(key) < r.key
}

// offer keeps key's sums if they are among the best so far.
func (t *packTop) offer(key []byte, amount, commission int64) {
	n := len(t.rows)
	if n == t.limit && !t.better(key, amount, t.rows[n-1]) {
		return
	}
	at := n
	for at > 0 && t.better(key, amount, t.rows[at-1]) {
		at--
	}
	r := packRow{string(key), amount, commission}
	if n < t.limit {
		t.rows = append(t.rows, packRow{})
	}
	copy(t.rows[at+1:], t.rows[at:len(t.rows)-1])
	t.rows[at] = r
}

// mergePacks sums the packs per key, merging their rows in key order (each
// pack's keys are distinct and sorted), and keeps the best (packTop): a
// pass over the rows with a heap of cursors, no allocation per key.
func mergePacks(bodies [][]byte, top *packTop) error {
	h := make([]*packCursor, 0, len(bodies))
	for _, b := range bodies {
		c, err := newPackCursor(b)
		if err != nil {
			return err
		}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, c)
		}
	}
	less := func(i, j int) bool { return string(h[i].key) < string(h[j].key) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && less(r, l) {
				l = r
			}
			if !less(l, i) {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	var key []byte
	for len(h) > 0 {
		key = append(key[:0], h[0].key...)
		var amount, commission int64
		for len(h) > 0 && string(h[0].key) == string(key) {
			amount += h[0].amount
			commission += h[0].commission
			ok, err := h[0].next()
			if err != nil {
				return err
			}
			if !ok {
				h[0] = h[len(h)-1]
				h = h[:len(h)-1]
			}
			down(0)
		}
		top.offer(key, amount, commission)
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
	var bodies [][]byte
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
				bodies = append(bodies, body)
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
	// The stale pieces' rows, each piece packed here (one pack per piece:
	// a pack's keys are distinct).
	for _, stale := range []struct {
		q       string
		periods []any
	}{
		{`SELECT key_code, amount, commission FROM insight_breakdown WHERE supplier_id = ? AND dim = ? AND day = ?`, staleDays},
		{`SELECT key_code, amount, commission FROM insight_breakdown_periods
			WHERE supplier_id = ? AND dim = ? AND grain = 'month' AND period = ?`, staleMonths},
	} {
		for _, p := range stale.periods {
			rows, err := tx.packRows(ctx, stale.q, []any{sup, string(by), p})
			if err != nil {
				return err
			}
			bodies = append(bodies, encodePack(rows))
		}
	}
	top := &packTop{byKey: by == insight.ByTier, limit: limit}
	if err := mergePacks(bodies, top); err != nil {
		return err
	}
	for _, r := range top.rows {
		err := fn(func(dest ...any) error {
			if len(dest) != 3 {
				return errBadPack
			}
			*dest[0].(*string) = r.key
			for j, v := range [2]int64{r.amount, r.commission} {
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
