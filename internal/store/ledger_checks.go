package store

import (
	"context"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// SweepLedger is the hourly ledger check's sweep name.
const SweepLedger = "ledger"

// LedgerCheckEvery is how often the ledger sweep proves the books: the
// check reads every journal, so it runs hourly, not every interval.
const LedgerCheckEvery = time.Hour

// Who ran a ledger check.
const (
	LedgerByConsole = "console"
	LedgerByCommand = "command"
	LedgerBySweep   = "sweep"
)

// ledgerDetailMax is how many problems a recorded run keeps in full.
const ledgerDetailMax = 20

// LedgerCheckRun is one recorded run of the ledger check.
type LedgerCheckRun struct {
	ID       int64
	By       string
	At       time.Time
	Took     time.Duration
	Problems int64    // problems found; 0: the books were sound
	Detail   []string // the first of them
}

// RunLedgerCheck runs the ledger check (CheckLedger: one consistent read of
// every journal) and records the run, by whom, with the first problems. It
// returns the run and every problem found.
func (db *DB) RunLedgerCheck(ctx context.Context, by string) (*LedgerCheckRun, []LedgerProblem, error) {
	const op = "store.RunLedgerCheck"
	start := time.Now()
	problems, err := db.CheckLedger(ctx)
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	run := &LedgerCheckRun{By: by, Took: time.Since(start), Problems: int64(len(problems))}
	for _, p := range problems[:min(len(problems), ledgerDetailMax)] {
		run.Detail = append(run.Detail, p.String())
	}
	err = db.Write(ctx, func(tx *Tx) error {
		run.At = tx.Now()
		var err error
		run.ID, err = tx.Insert(ctx, `INSERT INTO ledger_checks (by_source, at, took_ms, problems, detail) VALUES (?, ?, ?, ?, ?)`,
			by, ts(run.At), run.Took.Milliseconds(), run.Problems, strings.Join(run.Detail, "\n"))
		return err
	})
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	return run, problems, nil
}

// LedgerChecks returns the last limit recorded runs, the latest first.
func (db *DB) LedgerChecks(ctx context.Context, limit int) ([]LedgerCheckRun, error) {
	var out []LedgerCheckRun
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, `SELECT id, by_source, at, took_ms, problems, detail FROM ledger_checks ORDER BY at DESC, id DESC LIMIT ?`,
			[]any{limit}, func(scan func(...any) error) error {
				var r LedgerCheckRun
				var at, took int64
				var detail string
				if err := scan(&r.ID, &r.By, &at, &took, &r.Problems, &detail); err != nil {
					return sqldb.MapErr(err)
				}
				r.At, r.Took = fromTS(at), time.Duration(took)*time.Millisecond
				if detail != "" {
					r.Detail = strings.Split(detail, "\n")
				}
				out = append(out, r)
				return nil
			})
	})
	return out, errs.Wrap("store.LedgerChecks", err)
}

// LastLedgerCheck returns the latest recorded run; nil when the check never ran.
func (db *DB) LastLedgerCheck(ctx context.Context) (*LedgerCheckRun, error) {
	runs, err := db.LedgerChecks(ctx, 1)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

// CheckLedgerIfDue is the ledger sweep: it runs and records the check when
// no run finished in the last LedgerCheckEvery (any source counts), and
// returns 1 when it ran. Problems found do not fail the sweep: they are
// the run's result, shown on the console and by `sharemall jobs status`.
// Two servers may both find it due and both check; the check only reads,
// so that costs one extra read.
func (db *DB) CheckLedgerIfDue(ctx context.Context, _ int) (int, error) {
	last, err := db.LastLedgerCheck(ctx)
	if err != nil {
		return 0, err
	}
	if last != nil && db.Now().Sub(last.At) < LedgerCheckEvery {
		return 0, nil
	}
	if _, _, err := db.RunLedgerCheck(ctx, LedgerBySweep); err != nil {
		return 0, err
	}
	return 1, nil
}
