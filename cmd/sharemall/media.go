package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"sharemall/internal/api"
	"sharemall/internal/media"
	"sharemall/internal/store"
)

// mediaConfig says where uploaded product pictures go and how large they
// may be: the data folder by default, an S3-compatible bucket when
// SHAREMALL_S3_BUCKET is set (several servers then share the pictures).
type mediaConfig struct {
	MaxMB int
	S3    media.S3Config

	// media gc
	OlderThan time.Duration
	DryRun    bool
}

// bindMediaFlags registers the upload limit; the bucket comes from the
// environment only, like the database's secrets.
func (c *Config) bindMediaFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Media.MaxMB, "media-max-mb", envInt("SHAREMALL_MEDIA_MAX_MB", media.DefaultMaxBytes>>20),
		"largest product picture taken, in MB (SHAREMALL_MEDIA_MAX_MB); pictures go to <data>/media, or to the S3 bucket SHAREMALL_S3_BUCKET at SHAREMALL_S3_ENDPOINT")
	c.bindMediaStore()
}

// bindMediaStore reads where the pictures are kept (the environment only).
func (c *Config) bindMediaStore() {
	c.Media.S3 = media.S3Config{
		Endpoint:  env("SHAREMALL_S3_ENDPOINT", ""),
		Bucket:    env("SHAREMALL_S3_BUCKET", ""),
		AccessKey: secret("SHAREMALL_S3_ACCESS_KEY", ""),
		SecretKey: secret("SHAREMALL_S3_SECRET_KEY", ""),
		Region:    env("SHAREMALL_S3_REGION", ""),
		Insecure:  envBool("SHAREMALL_S3_INSECURE", false),
		PublicURL: env("SHAREMALL_S3_PUBLIC_URL", ""),
	}
}

// applyMedia opens the picture store into the API's configuration: a
// bucket that cannot be reached stops the start, not the first upload.
func (c *Config) applyMedia(ctx context.Context, acfg *api.Config) error {
	if c.Media.MaxMB < 1 || c.Media.MaxMB > 64 {
		return fmt.Errorf("--media-max-mb must be 1 to 64, not %d", c.Media.MaxMB)
	}
	acfg.MediaMaxBytes = int64(c.Media.MaxMB) << 20
	st, err := c.openMedia(ctx)
	if err != nil {
		return err
	}
	acfg.Media = st
	return nil
}

// openMedia opens <data>/media, or the bucket when one is configured.
func (c *Config) openMedia(ctx context.Context) (media.Lister, error) {
	if c.Media.S3.Bucket == "" && c.Media.S3.Endpoint == "" {
		return media.NewLocal(filepath.Join(c.Data, "media"))
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return media.NewS3(ctx, c.Media.S3)
}

// bindMediaGCFlags registers media gc's flags: the database's, where the
// pictures are, and how old a file must be to be judged.
func (c *Config) bindMediaGCFlags(fs *flag.FlagSet) {
	c.bindDatabase(fs)
	c.bindMediaStore()
	fs.DurationVar(&c.Media.OlderThan, "older-than", 24*time.Hour,
		"only files at least this old are judged, so uploads in progress are never taken")
	fs.BoolVar(&c.Media.DryRun, "dry-run", false, "list what would be deleted, delete nothing")
}

// mediaGC deletes the files of pictures no product shows any more (left by
// a crash mid-upload or a failed deletion) and says what it did.
func mediaGC(ctx context.Context, db *store.DB, c *Config, stdout io.Writer) error {
	if c.Media.OlderThan < time.Hour {
		return fmt.Errorf("--older-than must be at least 1h (an upload may still be recording its picture), not %s", c.Media.OlderThan)
	}
	st, err := c.openMedia(ctx)
	if err != nil {
		return err
	}
	res, err := media.Collect(ctx, st, time.Now().Add(-c.Media.OlderThan), c.Media.DryRun, db.ProductImageLists)
	if err != nil {
		return err
	}
	verb := "deleted"
	if c.Media.DryRun {
		verb = "would delete"
	}
	for _, name := range res.Deleted {
		fmt.Fprintf(stdout, "%s %s\n", verb, name)
	}
	fmt.Fprintf(stdout, "%s %d file(s) no product shows; kept %d\n", verb, len(res.Deleted), res.Kept)
	return nil
}
