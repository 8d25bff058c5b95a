package books

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// moneyTables are the tables only this package may write: the ledger, the
// commission lines and their shares and refunds, withdrawals and their
// batches, the withdrawn figure, the effects outbox and manual wallet
// adjustments (see the migrations in internal/store/migrations).
var moneyTables = []string{
	"journals", "ledger_entries", "ledger_accounts",
	"commission_lines", "commission_shares", "commission_refunds",
	"withdrawals", "withdrawal_batches", "wallet_withdrawn",
	"effects", "wallet_adjustments",
	"supplier_payouts", "supplier_payout_batches",
}

// benchSeeding is the one exception: the bench's bulk seeding, which is
// not a money path. It fills an empty database that nothing else writes
// meanwhile, posting its journals through PostMany, and writes withdrawals
// already paid, with the withdrawn figures they leave; its order history
// copies real orders' rows and moves the ledger balances by what the
// copies' entries move (ledger check proves it in TestHistory); and it
// opens each generated distributor's pending account, empty, as joining
// does. Every
// other write of a money table is in this package.
var benchSeeding = map[string][]string{
	"internal/bench/seed/wallets.go": {"withdrawals", "wallet_withdrawn"},
	"internal/bench/seed/history.go": {"ledger_accounts"},
	"internal/bench/seed/seed.go":    {"ledger_accounts"},
}

// writeSQL finds a statement that changes a table in a string.
var writeSQL = regexp.MustCompile(`(?is)\b(insert\s+into|update|delete\s+from)\s+"?([a-z_][a-z0-9_]*)`)

// TestOnlyTheBooksWriteMoney reads the Go sources of every package but this
// one (tests aside) and fails on any SQL string that inserts, updates or
// deletes rows of a money table: whatever moves money goes through books.
func TestOnlyTheBooksWriteMoney(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no module root at %s: %v", root, err)
	}
	found := map[string][]string{} // file → money tables it writes
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "internal/books" || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		for _, table := range moneyWrites(t, path) {
			if !slices.Contains(found[rel], table) {
				found[rel] = append(found[rel], table)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for file, tables := range found {
		for _, table := range tables {
			if !slices.Contains(benchSeeding[file], table) {
				t.Errorf("%s writes the money table %s: only internal/books may", file, table)
			}
		}
	}
	for file, tables := range benchSeeding {
		for _, table := range tables {
			if !slices.Contains(found[file], table) {
				t.Errorf("%s no longer writes %s: remove it from the list", file, table)
			}
		}
	}
}

// moneyWrites returns the money tables the SQL strings of a Go file write.
// Adjacent literals joined with + are read as one string, so a statement
// split over several literals is still seen.
func moneyWrites(t *testing.T, path string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		var s string
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op != token.ADD {
				return true
			}
			s = joined(n)
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s, _ = strconv.Unquote(n.Value)
		default:
			return true
		}
		for _, m := range writeSQL.FindAllStringSubmatch(s, -1) {
			table := strings.ToLower(m[2])
			if slices.Contains(moneyTables, table) && !slices.Contains(out, table) {
				out = append(out, table)
			}
		}
		return true
	})
	return out
}

// joined is the text of the string literals of a + expression, with a
// space where anything else stands.
func joined(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return joined(e.X) + joined(e.Y)
		}
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, _ := strconv.Unquote(e.Value)
			return s
		}
	case *ast.ParenExpr:
		return joined(e.X)
	}
	return " "
}
