package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestJobsStatusCommand: with an old version of the rules corrupted in the
// database file, `jobs run-due` runs what it can and fails on the sweeps
// that read every version; `jobs status` then lists every sweep with what is
// due, and each failure with its error and next retry.
func TestJobsStatusCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, "migrate", []string{"--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", filepath.Join(data, "sharemall.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO program_settings (version, settings, changed_at) VALUES (1, 'not json', 0), (2, '{}', 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	out.Reset()
	err = run(ctx, "jobs", []string{"run-due", "--data", data, "--log-level", "error"}, &out)
	if err == nil || !strings.Contains(out.String(), "figures") || !strings.Contains(out.String(), "grades") {
		t.Fatalf("run-due: %v\n%s", err, out.String())
	}

	out.Reset()
	if err := run(ctx, "jobs", []string{"status", "--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatalf("status: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"SWEEP", "cancel-unpaid", "confirm-receipt", "settle", "figures", "grades", "effects", "ledger check: ",
		"settle: cannot count what is due: settings version 1",
		"2 failed item(s)", "ATTEMPTS", "NEXT RETRY", "store.SettleMaturedLines: internal: settings version 1"} {
		if !strings.Contains(got, want) {
			t.Fatalf("status lacks %q:\n%s", want, got)
		}
	}
	var failed []string
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "(the whole sweep)") {
			failed = append(failed, strings.Fields(l)[0])
		}
	}
	if strings.Join(failed, ",") != "confirm-receipt,settle" {
		t.Fatalf("failed sweeps %v:\n%s", failed, got)
	}
}
