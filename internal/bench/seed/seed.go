package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
)

// Size is how large a program Seed generates.
type Size struct {
	Distributors int // including the chain
	ChainDepth   int // one chain this deep (at most Distributors)
	Suppliers    int
	Products     int // one SKU each, spread over the suppliers
	Customers    int // each bound to a random distributor, each with a session
	Seed         uint64
}

// Program is what Seed made: the ids and tokens the bench drives.
type Program struct {
	OperatorToken  string
	OperatorID     int64 // the operator's account
	FirstID        int64 // distributors have ids FirstID … FirstID+Distributors-1
	Distributors   int
	LargestTeamID  int64 // the distributor with the largest team outside the chain
	LargestTeam    int64
	ChainTopID     int64
	SKUIDs         []int64
	RegionCodes    []string // districts checkout ships to
	CustomerTokens []string
}

// benchBatchParams keeps every multi-row INSERT under sqldb.SQLite's 32,766
// parameter limit (PostgreSQL allows 65,535).
const benchBatchParams = 30000

// Seed generates a program at scale into an empty database in a few
// large transactions of multi-row INSERTs: a heavy-tailed referral tree
// (preferential attachment: most invite nobody, a few invite many) plus one
// chain ChainDepth deep, every stored column computed here in one pass;
// accounts (one shared password hash); suppliers, warehouses covering every
// region, products with stock; customers bound to distributors. progress is
// called with a stage name and rows done so far. For `sharemall bench` only.
func Seed(ctx context.Context, db *store.DB, size Size, progress func(stage string, done, total int)) (*Program, error) {
	if size.Distributors < 2 || size.ChainDepth < 1 || size.ChainDepth > size.Distributors || size.Suppliers < 1 ||
		size.Products < size.Suppliers || size.Customers < 1 {
		return nil, errs.Invalidf("size", "needs at least 2 distributors, a chain within them, a product per supplier and a customer")
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	rng := rand.New(rand.NewPCG(size.Seed, 0x5eed))
	n := size.Distributors
	sponsors := benchTree(rng, n, size.ChainDepth)
	p := &Program{Distributors: n}
	err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		var err error
		p.FirstID, err = nextID(ctx, tx, "distributors")
		if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap("seed.Seed", err)
	}
	if err := seedBenchTree(ctx, db, p, sponsors, size.ChainDepth, progress); err != nil {
		return nil, errs.Wrap("seed.Seed", err)
	}
	if err := seedBenchCatalog(ctx, db, p, size, rng, progress); err != nil {
		return nil, errs.Wrap("seed.Seed", err)
	}
	if err := seedBenchCustomers(ctx, db, p, size, rng, progress); err != nil {
		return nil, errs.Wrap("seed.Seed", err)
	}
	if db.Engine() == sqldb.SQLite {
		// Start the scenarios from a checkpointed database, not behind a WAL
		// holding everything just generated.
		if _, err := db.WritePool().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return nil, errs.Wrap("seed.Seed", sqldb.MapErr(err))
		}
		// A fresh writer connection: the seeding one holds its large cache.
		db.WritePool().SetMaxIdleConns(0)
		db.WritePool().SetMaxIdleConns(2)
	}
	if db.Engine() == sqldb.Postgres {
		// Statistics for the planner, as autovacuum gathers them after a
		// bulk load on a production server (this one may run without it).
		// Only of the tables the program filled: one analyzed while empty
		// would be planned as empty while the scenarios fill it (autovacuum
		// would analyze it again as it grows; a table never analyzed is
		// planned from its current size).
		if _, err := db.WritePool().ExecContext(ctx, `DO $$ DECLARE t TEXT; filled BOOLEAN; BEGIN
			FOR t IN SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() LOOP
				EXECUTE 'SELECT EXISTS (SELECT 1 FROM ' || t || ')' INTO filled;
				IF filled THEN
					EXECUTE 'ANALYZE ' || t;
				END IF;
			END LOOP; END $$`); err != nil {
			return nil, errs.Wrap("seed.Seed", sqldb.MapErr(err))
		}
		if err := pgCheckpoint(ctx, db); err != nil {
			return nil, errs.Wrap("seed.Seed", err)
		}
	}
	return p, nil
}

// pgCheckpoint starts the scenarios from a checkpointed PostgreSQL, as
// SQLite's are: otherwise the checkpoint of the bulk load (gigabytes of
// dirty pages at a million distributors) runs during the first timed
// section, and backends evict the load's dirty pages themselves, so that
// section measures the load as much as itself. A role that may not
// checkpoint (neither superuser nor pg_checkpoint) skips it.
func pgCheckpoint(ctx context.Context, db *store.DB) error {
	_, err := db.WritePool().ExecContext(ctx, `CHECKPOINT`)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		return nil
	}
	return sqldb.MapErr(err)
}

