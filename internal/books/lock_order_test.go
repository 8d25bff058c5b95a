package books_test

import (
	"context"
	"slices"
	"testing"

	"sharemall/internal/books"
	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// exec runs statements in one write.
func exec(ctx context.Context, db *store.DB, qs ...string) error {
	return db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		for _, q := range qs {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestLedgerLocksInGoOrderWhateverTheCollation: the statements that lock
// ledger accounts in code order must take them in the order Go sorts the
// codes (bytes), which is the order journals' entries and LockAccounts
// take them in, whatever collation the database gives text. Real codes do
// not disagree between bytes and the usual collations (C, en_US, ICU's
// root: kinds differ in a letter and owners are digits), but they do under
// ICU's numeric ordering, which sorts "…:9" before "…:10". On PostgreSQL
// the code column is given that collation, as a database created with it
// as its default would give it; SQLite compares bytes.
func TestLedgerLocksInGoOrderWhateverTheCollation(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var codes []string
		for _, id := range []int64{9, 10, 100, 2} {
			for _, k := range []ledger.Kind{ledger.DistributorAvailable, ledger.DistributorDebt, ledger.DistributorWithdrawing,
				ledger.DistributorPending, ledger.SupplierPending} {
				codes = append(codes, ledger.Code(k, id))
			}
		}
		codes = append(codes, ledger.Code(ledger.PlatformPending, 0), ledger.Code(ledger.Clearing, 0))
		want := slices.Sorted(slices.Values(codes))
		if db.Engine() == store.Postgres {
			if err := exec(ctx, db, `CREATE COLLATION numeric (provider = icu, locale = 'en-u-kn-true')`); err != nil {
				t.Skipf("this PostgreSQL has no ICU collations: %v", err)
			}
			// The identity trigger names the column; it goes for the change of type and comes back.
			for _, q := range []string{`DROP TRIGGER ledger_accounts_identity ON ledger_accounts`,
				`ALTER TABLE ledger_accounts ALTER COLUMN code TYPE TEXT COLLATE numeric`,
				`CREATE TRIGGER ledger_accounts_identity BEFORE UPDATE OF code, kind, owner_id, currency ON ledger_accounts
					FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code OR NEW.kind IS DISTINCT FROM OLD.kind
						OR NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.currency IS DISTINCT FROM OLD.currency)
					EXECUTE FUNCTION ledger_account_identity()`} {
				if err := exec(ctx, db, q); err != nil {
					t.Fatal(err)
				}
			}
		}
		var byCode, byID []string
		err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
			var err error
			byCode, byID, err = books.LockOrder(ctx, tx, "CNY", codes)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if db.Engine() == store.Postgres {
			// The case is real: the column's own order is not Go's.
			var plain []string
			err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
				var err error
				plain, err = sqldb.Column[string](ctx, tx, `SELECT code FROM ledger_accounts ORDER BY code`, nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if slices.Equal(plain, want) {
				t.Fatalf("the numeric collation orders the codes as Go does; the test proves nothing: %v", plain)
			}
		}
		if !slices.Equal(byCode, want) {
			t.Errorf("wallet accounts locked in the order\n%v\nnot Go's\n%v", byCode, want)
		}
		if !slices.Equal(byID, want) {
			t.Errorf("deferred balances locked in the order\n%v\nnot Go's\n%v", byID, want)
		}
	})
}
