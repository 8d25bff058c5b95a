package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Several servers need PostgreSQL, and bounded counts; refused before
// anything is generated.
func TestRunBenchServerFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--servers", "2"}, "need PostgreSQL"},
		{[]string{"--external-servers", "1"}, "need PostgreSQL"},
		{[]string{"--servers", "0"}, "--servers 1…16"},
		{[]string{"--servers", "17", "--db", "postgres://x"}, "--servers 1…16"},
		{[]string{"--external-servers", "-1"}, "--external-servers 0…16"},
		{[]string{"--wait-events", "x"}, "invalid value"},
		{[]string{"--orders", "-1"}, "--orders must be ≥ 0"},
	} {
		err := runBench(context.Background(), c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %s", c.args, err, c.want)
		}
	}
}
