package media

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Object is a stored object as List sees it.
type Object struct {
	Name     string
	Modified time.Time
}

// Lister is a Store that can list what it holds under a folder ("p").
type Lister interface {
	Store
	List(ctx context.Context, folder string, fn func(Object) error) error
}

var storedRe = regexp.MustCompile(`^p/([0-9]+)-([0-9a-f]{32})(-t)?\.jpg$`)

// CollectResult is what Collect found.
type CollectResult struct {
	Kept    int      // pictures' objects a product shows, or too new to judge
	Deleted []string // objects no product shows (listed, not deleted, on a dry run)
}

// Collect deletes the objects of pictures no product shows any more: files
// left by a crash between storing a picture and recording it, or by a
// deletion that failed. images reads the products' image URLs by id (a
// product gone is no entry). An object newer than before is left alone, so
// an upload in progress is never taken. A picture is matched by its name
// at the end of the URL, whatever the store's public URL was when it was
// recorded (a bucket moved behind a CDN keeps its pictures).
func Collect(ctx context.Context, st Lister, before time.Time, dryRun bool,
	images func(ctx context.Context, productIDs []int64) (map[int64][]string, error)) (*CollectResult, error) {
	byProduct := map[int64][]string{}
	res := &CollectResult{}
	err := st.List(ctx, "p", func(o Object) error {
		m := storedRe.FindStringSubmatch(o.Name)
		if m == nil {
			return nil // not one of ours
		}
		if !o.Modified.Before(before) {
			res.Kept++
			return nil
		}
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil
		}
		byProduct[id] = append(byProduct[id], o.Name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("media: list: %w", err)
	}
	ids := make([]int64, 0, len(byProduct))
	for id := range byProduct {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, 500) {
		shown, err := images(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, id := range chunk {
			for _, name := range byProduct[id] {
				large := strings.Replace(name, "-t.jpg", ".jpg", 1)
				if slices.ContainsFunc(shown[id], func(u string) bool { return strings.HasSuffix(u, "/"+large) }) {
					res.Kept++
					continue
				}
				if !dryRun {
					if err := st.Delete(ctx, name); err != nil {
						return res, err
					}
				}
				res.Deleted = append(res.Deleted, name)
			}
		}
	}
	return res, nil
}
