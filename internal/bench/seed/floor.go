package seed

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
)

// TableCounts counts the rows of every table, so the bench can see
// which rows one operation writes (the difference of two counts).
func TableCounts(ctx context.Context, db *store.DB) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'bench_floor%'`
		if tx.Engine() == sqldb.Postgres {
			q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
				AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'bench_floor%'`
		}
		names, err := sqldb.Column[string](ctx, tx, q, nil)
		if err != nil {
			return err
		}
		for _, n := range names {
			var c int64
			if err := tx.Get(ctx, n, `SELECT COUNT(*) FROM `+n, nil, &c); err != nil {
				return err
			}
			out[n] = c
		}
		return nil
	})
	return out, errs.Wrap("seed.TableCounts", err)
}

// Floor is a recorded unit of work (one order's checkout and payment,
// one line's settlement): the rows each of its transactions inserted, to be
// written again by plain SQL into copies of their tables.
type Floor struct {
	phases [][]floorRows
	Rows   int // rows one unit writes
}

type floorRows struct {
	table   string
	insert  string // into the bare copy
	insertI string // into the copy with the table's indexes
	rows    [][]any
}

// RecordFloor copies the newest rows each phase added (deltas[k] is
// the row count difference phase k made, per table) and creates, once, two
// column-for-column copies of each of those tables, which the floors write
// into so the program's own tables are left as they were: bench_floor_*
// without constraints or indexes, and bench_floori_* with the table's
// indexes (its unique ones as plain indexes, since the floor writes the same
// rows again and again) but no constraints, triggers or foreign keys.
// Updates are not replayed: the floor is inserts only, which makes it a
// little faster than the real work.
func RecordFloor(ctx context.Context, db *store.DB, deltas []map[string]int64) (*Floor, error) {
	f := &Floor{phases: make([][]floorRows, len(deltas))}
	err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		for k, d := range deltas {
			var tables []string
			for t, n := range d {
				if n > 0 && t != "goose_db_version" {
					tables = append(tables, t)
				}
			}
			sort.Strings(tables)
			for _, t := range tables {
				fr, err := floorSample(ctx, tx, t, int(d[t]))
				if err != nil {
					return err
				}
				f.phases[k] = append(f.phases[k], fr)
				f.Rows += len(fr.rows)
			}
		}
		return nil
	})
	return f, errs.Wrap("seed.RecordFloor", err)
}

// floorSample reads the n newest rows of table (by id where it has one).
func floorSample(ctx context.Context, tx *sqldb.Tx, table string, n int) (floorRows, error) {
	copyName := "bench_floor_" + table
	var exists bool
	q := `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?`
	if tx.Engine() == sqldb.Postgres {
		q = `SELECT COUNT(*) > 0 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	if err := tx.Get(ctx, "table", q, []any{copyName}, &exists); err != nil {
		return floorRows{}, err
	}
	if !exists {
		if _, err := tx.Exec(ctx, `CREATE TABLE `+copyName+` AS SELECT * FROM `+table+` WHERE 1 = 0`); err != nil {
			return floorRows{}, err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE bench_floori_`+table+` AS SELECT * FROM `+table+` WHERE 1 = 0`); err != nil {
			return floorRows{}, err
		}
		idx, err := indexColumns(ctx, tx, table)
		if err != nil {
			return floorRows{}, err
		}
		for i, cols := range idx {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX bench_floori_%s_%d ON bench_floori_%s %s`, table, i, table, cols)); err != nil {
				return floorRows{}, err
			}
		}
	}
	rows, err := tx.Query(ctx, `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		return floorRows{}, err
	}
	cols, err := rows.Columns()
	rows.Close()
	if err != nil {
		return floorRows{}, sqldb.MapErr(err)
	}
	order := ""
	for _, c := range cols {
		if c == "id" {
			order = " ORDER BY id DESC"
		}
	}
	rows, err = tx.Query(ctx, fmt.Sprintf(`SELECT * FROM %s%s LIMIT %d`, table, order, n))
	if err != nil {
		return floorRows{}, err
	}
	defer rows.Close()
	fr := floorRows{table: table,
		insert:  fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, copyName, strings.Join(cols, ", "), sqldb.Placeholders(len(cols))),
		insertI: fmt.Sprintf(`INSERT INTO bench_floori_%s (%s) VALUES (%s)`, table, strings.Join(cols, ", "), sqldb.Placeholders(len(cols)))}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return floorRows{}, sqldb.MapErr(err)
		}
		fr.rows = append(fr.rows, vals)
	}
	return fr, sqldb.MapErr(rows.Err())
}

