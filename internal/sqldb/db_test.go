package sqldb

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	if got := redact("postgres://u:secret@h/db"); strings.Contains(got, "secret") {
		t.Fatalf("redact = %s", got)
	}
}

func TestRebind(t *testing.T) {
	tx := &Tx{engine: Postgres}
	if got := tx.Rebind("a = ? AND b IN (?, ?)"); got != "a = $1 AND b IN ($2, $3)" {
		t.Fatal(got)
	}
	tx.engine = SQLite
	if got := tx.Rebind("a = ?"); got != "a = ?" {
		t.Fatal(got)
	}
}
