package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// bindPayoutKeys registers where the payout-details keys are (docs/payouts.md).
func (c *Config) bindPayoutKeys(fs *flag.FlagSet) {
	fs.StringVar(&c.PayoutKeyFile, "payout-key-file", env("SHAREMALL_PAYOUT_KEY_FILE", ""),
		"file of the keys that seal payout details: one \"<id> <base64 of 32 random bytes>\" a line, newest last; empty: payout.keys in --data, created (0600) when missing (SHAREMALL_PAYOUT_KEY_FILE)")
}

// usePayoutKeys loads the payout keys into db. Without --payout-key-file a
// key file in the data folder is used, made on first start: fine for the
// demo and one server, but several servers on one PostgreSQL must share a
// key file, so that case is logged as a warning.
func usePayoutKeys(db *store.DB, cfg *Config, log *slog.Logger) error {
	if cfg.PayoutKeyFile != "" {
		k, err := payout.LoadKeys(cfg.PayoutKeyFile)
		if err != nil {
			return err
		}
		db.UsePayoutKeys(k)
		return nil
	}
	path := filepath.Join(cfg.Data, "payout.keys")
	k, created, err := payout.EnsureKeyFile(path)
	if err != nil {
		return err
	}
	if created {
		log.Warn("created a payout-details key file: keep it with the database's backups, and share it with every server (SHAREMALL_PAYOUT_KEY_FILE)",
			"file", path, "key", k.Newest())
	} else if cfg.DB != "" {
		log.Warn("payout details are sealed with the key file in the data folder; several servers must share one key file (SHAREMALL_PAYOUT_KEY_FILE)", "file", path)
	}
	db.UsePayoutKeys(k)
	return nil
}

// rotatePayoutKeys reseals every payout detail under the newest key of the
// key file; after it, older keys may be removed from the file.
func rotatePayoutKeys(ctx context.Context, db *store.DB, cfg *Config, log *slog.Logger, stdout io.Writer) error {
	if err := usePayoutKeys(db, cfg, log); err != nil {
		return err
	}
	n, err := db.RotatePayoutKeys(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resealed %d payout detail(s) under the newest key; older keys may now be removed from the key file\n", n)
	return nil
}
