package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config names a bucket of an S3-compatible service (AWS S3, MinIO,
// Cloudflare R2, Alibaba OSS…).
type S3Config struct {
	Endpoint  string // host[:port] of the service, e.g. s3.amazonaws.com or 127.0.0.1:9000
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string // empty: the service's default
	Insecure  bool   // plain HTTP to the endpoint (a MinIO on the same host)
	// PublicURL is where browsers fetch the bucket's objects (a CDN, or the
	// bucket's website address). Empty: the endpoint's path-style URL,
	// http(s)://<endpoint>/<bucket>. The objects must be readable there.
	PublicURL string
}

// S3 keeps objects in a bucket, so that several servers share them.
type S3 struct {
	client *minio.Client
	bucket string
	public string // without a trailing slash
}

// NewS3 connects to the bucket and checks that it is there, so a wrong
// endpoint, key or bucket stops the start with a clear message.
func NewS3(ctx context.Context, c S3Config) (*S3, error) {
	switch {
	case c.Endpoint == "":
		return nil, errors.New("media: S3 endpoint is empty (SHAREMALL_S3_ENDPOINT)")
	case strings.Contains(c.Endpoint, "://"):
		return nil, fmt.Errorf("media: S3 endpoint %q must be host[:port], without a scheme (use SHAREMALL_S3_INSECURE for http)", c.Endpoint)
	case c.Bucket == "":
		return nil, errors.New("media: S3 bucket is empty (SHAREMALL_S3_BUCKET)")
	case c.AccessKey == "" || c.SecretKey == "":
		return nil, errors.New("media: S3 keys are empty (SHAREMALL_S3_ACCESS_KEY and SHAREMALL_S3_SECRET_KEY, or their _FILE)")
	}
	client, err := minioClient(c)
	if err != nil {
		return nil, fmt.Errorf("media: S3 endpoint %q: %w", c.Endpoint, err)
	}
	ok, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("media: S3 bucket %q at %s: %w", c.Bucket, c.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("media: S3 bucket %q does not exist at %s", c.Bucket, c.Endpoint)
	}
	public := strings.TrimRight(c.PublicURL, "/")
	if public == "" {
		scheme := "https"
		if c.Insecure {
			scheme = "http"
		}
		public = scheme + "://" + c.Endpoint + "/" + url.PathEscape(c.Bucket)
	}
	return &S3{client: client, bucket: c.Bucket, public: public}, nil
}

// Put uploads b with its type and a year's immutable cache.
func (s *S3) Put(ctx context.Context, name, contentType string, b []byte) error {
	if err := checkName("Put", name); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(b), int64(len(b)),
		minio.PutObjectOptions{ContentType: contentType, CacheControl: CacheControl})
	if err != nil {
		return fmt.Errorf("media.Put %s: %w", name, err)
	}
	return nil
}

// Delete removes the object (S3 answers a missing one with success).
func (s *S3) Delete(ctx context.Context, name string) error {
	if err := checkName("Delete", name); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("media.Delete %s: %w", name, err)
	}
	return nil
}

// List calls fn with each object under folder.
func (s *S3) List(ctx context.Context, folder string, fn func(Object) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn refuses
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: folder + "/", Recursive: true}) {
		if o.Err != nil {
			return fmt.Errorf("media.List: %w", o.Err)
		}
		if err := fn(Object{Name: o.Key, Modified: o.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

// URL is the object's address under the public URL.
func (s *S3) URL(name string) string { return s.public + "/" + name }

func minioClient(c S3Config) (*minio.Client, error) {
	return minio.New(c.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""), Secure: !c.Insecure, Region: c.Region})
}
