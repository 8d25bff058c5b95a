package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"sharemall/internal/api"
	"sharemall/internal/media"
)

// mediaConfig says where uploaded product pictures go and how large they
// may be: the data folder by default, an S3-compatible bucket when
// SHAREMALL_S3_BUCKET is set (several servers then share the pictures).
type mediaConfig struct {
	MaxMB int
	S3    media.S3Config
}

// bindMediaFlags registers the upload limit; the bucket comes from the
// environment only, like the database's secrets.
func (c *Config) bindMediaFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Media.MaxMB, "media-max-mb", envInt("SHAREMALL_MEDIA_MAX_MB", media.DefaultMaxBytes>>20),
		"largest product picture taken, in MB (SHAREMALL_MEDIA_MAX_MB); pictures go to <data>/media, or to the S3 bucket SHAREMALL_S3_BUCKET at SHAREMALL_S3_ENDPOINT")
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
	if c.Media.S3.Bucket == "" && c.Media.S3.Endpoint == "" {
		l, err := media.NewLocal(filepath.Join(c.Data, "media"))
		if err != nil {
			return err
		}
		acfg.Media = l
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	s, err := media.NewS3(ctx, c.Media.S3)
	if err != nil {
		return err
	}
	acfg.Media = s
	return nil
}
