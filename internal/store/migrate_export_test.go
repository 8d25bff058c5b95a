package store

import (
	"context"
	"fmt"
)

// MigrateDownToForTest takes the schema back to version, so a test can
// write rows in an older form and run the later migrations over them.
func (db *DB) MigrateDownToForTest(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("store: migrate down to %d: %w", version, err)
	}
	return nil
}
