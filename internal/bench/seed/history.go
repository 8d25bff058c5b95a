package seed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
)

// Order history for `sharemall bench --orders N`: a few hundred orders
// placed, paid (and, for most, shipped, received and settled) through the
// real code are read back row by row with RecordHistory, and WriteHistory
// copies them, with fresh ids and keys and their times moved, into as many
// orders as asked. Every copy is exactly the rows its template wrote (the
// same seller chain, customer, products and amounts, so its commission
// shares are the ones commission.Split gave the template), and the ledger
// accounts' cached balances move by what the copies' entries move.

// historyTables are the tables one order writes through checkout, payment
// and settlement, in the order the copies are inserted (referenced rows
// first), with the condition that finds a template order's rows in each.
// %[1]s is the template orders' ids, %[2]s their lines' ids, %[3]s their
// journals' keys, %[4]d the first funnel event of the templates.
var historyTables = []struct{ name, where string }{
	{"orders", `id IN (%[1]s)`},
	{"payments", `order_id IN (%[1]s)`},
	{"fulfilment_orders", `order_id IN (%[1]s)`},
	{"order_lines", `order_id IN (%[1]s)`},
	{"commission_lines", `order_id IN (%[1]s)`},
	{"commission_shares", `order_id IN (%[1]s)`},
	{"journals", `idempotency_key IN (%[3]s)`},
	{"ledger_entries", `journal_id IN (SELECT id FROM journals WHERE idempotency_key IN (%[3]s))`},
	{"sales_events", `order_id IN (%[1]s)`},
	{"insight_events", `kind = 'settled' AND ref_id IN (%[2]s)`},
	{"funnel_events", `id >= %[4]d`},
	{"payment_events", `reference IN (SELECT reference FROM payments WHERE order_id IN (%[1]s))`},
	{"payment_callbacks", `provider_ref IN (SELECT provider_ref FROM payments WHERE order_id IN (%[1]s))`},
}

// historyShared are tables template orders change but the copies do not
// add rows to: a party's ledger account is opened by its first order and
// shared by every later one (WriteHistory moves its balance).
var historyShared = []string{"ledger_accounts"}

// HistoryTables are the tables a history order has rows in.
func HistoryTables() []string {
	var out []string
	for _, t := range historyTables {
		out = append(out, t.name)
	}
	return out
}

// historyTable is one table's columns and how a copy rewrites them.
type historyTable struct {
	name  string
	cols  []string
	id    int            // the id column, -1 for none
	refs  map[int]string // column → the table whose id it holds
	times []int          // times (microseconds), moved by the copy's offset
	strs  []int          // keys and texts naming ids or references
	// folded is sales_events.folded (the team figures' flag), else -1
	folded int
}

// templateOrder is one template order's rows, per table.
type templateOrder struct {
	id, at int64 // id and created_at
	rows   [][][]any
	// ledger moves: account → credits minus debits of its entries
	moves map[int64]int64
	// span is the latest time of its rows minus created_at: a copy must
	// be created that long before now at least.
	span int64
}

// HistoryTemplates are the rows real orders wrote, ready to be copied.
type HistoryTemplates struct {
	tables []*historyTable
	orders []templateOrder
	Rows   int // rows of all templates together
}

// Templates is how many template orders were recorded.
func (h *HistoryTemplates) Templates() int { return len(h.orders) }

// Span is how long after its creation the template's latest row was written.
func (h *HistoryTemplates) Span(i int) time.Duration {
	return time.Duration(h.orders[i].span) * time.Microsecond
}

