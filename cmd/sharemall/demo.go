package main

import (
	"context"
	"os"

	"sharemall/internal/store"
)

// runDemo seeds the sample program once and prints its logins.
func runDemo(ctx context.Context, db *store.DB, cfg *Config, stdout *os.File) error {
	return nil
}
