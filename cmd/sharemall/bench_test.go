package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Wrong bench flags are refused before anything is generated.
func TestRunBenchFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", "mysql://x"}, "postgres://"},
		{[]string{"--clients", "0"}, "--clients"},
		{[]string{"--distributors", "5"}, "--distributors"},
		{[]string{"--duration", "-1s"}, "--duration"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"--nope"}, "not defined"},
		{[]string{"--scenarios", "insight,teams"}, `unknown scenario "teams"`},
	} {
		err := runBench(context.Background(), c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %s", c.args, err, c.want)
		}
	}
}
