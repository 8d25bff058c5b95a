// Package ledger is double-entry bookkeeping: every movement of money is a
// Journal of Entries whose debits equal their credits, each amount a
// positive integer of minor units, and each journal carries an idempotency
// key derived from its cause so that booking the same cause twice books once.
//
// Balances follow one convention everywhere: balance = credits − debits.
// Accounts that hold what someone is owed (a distributor's wallet, a
// supplier's payable, platform revenue) therefore have positive balances;
// the clearing account, which holds the customers' money received, is
// debit-normal and shows a negative balance.
package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Direction is the side of an entry.
type Direction string

const (
	Debit  Direction = "D"
	Credit Direction = "C"
)

// Entry moves Amount into (credit) or out of (debit) one account.
type Entry struct {
	Account   string // account code, see codes.go
	Direction Direction
	Amount    money.Amount
	// Covered makes a debit conditional on the account's balance covering
	// it, atomically in the database: the debit is refused rather than taking
	// the balance below zero (withdrawal holds).
	Covered bool
}

// Journal is one movement of money, in one currency.
type Journal struct {
	Key      string // idempotency key, derived from the cause: "book:line:42", "withdrawal:7:request"
	Kind     string // what kind of movement: book, settle, refund, withdrawal.request, …
	Memo     string
	Currency string
	Entries  []Entry
}

// Move appends a debit of from and a credit of to, for amount. A zero
// amount adds nothing, so callers can move every share without checks.
func (j *Journal) Move(from, to string, amount money.Amount) {
	if amount == 0 {
		return
	}
	j.Entries = append(j.Entries, Entry{Account: from, Direction: Debit, Amount: amount}, Entry{Account: to, Direction: Credit, Amount: amount})
}

// Validate checks the journal's shape: a key, a currency, at least two
// entries, positive amounts, debits equal to credits.
func (j *Journal) Validate() error {
	if strings.TrimSpace(j.Key) == "" || len(j.Key) > 200 {
		return fmt.Errorf("ledger: journal needs an idempotency key of 1 to 200 characters")
	}
	if _, ok := money.LookupCurrency(j.Currency); !ok {
		return fmt.Errorf("ledger: journal %s: unknown currency %q", j.Key, j.Currency)
	}
	if len(j.Entries) < 2 {
		return fmt.Errorf("ledger: journal %s: needs at least two entries", j.Key)
	}
	var debits, credits money.Amount
	for i, e := range j.Entries {
		if e.Amount <= 0 {
			return fmt.Errorf("ledger: journal %s entry %d: amount %d is not positive", j.Key, i, e.Amount)
		}
		if e.Account == "" {
			return fmt.Errorf("ledger: journal %s entry %d: no account", j.Key, i)
		}
		switch e.Direction {
		case Debit:
			debits += e.Amount
		case Credit:
			credits += e.Amount
		default:
			return fmt.Errorf("ledger: journal %s entry %d: direction %q", j.Key, i, e.Direction)
		}
		if debits < 0 || credits < 0 {
			return fmt.Errorf("ledger: journal %s: overflow", j.Key)
		}
	}
	if debits != credits {
		return fmt.Errorf("ledger: journal %s: debits %d ≠ credits %d", j.Key, debits, credits)
	}
	return nil
}

// Digest identifies what a journal moves, independent of entry order, so a
// retry with the same key can be told from a different movement reusing it.
func (j *Journal) Digest() string {
	lines := make([]string, len(j.Entries))
	for i, e := range j.Entries {
		lines[i] = fmt.Sprintf("%s|%s|%d", e.Account, e.Direction, e.Amount)
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(j.Kind + "\n" + j.Currency + "\n" + strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

// ErrKeyReused is returned when an idempotency key was already used for a
// journal that moves something else: a bug in the caller, never a retry.
// Test with errors.Is(err, ErrKeyReused).
var ErrKeyReused = errors.New("ledger: idempotency key already used for a different movement")

// KeyReused wraps ErrKeyReused as a domain Conflict naming the key.
func KeyReused(key string) error {
	return &errs.Error{Code: errs.Conflict, Message: "idempotency key " + key + " was already used for a different movement", Err: ErrKeyReused}
}