// benchTree draws sponsors[i] < i (-1 for a root): nodes 0…chain-1 form the
// chain, the rest attach by preferential attachment (a sponsor is drawn in
// proportion to 1 + the members it already invited), with 1 in 1,000 a root.
func benchTree(rng *rand.Rand, n, chain int) []int32 {
	sponsors := make([]int32, n)
	sponsors[0] = -1
	for i := 1; i < chain; i++ {
		sponsors[i] = int32(i - 1)
	}
	// urn holds each node once plus once per child: a uniform draw from it
	// is a draw in proportion to 1 + children. The chain stays out of it, so
	// its shape is exactly a chain.
	urn := make([]int32, 0, 2*(n-chain))
	for i := chain; i < n; i++ {
		if len(urn) == 0 || rng.IntN(1000) == 0 {
			sponsors[i] = -1
		} else {
			s := urn[rng.IntN(len(urn))]
			sponsors[i] = s
			urn = append(urn, s)
		}
		urn = append(urn, int32(i))
	}
	return sponsors
}

// nextID is the id the next row of table would get on a fresh sequence:
// seeding writes ids itself so that sponsors can refer to rows of the same
// INSERT.
func nextID(ctx context.Context, tx *sqldb.Tx, table string) (int64, error) {
	var id int64
	err := tx.Get(ctx, table, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table, nil, &id)
	return id, err
}

