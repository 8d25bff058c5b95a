package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// startMinIO runs the minio server binary found on PATH on a free port of
// this machine, with its data in a temporary folder, until the test ends.
func startMinIO(t *testing.T) S3Config {
	t.Helper()
	bin, err := exec.LookPath("minio")
	if err != nil {
		t.Skip("S3 store not tested: no minio server binary on PATH (install MinIO's server to run this test)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, t.TempDir())
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER=sharemalltest", "MINIO_ROOT_PASSWORD=sharemalltest-secret", "MINIO_BROWSER=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/minio/health/ready")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("minio did not start on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return S3Config{Endpoint: addr, Bucket: "sharemall-media", AccessKey: "sharemalltest", SecretKey: "sharemalltest-secret", Insecure: true}
}

func TestS3PutURLDelete(t *testing.T) {
	cfg := startMinIO(t)
	ctx := context.Background()

	if _, err := NewS3(ctx, cfg); err == nil {
		t.Fatal("NewS3 accepted a bucket that does not exist")
	}
	admin, err := minioClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}`, cfg.Bucket)
	if err := admin.SetBucketPolicy(ctx, cfg.Bucket, policy); err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.SecretKey = "wrong-secret-key"
	if _, err := NewS3(ctx, bad); err == nil {
		t.Fatal("NewS3 accepted a wrong secret key")
	}

	s, err := NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	name := "p/3-0123456789abcdef0123456789abcdef.jpg"
	body := []byte("\xff\xd8\xff a picture")
	if err := s.Put(ctx, name, "image/jpeg", body); err != nil {
		t.Fatal(err)
	}
	if want := "http://" + cfg.Endpoint + "/" + cfg.Bucket + "/" + name; s.URL(name) != want {
		t.Fatalf("URL = %q, want %q", s.URL(name), want)
	}
	var listed []string
	if err := s.List(ctx, "p", func(o Object) error { listed = append(listed, o.Name); return nil }); err != nil || len(listed) != 1 || listed[0] != name {
		t.Fatalf("List = %v, %v", listed, err)
	}
	res, err := http.Get(s.URL(name))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Fatalf("GET %s: %d %q", s.URL(name), res.StatusCode, got)
	}
	if ct, cc := res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"); ct != "image/jpeg" || cc != CacheControl {
		t.Fatalf("headers: Content-Type %q, Cache-Control %q", ct, cc)
	}

	if err := s.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, name); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	_, err = admin.StatObject(ctx, cfg.Bucket, name, minio.StatObjectOptions{})
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) || resp.Code != "NoSuchKey" {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.Put(ctx, "../escape.jpg", "image/jpeg", body); err == nil {
		t.Fatal("Put accepted a bad name")
	}
}

func TestS3ConfigRefusals(t *testing.T) {
	ok := S3Config{Endpoint: "127.0.0.1:1", Bucket: "b", AccessKey: "k", SecretKey: "s"}
	for name, c := range map[string]S3Config{
		"no endpoint": {Bucket: "b", AccessKey: "k", SecretKey: "s"},
		"scheme":      {Endpoint: "https://s3.example.com", Bucket: "b", AccessKey: "k", SecretKey: "s"},
		"no bucket":   {Endpoint: ok.Endpoint, AccessKey: "k", SecretKey: "s"},
		"no keys":     {Endpoint: ok.Endpoint, Bucket: "b"},
		"unreachable": ok,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := NewS3(ctx, c); err == nil {
			t.Errorf("%s: accepted", name)
		}
		cancel()
	}
}
