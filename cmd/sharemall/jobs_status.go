package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"sharemall/internal/store"
)

// jobsStatus prints, per sweep, what is due and what is failing, then every
// failed item with its error and when it will be tried again. It reads the
// database only, so it is safe beside running servers.
func jobsStatus(ctx context.Context, db *store.DB, stdout io.Writer) error {
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if cur != latest {
		return &store.ErrSchemaOld{Current: cur, Latest: latest}
	}
	due, err := db.JobsDue(ctx)
	if err != nil {
		return err
	}
	failures, err := db.JobFailures(ctx, "")
	if err != nil {
		return err
	}
	now := db.Now().UTC()
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SWEEP\tDUE\tWAITING SINCE\tFAILING\tRETRY DUE\tLAST RUN\tITEMS")
	var uncounted []string
	for _, d := range due {
		count, since, last := strconv.FormatInt(d.Due, 10), "-", "never"
		if d.Err != "" {
			count = "?"
			uncounted = append(uncounted, fmt.Sprintf("%s: cannot count what is due: %s", d.Sweep, oneLine(d.Err)))
		}
		if d.OldestDue != nil {
			since = when(*d.OldestDue, now)
		}
		if d.LastRun != nil {
			last = when(*d.LastRun, now)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%d\n", d.Sweep, count, since, d.Failing, d.RetryDue, last, d.LastCount)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, u := range uncounted {
		fmt.Fprintln(stdout, u)
	}
	last, err := db.LastLedgerCheck(ctx)
	if err != nil {
		return err
	}
	switch {
	case last == nil:
		fmt.Fprintln(stdout, "\nledger check: never run")
	case last.Problems == 0:
		fmt.Fprintf(stdout, "\nledger check: sound at %s, run by %s\n", when(last.At, now), last.By)
	default:
		fmt.Fprintf(stdout, "\nledger check: %d PROBLEM(S) at %s, run by %s (sharemall ledger check lists them)\n", last.Problems, when(last.At, now), last.By)
	}
	if len(failures) == 0 {
		fmt.Fprintln(stdout, "\nno failed items")
		return nil
	}
	fmt.Fprintf(stdout, "\n%d failed item(s), left alone until their next retry:\n", len(failures))
	w = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SWEEP\tITEM\tATTEMPTS\tFIRST FAILED\tNEXT RETRY\tLAST ERROR")
	for _, f := range failures {
		sweep, item := f.Kind, f.Item
		if f.Kind == store.FailedSweep {
			sweep, item = f.Item, "(the whole sweep)"
		}
		next := when(f.NextAttemptAt, now)
		switch {
		case f.NextAttemptAt.IsZero():
			next = "never: refused for good" // an effect the provider refused; see docs/money.md
		case !now.Before(f.NextAttemptAt):
			next = "due now"
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\n", sweep, item, f.Attempts, when(f.FirstFailedAt, now), next, oneLine(f.LastError))
	}
	return w.Flush()
}

// when shows an instant in UTC with how far it is from now.
func when(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	rel := "now"
	switch {
	case d > 0:
		rel = "in " + d.String()
	case d < 0:
		rel = (-d).String() + " ago"
	}
	return t.UTC().Format(time.RFC3339) + " (" + rel + ")"
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// failedNote is what `jobs run-due` adds to a sweep's line when items failed.
func failedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d failed and recorded for a retry (sharemall jobs status)", n)
}
