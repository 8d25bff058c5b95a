package main

import (
	"strings"
	"testing"
)

// TestLANURLs: a server bound to one interface is reached there only; one
// on every interface is offered at this machine's network addresses, never
// at loopback.
func TestLANURLs(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "localhost:8080", "192.0.2.1:8080", "nonsense"} {
		if got := lanURLs(addr); len(got) != 0 {
			t.Errorf("%s: %v", addr, got)
		}
	}
	for _, addr := range []string{":8080", "0.0.0.0:8080"} {
		for _, u := range lanURLs(addr) {
			if !strings.HasPrefix(u, "http://") || !strings.HasSuffix(u, ":8080") || strings.HasPrefix(u, "http://127.") {
				t.Errorf("%s: %s", addr, u)
			}
		}
	}
}