// FloorUnit writes one unit's rows again: one transaction per
// recorded phase, one plain INSERT per row, no reads and no logic; into the
// bare copies, or with indexed into the copies with the tables' indexes.
func FloorUnit(ctx context.Context, db *store.DB, f *Floor, indexed bool) error {
	for _, phase := range f.phases {
		// Never batched: the floor is one transaction per phase of one order.
		err := db.DB.WriteAlone(ctx, func(tx *sqldb.Tx) error {
			for _, fr := range phase {
				q := fr.insert
				if indexed {
					q = fr.insertI
				}
				for _, r := range fr.rows {
					if _, err := tx.Exec(ctx, q, r...); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return errs.Wrap("seed.FloorUnit", err)
		}
	}
	return nil
}

// indexColumns returns the column list, "(a, b)" or on PostgreSQL "USING
// btree (a, b)", of every index of table, primary and unique keys included
// (sqldb.SQLite's rowid needs none: the copy has its own).
func indexColumns(ctx context.Context, tx *sqldb.Tx, table string) ([]string, error) {
	var out []string
	if tx.Engine() == sqldb.Postgres {
		err := tx.Each(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? ORDER BY indexname`,
			[]any{table}, func(scan func(...any) error) error {
				var def string
				if err := scan(&def); err != nil {
					return err
				}
				if _, cols, ok := strings.Cut(def, " USING "); ok {
					out = append(out, "USING "+cols)
				}
				return nil
			})
		return out, err
	}
	names, err := sqldb.Column[string](ctx, tx, `SELECT name FROM pragma_index_list(?) ORDER BY name`, []any{table})
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		cols, err := sqldb.Column[string](ctx, tx, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, []any{n})
		if err != nil {
			return nil, err
		}
		out = append(out, "("+strings.Join(cols, ", ")+")")
	}
	return out, nil
}

// ReceiveAll marks every released fulfilment order shipped and
// received at the transaction's time, as its supplier and customer would
// one by one: it makes a backlog for the settlement sweep in one statement.
func ReceiveAll(ctx context.Context, db *store.DB) (int64, error) {
	var n int64
	err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		var err error
		n, err = tx.ExecN(ctx, `UPDATE fulfilment_orders SET status = 'received', carrier = 'bench', tracking_number = 'BENCH',
			shipped_at = ?, received_at = ? WHERE status = 'released'`, sqldb.TS(tx.Now()), sqldb.TS(tx.Now()))
		return err
	})
	return n, errs.Wrap("seed.ReceiveAll", err)
}

// RecursiveTeam counts a distributor's active team with a naive
// recursive query over sponsor_id: the baseline the stored counters beat.
func RecursiveTeam(ctx context.Context, db *store.DB, id int64) (int64, error) {
	var n int64
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		// Walk sponsor_id alone (the index a naive tree has), count the active.
		return tx.Get(ctx, "team", `WITH RECURSIVE t (id) AS (
				SELECT id FROM distributors WHERE sponsor_id = ?
				UNION ALL
				SELECT d.id FROM distributors d JOIN t ON d.sponsor_id = t.id)
			SELECT COUNT(*) FROM t JOIN distributors d ON d.id = t.id WHERE d.status = 'active'`, []any{id}, &n)
	})
	return n, errs.Wrap("seed.RecursiveTeam", err)
}

// Withdrawer is a distributor with money available and a session.
type Withdrawer struct {
	DistributorID int64
	Token         string
}

// Withdrawers finds up to limit distributors whose available balance
// is not zero and opens a session for each.
func Withdrawers(ctx context.Context, db *store.DB, limit int) ([]Withdrawer, error) {
	var out []Withdrawer
	err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		type w struct{ dist, acc int64 }
		var ws []w
		err := tx.Each(ctx, `SELECT d.id, d.account_id FROM ledger_accounts la JOIN distributors d ON d.id = la.owner_id
			WHERE la.kind = 'distributor_available' AND la.balance <> 0 ORDER BY d.id LIMIT ?`, []any{limit},
			func(scan func(...any) error) error {
				var x w
				err := scan(&x.dist, &x.acc)
				ws = append(ws, x)
				return err
			})
		if err != nil {
			return err
		}
		for _, x := range ws {
			token, hash := account.NewToken(account.SessionPrefix)
			if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
				hash, x.acc, sqldb.TS(tx.Now()), sqldb.TS(tx.Now().Add(24*time.Hour))); err != nil {
				return err
			}
			out = append(out, Withdrawer{DistributorID: x.dist, Token: token})
		}
		return nil
	})
	return out, errs.Wrap("seed.Withdrawers", err)
}
