package store

import (
	"context"
	"fmt"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// Regions lists the children of a region by code, or the countries when
// parent is "". An unknown parent is NotFound.
func (db *DB) Regions(ctx context.Context, parent string) ([]catalog.Region, error) {
	if parent != "" {
		if _, err := catalog.ParseRegionCode("parent", parent); err != nil {
			return nil, err
		}
	}
	var out []catalog.Region
	err := db.Read(ctx, func(tx *Tx) error {
		q, args := `SELECT code, parent_code, level, name FROM regions WHERE parent_code IS NULL ORDER BY code`, []any(nil)
		if parent != "" {
			if _, err := tx.region(ctx, parent); err != nil {
				return err
			}
			q, args = `SELECT code, parent_code, level, name FROM regions WHERE parent_code = ? ORDER BY code`, []any{parent}
		}
		return tx.Each(ctx, q, args, func(scan func(...any) error) error {
			r, err := scanRegion(scan)
			if err == nil {
				out = append(out, *r)
			}
			return err
		})
	})
	return out, errs.Wrap("store.Regions", err)
}

// Region returns one region by code.
func (db *DB) Region(ctx context.Context, code string) (*catalog.Region, error) {
	if _, err := catalog.ParseRegionCode("code", code); err != nil {
		return nil, err
	}
	var r *catalog.Region
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		r, err = tx.region(ctx, code)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.Region", err)
	}
	return r, nil
}

func (tx *Tx) region(ctx context.Context, code string) (*catalog.Region, error) {
	var r *catalog.Region
	err := tx.One(ctx, "region", `SELECT code, parent_code, level, name FROM regions WHERE code = ?`, []any{code},
		func(scan func(...any) error) error {
			var err error
			r, err = scanRegion(scan)
			return err
		})
	return r, err
}

func scanRegion(scan func(...any) error) (*catalog.Region, error) {
	r := &catalog.Region{}
	var parent nullableString
	if err := scan(&r.Code, &parent, &r.Level, &r.Name); err != nil {
		return nil, sqldb.MapErr(err)
	}
	r.ParentCode = string(parent)
	return r, nil
}

// checkRegions refuses codes that are not in the region table; field is the
// name of the list (areas[i]) or of a single code when there is one.
func (tx *Tx) checkRegions(ctx context.Context, field string, codes []string) error {
	for i, c := range codes {
		ok, err := tx.Exists(ctx, `SELECT 1 FROM regions WHERE code = ?`, c)
		if err != nil {
			return err
		}
		if !ok {
			f := field
			if len(codes) > 1 || field == "areas" {
				f = fmt.Sprintf("%s[%d]", field, i)
			}
			return errs.Invalidf(f, "no region has code %s", c)
		}
	}
	return nil
}

// leafRegion refuses a code that is not in the region table or has regions
// below it: an address names a county-level division, or a city that has
// none (Dongguan), never a province or a city with districts.
func (tx *Tx) leafRegion(ctx context.Context, field, code string) error {
	var r leafRow
	if err := tx.Queries(ctx, r.query(code)); err != nil {
		return err
	}
	return r.check(field, code)
}

// leafRow is whether a region exists and whether regions lie below it.
type leafRow struct {
	found, below bool
}

func (r *leafRow) query(code string) sqldb.Query {
	return sqldb.Query{SQL: `SELECT EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code) FROM regions r WHERE r.code = ?`,
		Args: []any{code}, Row: func(scan func(...any) error) error {
			r.found = true
			return scan(&r.below)
		}}
}

func (r *leafRow) check(field, code string) error {
	if !r.found {
		return errs.Invalidf(field, "no region has code %s", code)
	}
	if r.below {
		return errs.Invalidf(field, "%s has regions below it: choose a district or county", code)
	}
	return nil
}
