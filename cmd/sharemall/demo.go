package main

import (
	"context"
	"io"

	"sharemall/internal/store"
)

// runDemo seeds the sample program once and prints its logins.
func runDemo(ctx context.Context, db *store.DB, cfg *Config, stdout io.Writer) error {
	return nil
}