// restartIDs moves PostgreSQL's identity past ids written explicitly
// (sqldb.SQLite's rowid follows MAX(id) by itself).
func restartIDs(ctx context.Context, tx *sqldb.Tx, table string) error {
	if tx.Engine() != sqldb.Postgres {
		return nil
	}
	next, err := nextID(ctx, tx, table)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s ALTER COLUMN id RESTART WITH %d`, table, next))
	return err
}

// bulkInsert writes rows with multi-row INSERTs of at most
// benchBatchParams parameters; row(i) returns the i-th row's values.
func bulkInsert(ctx context.Context, tx *sqldb.Tx, head string, cols, rows int, row func(i int) []any, step func(done int)) error {
	per := max(1, benchBatchParams/cols)
	one := "(" + sqldb.Placeholders(cols) + ")"
	var args []any
	for start := 0; start < rows; start += per {
		end := min(rows, start+per)
		args = args[:0]
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(one)
			args = append(args, row(i)...)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
		if step != nil {
			step(end)
		}
	}
	return nil
}

// seedBenchTree writes the accounts, roles and distributors of the tree.
func seedBenchTree(ctx context.Context, db *store.DB, p *Program, sponsors []int32, chain int, progress func(string, int, int)) error {
	n := len(sponsors)
	// Counters in one pass from the leaves up: sponsors[i] < i, so every
	// node's own counters are final when it adds them to its sponsor's.
	team := make([]int64, n)
	by := make([][3]int32, n)
	for i := n - 1; i >= 0; i-- {
		if s := sponsors[i]; s >= 0 {
			team[s] += team[i] + 1
			by[s][0]++
			by[s][1] += by[i][0]
			by[s][2] += by[i][1]
		}
	}
	depth := make([]int32, n)
	for i := range n {
		if s := sponsors[i]; s >= 0 {
			depth[i] = depth[s] + 1
		}
	}
	id := func(i int32) any {
		if i < 0 {
			return nil
		}
		return p.FirstID + int64(i)
	}
	up := func(i int32) int32 {
		if i < 0 {
			return -1
		}
		return sponsors[i]
	}
	p.ChainTopID = p.FirstID
	best := int64(-1)
	for i := chain; i < n; i++ {
		if team[i] > best {
			best, p.LargestTeamID, p.LargestTeam = team[i], p.FirstID+int64(i), team[i]
		}
	}
	if chain == n {
		p.LargestTeamID, p.LargestTeam = p.FirstID, team[0]
	}
	settings, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	return db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		if tx.Engine() == sqldb.SQLite {
			// A larger page cache (64 MiB) for the bulk insert; Seed closes this
			// connection afterwards so the server does not keep the memory.
			if _, err := tx.Exec(ctx, `PRAGMA cache_size = -65536`); err != nil {
				return err
			}
		}
		acc0, err := nextID(ctx, tx, "accounts")
		if err != nil {
			return err
		}
		now := sqldb.TS(tx.Now())
		// One shared hash: nobody signs in as a seeded distributor with a password.
		hash := "bench-no-login"
		if err := bulkInsert(ctx, tx, `INSERT INTO accounts (id, email, name, password_hash, created_at)`, 5, n, func(i int) []any {
			return []any{acc0 + int64(i), fmt.Sprintf("bench-d%08d@bench.invalid", i), "", hash, now}
		}, func(done int) { progress("accounts", done, n) }); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO account_roles (account_id, role, granted_at)`, 3, n, func(i int) []any {
			return []any{acc0 + int64(i), string(account.Distributor), now}
		}, func(done int) { progress("roles", done, n) }); err != nil {
			return err
		}
		// Secondary indexes are rebuilt once after the rows are in (a sort)
		// rather than updated row by row in random order; same transaction,
		// same definitions as the migrations made.
		indexes, err := dropIndexes(ctx, tx, "distributors")
		if err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO distributors (id, account_id, referral_code, status, sponsor_id, ancestor2_id, ancestor3_id,
			depth, team_size, depth1_count, depth2_count, depth3_count, joined_at)`, 13, n, func(i int) []any {
			s := sponsors[i]
			return []any{p.FirstID + int64(i), acc0 + int64(i), benchCode(i), string(network.Active), id(s), id(up(s)), id(up(up(s))),
				depth[i], team[i], by[i][0], by[i][1], by[i][2], now}
		}, func(done int) { progress("distributors", done, n) }); err != nil {
			return err
		}
		// Each distributor's pending account, which joining opens
		// (books.OpenNewOwnerAccounts).
		la0, err := nextID(ctx, tx, "ledger_accounts")
		if err != nil {
			return err
		}
		accountIndexes, err := dropIndexes(ctx, tx, "ledger_accounts")
		if err != nil {
			return err
		}
		indexes = append(indexes, accountIndexes...)
		if err := bulkInsert(ctx, tx, `INSERT INTO ledger_accounts (id, code, kind, owner_id, currency, created_at)`, 6, n, func(i int) []any {
			id := p.FirstID + int64(i)
			return []any{la0 + int64(i), ledger.Code(ledger.DistributorPending, id), string(ledger.DistributorPending), id, settings.CurrencyCode, now}
		}, func(done int) { progress("ledger accounts", done, n) }); err != nil {
			return err
		}
		for k, def := range indexes {
			progress("indexes", k, len(indexes))
			if _, err := tx.Exec(ctx, def); err != nil {
				return err
			}
		}
		if err := seedNetworkEvents(ctx, tx, p.FirstID, p.FirstID+int64(n)-1); err != nil {
			return err
		}
		for _, t := range []string{"accounts", "distributors", "ledger_accounts"} {
			if err := restartIDs(ctx, tx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// benchCode is a valid referral code made from i, starting with 'Z' so it
// never meets a code made by network.NewCode by accident at this scale.
func benchCode(i int) string {
	b := []byte("Z2222222")
	for k := len(b) - 1; i > 0 && k > 0; k-- {
		b[k] = network.CodeAlphabet[i%len(network.CodeAlphabet)]
		i /= len(network.CodeAlphabet)
	}
	return string(b)
}

// Schema creates an empty schema named name on the PostgreSQL server
// at dbURL and returns the URL that uses it (search_path), so each bench
// run starts from a fresh database without touching other schemas.
func Schema(ctx context.Context, dbURL, name string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("seed: bench database URL: %w", err)
	}
	conn, err := sql.Open("pgx", dbURL)
	if err != nil {
		return "", fmt.Errorf("seed: open postgres: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		return "", fmt.Errorf("seed: create schema %s: %w", name, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// DropSchema drops a schema Schema made, with everything in it.
func DropSchema(ctx context.Context, dbURL, name string) error {
	conn, err := sql.Open("pgx", dbURL)
	if err != nil {
		return fmt.Errorf("seed: open postgres: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
		return fmt.Errorf("seed: drop schema %s: %w", name, err)
	}
	return nil
}

// dropIndexes drops table's non-unique indexes and returns the statements
// that create them again.
func dropIndexes(ctx context.Context, tx *sqldb.Tx, table string) ([]string, error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'`
	if tx.Engine() == sqldb.Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexdef NOT LIKE 'CREATE UNIQUE%'`
	}
	var names, defs []string
	err := tx.Each(ctx, q, []any{table}, func(scan func(...any) error) error {
		var n, d string
		err := scan(&n, &d)
		names, defs = append(names, n), append(defs, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := tx.Exec(ctx, `DROP INDEX `+n); err != nil {
			return nil, err
		}
	}
	return defs, nil
}