// RecordHistory reads back every row the orders orderIDs wrote (placed
// alone, one after the other or concurrently, with nothing else writing:
// their funnel events are those from id fromFunnel on). grown is the row
// count difference their placing made per table: a table that grew and is
// neither copied nor shared is an error, so a table checkout starts writing
// is never silently left out of the history.
func RecordHistory(ctx context.Context, db *store.DB, orderIDs []int64, fromFunnel int64, grown map[string]int64) (*HistoryTemplates, error) {
	const op = "seed.RecordHistory"
	if len(orderIDs) == 0 {
		return nil, errs.Invalidf("orders", "no template orders")
	}
	for t, n := range grown {
		if n > 0 && !slices.Contains(HistoryTables(), t) && !slices.Contains(historyShared, t) {
			return nil, fmt.Errorf("%s: the template orders wrote %d rows into %s, which the history does not copy", op, n, t)
		}
	}
	h := &HistoryTemplates{}
	index := map[int64]int{}
	for i, id := range orderIDs {
		index[id] = i
	}
	h.orders = make([]templateOrder, len(orderIDs))
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		ids := joinIDs(orderIDs)
		lines, err := sqldb.Column[int64](ctx, tx, `SELECT id FROM order_lines WHERE order_id IN (`+ids+`) ORDER BY id`, nil)
		if err != nil {
			return err
		}
		var keys []string
		for _, l := range lines {
			keys = append(keys, fmt.Sprintf("'book:line:%d'", l), fmt.Sprintf("'settle:line:%d'", l))
		}
		// What maps a row without an order_id to its order.
		lineOrder, lineProduct := map[int64]int64{}, map[int64]int64{}
		refOrder := map[string]int64{}
		journalOrder := map[int64]int64{}
		type funnelKey struct {
			step         string
			seller, prod int64
			at           int64
		}
		funnelOrders := map[funnelKey][]int64{}
		var sellers = map[int64]int64{}
		var created, paid = map[int64]int64{}, map[int64]int64{}
		prods, settled := map[int64][]int64{}, map[int64][]int64{}
		for ti, spec := range historyTables {
			t, err := historyColumns(ctx, tx, spec.name)
			if err != nil {
				return err
			}
			h.tables = append(h.tables, t)
			where := fmt.Sprintf(spec.where, ids, joinIDs(lines), strings.Join(keys, ", "), fromFunnel)
			q := `SELECT * FROM ` + spec.name + ` WHERE ` + where + ` ORDER BY ` + t.cols[max(t.id, 0)]
			col := func(name string) int { return slices.Index(t.cols, name) }
			if spec.name == "funnel_events" {
				// An order's funnel events: one per step and distinct product,
				// the settled ones when its last line settled.
				for o, ps := range prods {
					for _, p := range ps {
						keys := []funnelKey{{"order", sellers[o], p, created[o]}, {"paid", sellers[o], p, paid[o]}}
						for _, at := range settled[o] {
							keys = append(keys, funnelKey{"settled", sellers[o], p, at})
						}
						for _, k := range keys {
							if !slices.Contains(funnelOrders[k], o) {
								funnelOrders[k] = append(funnelOrders[k], o)
							}
						}
					}
				}
			}
			err = tx.Each(ctx, q, nil, func(scan func(...any) error) error {
				vals := make([]any, len(t.cols))
				ptrs := make([]any, len(vals))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := scan(ptrs...); err != nil {
					return err
				}
				for i, v := range vals {
					if b, ok := v.([]byte); ok {
						vals[i] = string(b)
					}
				}
				var order int64
				switch spec.name {
				case "orders":
					order = asInt(vals[t.id])
					created[order] = asInt(vals[col("created_at")])
					paid[order] = asInt(vals[col("paid_at")])
					sellers[order] = asInt(vals[col("seller_id")])
				case "order_lines":
					order = asInt(vals[col("order_id")])
					lineOrder[asInt(vals[t.id])] = order
					lineProduct[asInt(vals[t.id])] = asInt(vals[col("product_id")])
				case "payments":
					order = asInt(vals[col("order_id")])
					refOrder[vals[col("reference")].(string)] = order
					refOrder[vals[col("provider_ref")].(string)] = order
				case "journals":
					key := vals[col("idempotency_key")].(string)
					line, _ := strconv.ParseInt(key[strings.LastIndexByte(key, ':')+1:], 10, 64)
					order = lineOrder[line]
					journalOrder[asInt(vals[t.id])] = order
				case "ledger_entries":
					order = journalOrder[asInt(vals[col("journal_id")])]
				case "insight_events":
					order = lineOrder[asInt(vals[col("ref_id")])]
				case "payment_events":
					order = refOrder[vals[col("reference")].(string)]
				case "payment_callbacks":
					order = refOrder[vals[col("provider_ref")].(string)]
				case "funnel_events":
					k := funnelKey{vals[col("step")].(string), asInt(vals[col("distributor_id")]), asInt(vals[col("product_id")]), asInt(vals[col("at")])}
					if q := funnelOrders[k]; len(q) > 0 {
						order, funnelOrders[k] = q[0], q[1:]
					}
				default:
					order = asInt(vals[col("order_id")])
				}
				if spec.name == "commission_lines" {
					o := asInt(vals[col("order_id")])
					prods[o] = append(prods[o], lineProduct[asInt(vals[col("line_id")])])
					if s := vals[col("settled_at")]; s != nil && !slices.Contains(settled[o], asInt(s)) {
						settled[o] = append(settled[o], asInt(s))
					}
				}
				i, ok := index[order]
				if !ok {
					return fmt.Errorf("%s row %v belongs to no template order", spec.name, vals[:min(len(vals), 3)])
				}
				tpl := &h.orders[i]
				if tpl.rows == nil {
					tpl.rows = make([][][]any, len(historyTables))
					tpl.moves = map[int64]int64{}
				}
				tpl.rows[ti] = append(tpl.rows[ti], vals)
				h.Rows++
				if spec.name == "ledger_entries" {
					amount := asInt(vals[col("amount")])
					if vals[col("direction")].(string) == "D" {
						amount = -amount
					}
					tpl.moves[asInt(vals[col("account_id")])] += amount
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: %w", spec.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	for i, id := range orderIDs {
		o := &h.orders[i]
		if o.rows == nil {
			return nil, fmt.Errorf("%s: order %d has no rows", op, id)
		}
		o.id = id
		o.at = asInt(o.rows[0][0][slices.Index(h.tables[0].cols, "created_at")])
		o.span = 0
		for ti, t := range h.tables {
			for _, r := range o.rows[ti] {
				for _, c := range t.times {
					if r[c] != nil {
						o.span = max(o.span, asInt(r[c])-o.at)
					}
				}
			}
		}
	}
	return h, nil
}

// historyColumns reads table's columns and classifies them.
func historyColumns(ctx context.Context, tx *sqldb.Tx, table string) (*historyTable, error) {
	rows, err := tx.Query(ctx, `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		return nil, err
	}
	cols, err := rows.Columns()
	rows.Close()
	if err != nil {
		return nil, sqldb.MapErr(err)
	}
	t := &historyTable{name: table, cols: cols, id: slices.Index(cols, "id"), refs: map[int]string{}, folded: -1}
	if table == "sales_events" {
		t.folded = slices.Index(cols, "folded")
	}
	for i, c := range cols {
		switch {
		case c == "order_id":
			t.refs[i] = "orders"
		case c == "fulfilment_id":
			t.refs[i] = "fulfilment_orders"
		case c == "line_id", table == "insight_events" && c == "ref_id":
			t.refs[i] = "order_lines"
		case c == "journal_id":
			t.refs[i] = "journals"
		case c == "at", strings.HasSuffix(c, "_at"), c == "pay_by":
			t.times = append(t.times, i)
		case table == "journals" && (c == "idempotency_key" || c == "memo"),
			table == "payments" && (c == "provider_ref" || c == "reference"),
			table == "payment_events" && (c == "event_id" || c == "reference"),
			table == "payment_callbacks" && (c == "provider_ref" || c == "payload"):
			t.strs = append(t.strs, i)
		}
	}
	return t, nil
}

// HistoryCopy is one order of history: a copy of template Template
// created at At.
type HistoryCopy struct {
	Template int
	At       time.Time
	// Folded: the copy's sales events are written folded for the team
	// figures, which ScaleFigures has already moved by them.
	Folded bool
}

// idWords are the ids journals' keys and memos name: "book:line:12",
// "order 7 line 12 paid".
var idWords = regexp.MustCompile(`(line[: ]|order )(\d+)`)

// WriteHistory writes the copies, in the order given (their ids follow
// it), in transactions of historyChunk orders of multi-row INSERTs into the
// tables without their secondary indexes (but for tables with triggers),
// then moves the ledger accounts'
// cached balances by what the copies' entries moved, builds the indexes
// again and, on PostgreSQL, moves the tables' identities past the ids
// written.
// It returns the rows written. progress is called with copies done.
func WriteHistory(ctx context.Context, db *store.DB, h *HistoryTemplates, copies []HistoryCopy, progress func(done, total int)) (int64, error) {
	const op = "seed.WriteHistory"
	if progress == nil {
		progress = func(int, int) {}
	}
	next := map[string]int64{}
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		for _, t := range h.tables {
			if t.id < 0 {
				continue
			}
			id, err := nextID(ctx, tx, t.name)
			if err != nil {
				return err
			}
			next[t.name] = id
		}
		return nil
	})
	if err != nil {
		return 0, errs.Wrap(op, err)
	}
	// Secondary indexes are rebuilt once after the rows are in (a sort)
	// rather than updated row by row, as Seed does for the tree; the same
	// definitions as the migrations made.
	var indexes []string
	err = db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		for _, t := range h.tables {
			// A table with triggers keeps its indexes: they may read it
			// (ledger_entries_sealed counts the journal's entries).
			q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?`
			if tx.Engine() == sqldb.Postgres {
				q = `SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = CAST(? AS regclass) AND NOT tgisinternal`
			}
			var triggers int64
			if err := tx.Get(ctx, "triggers", q, []any{t.name}, &triggers); err != nil {
				return err
			}
			if triggers > 0 {
				continue
			}
			defs, err := dropIndexes(ctx, tx, t.name)
			if err != nil {
				return err
			}
			indexes = append(indexes, defs...)
		}
		return nil
	})
	if err != nil {
		return 0, errs.Wrap(op, err)
	}
	uses := make([]int64, len(h.orders))
	var written int64
	batch := make([][][]any, len(h.tables))
	for start := 0; start < len(copies); start += historyChunk {
		end := min(len(copies), start+historyChunk)
		for ti := range batch {
			batch[ti] = batch[ti][:0]
		}
		for _, c := range copies[start:end] {
			tpl := &h.orders[c.Template]
			uses[c.Template]++
			offset := sqldb.TS(c.At) - tpl.at
			folded := c.Folded
			ids := map[string]map[int64]int64{}
			for ti, t := range h.tables {
				if t.id < 0 {
					continue
				}
				m := map[int64]int64{}
				for _, r := range tpl.rows[ti] {
					m[asInt(r[t.id])] = next[t.name]
					next[t.name]++
				}
				ids[t.name] = m
			}
			// References: the payment's, the callback's event.
			strs := map[string]string{}
			newOrder := ids["orders"][tpl.id]
			for ti, t := range h.tables {
				for _, r := range tpl.rows[ti] {
					switch t.name {
					case "payments":
						for _, c := range []string{"provider_ref", "reference"} {
							old := r[slices.Index(t.cols, c)].(string)
							if _, ok := strs[old]; !ok {
								strs[old] = payment.NewReference(newOrder)
							}
						}
					case "payment_events":
						old := r[slices.Index(t.cols, "event_id")].(string)
						strs[old] = "evt_" + randomHex(8)
					}
				}
			}
			for ti, t := range h.tables {
				for _, r := range tpl.rows[ti] {
					row := slices.Clone(r)
					if t.id >= 0 {
						row[t.id] = ids[t.name][asInt(r[t.id])]
					}
					for c, ref := range t.refs {
						if row[c] != nil {
							nv, ok := ids[ref][asInt(row[c])]
							if !ok {
								return written, fmt.Errorf("%s: %s.%s %v refers to no row of its order", op, t.name, t.cols[c], row[c])
							}
							row[c] = nv
						}
					}
					if t.folded >= 0 && folded {
						row[t.folded] = true
					}
					for _, c := range t.times {
						if row[c] != nil {
							row[c] = asInt(row[c]) + offset
						}
					}
					for _, c := range t.strs {
						s, _ := row[c].(string)
						for old, nw := range strs {
							s = strings.ReplaceAll(s, old, nw)
						}
						if t.name == "journals" {
							s = idWords.ReplaceAllStringFunc(s, func(w string) string {
								m := idWords.FindStringSubmatch(w)
								id, _ := strconv.ParseInt(m[2], 10, 64)
								table := "order_lines"
								if m[1] == "order " {
									table = "orders"
								}
								if nv, ok := ids[table][id]; ok {
									return m[1] + strconv.FormatInt(nv, 10)
								}
								return w
							})
						}
						row[c] = s
					}
					batch[ti] = append(batch[ti], row)
				}
			}
		}
		err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
			for ti, t := range h.tables {
				rows := batch[ti]
				head := `INSERT INTO ` + t.name + ` (` + strings.Join(t.cols, ", ") + `)`
				if err := bulkInsert(ctx, tx, head, len(t.cols), len(rows), func(i int) []any { return rows[i] }, nil); err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
			}
			return nil
		})
		if err != nil {
			return written, errs.Wrap(op, err)
		}
		for _, rows := range batch {
			written += int64(len(rows))
		}
		progress(end, len(copies))
	}
	// The balances: every copy moved its accounts as its template did.
	moves := map[int64]int64{}
	for i, n := range uses {
		for acc, m := range h.orders[i].moves {
			moves[acc] += m * n
		}
	}
	accs := make([]int64, 0, len(moves))
	for a := range moves {
		accs = append(accs, a)
	}
	sort.Slice(accs, func(i, j int) bool { return accs[i] < accs[j] })
	err = db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		for _, a := range accs {
			if moves[a] == 0 {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE ledger_accounts SET balance = balance + ? WHERE id = ?`, moves[a], a); err != nil {
				return err
			}
		}
		for _, def := range indexes {
			if _, err := tx.Exec(ctx, def); err != nil {
				return err
			}
		}
		for _, t := range h.tables {
			if t.id >= 0 {
				if err := restartIDs(ctx, tx, t.name); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return written, errs.Wrap(op, err)
}

// historyChunk is how many copies one transaction writes.
const historyChunk = 2000

// asInt reads an integer column however the driver returned it.
func asInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case int32:
		return int64(v)
	case int:
		return int64(v)
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	case bool:
		if v {
			return 1
		}
	}
	return 0
}

// joinIDs is "1, 2, 3" (or "0" for none, which matches no row).
func joinIDs(ids []int64) string {
	if len(ids) == 0 {
		return "0"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// figureSums are the team figures' rollups (what store.FoldSalesEvents
// writes), each a sum over the sales events folded: one query totals the
// columns and one multiplies them.
var figureSums = []struct{ table, cols string }{
	{"distributor_sales", "own_sales, own_orders, depth1_sales, depth2_sales, depth3_sales, team_sales"},
	{"sales_by_tier", "base, commission"},
	{"sales_by_region", "base"},
}

// FiguresZero tells whether the team figures are all zero (no sale folded
// yet), which ScaleFigures needs.
func FiguresZero(ctx context.Context, db *store.DB) (bool, error) {
	zero := true
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		for _, f := range figureSums {
			var n int64
			var sums []string
			for _, c := range strings.Split(f.cols, ", ") {
				sums = append(sums, "COALESCE(SUM(ABS("+c+")), 0)")
			}
			sum := strings.Join(sums, " + ")
			if err := tx.Get(ctx, f.table, `SELECT `+sum+` FROM `+f.table, nil, &n); err != nil {
				return err
			}
			zero = zero && n == 0
		}
		return nil
	})
	return zero, errs.Wrap("seed.FiguresZero", err)
}

// ScaleFigures multiplies every team figure by factor: when the figures
// hold exactly what the templates' sales events added (they were zero
// before and the templates' events are all that was folded), they then
// hold what folding factor-1 more copies of each template would add too:
// the fold only sums (each event's base and order count into its seller
// and every ancestor, its base and commission into its supplier's tiers and
// regions), over a tree that the copies do not change.
func ScaleFigures(ctx context.Context, db *store.DB, factor int64) error {
	err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		for _, f := range figureSums {
			var set []string
			for _, c := range strings.Split(f.cols, ", ") {
				set = append(set, fmt.Sprintf("%s = %s * %d", c, c, factor))
			}
			if _, err := tx.Exec(ctx, `UPDATE `+f.table+` SET `+strings.Join(set, ", ")); err != nil {
				return err
			}
		}
		return nil
	})
	return errs.Wrap("seed.ScaleFigures", err)
}

// HistoryWritten starts the scenarios after the history as Seed does after
// generation: on SQLite from a checkpointed database, not behind a WAL
// holding the history, and with a fresh writer connection, not the one
// whose page cache the copies and the folds filled. On PostgreSQL it
// analyzes the schema's tables: a year-old database has statistics, and
// without them (autovacuum may be off, as on the bench machine, or not have
// come round yet) the planner takes tables of millions of rows for empty.
func HistoryWritten(ctx context.Context, db *store.DB) error {
	if db.Engine() == sqldb.Postgres {
		var tables []string
		err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
			var err error
			tables, err = sqldb.Column[string](ctx, tx, `SELECT table_name FROM information_schema.tables
				WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`, nil)
			return err
		})
		if err != nil {
			return errs.Wrap("seed.HistoryWritten", err)
		}
		for _, t := range tables {
			if _, err := db.WritePool().ExecContext(ctx, `ANALYZE `+t); err != nil {
				return errs.Wrap("seed.HistoryWritten", sqldb.MapErr(err))
			}
		}
		if err := pgCheckpoint(ctx, db); err != nil {
			return errs.Wrap("seed.HistoryWritten", err)
		}
		return nil
	}
	if _, err := db.WritePool().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return errs.Wrap("seed.HistoryWritten", sqldb.MapErr(err))
	}
	db.WritePool().SetMaxIdleConns(0)
	db.WritePool().SetMaxIdleConns(2)
	return nil
}
