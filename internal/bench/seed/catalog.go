package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
)

// benchStock is each warehouse's stock of each of its supplier's SKUs:
// enough that no bench run sells out.
const benchStock = 1_000_000_000

// seedBenchCatalog writes suppliers (approved, with owner accounts), three
// warehouses each (two serving a province, one the whole country at a
// lower priority), products with one SKU each and stock in every warehouse
// of their supplier.
func seedBenchCatalog(ctx context.Context, db *store.DB, p *Program, size Size, rng *rand.Rand, progress func(string, int, int)) error {
	return db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		var provinces []string
		err := tx.Each(ctx, `SELECT code FROM regions WHERE level = 2 ORDER BY code`, nil, func(scan func(...any) error) error {
			var c string
			err := scan(&c)
			provinces = append(provinces, c)
			return err
		})
		if err != nil {
			return err
		}
		err = tx.Each(ctx, `SELECT code FROM regions WHERE level = 4 ORDER BY code`, nil, func(scan func(...any) error) error {
			var c string
			err := scan(&c)
			p.RegionCodes = append(p.RegionCodes, c)
			return err
		})
		if err != nil {
			return err
		}
		if len(provinces) == 0 || len(p.RegionCodes) == 0 {
			return fmt.Errorf("bench: the regions table has no provinces or districts")
		}
		now := sqldb.TS(tx.Now())
		acc0, err := nextID(ctx, tx, "accounts")
		if err != nil {
			return err
		}
		sup0, err := nextID(ctx, tx, "suppliers")
		if err != nil {
			return err
		}
		ns := size.Suppliers
		if err := bulkInsert(ctx, tx, `INSERT INTO accounts (id, email, name, password_hash, created_at)`, 5, ns, func(i int) []any {
			return []any{acc0 + int64(i), fmt.Sprintf("bench-s%d@bench.invalid", i), "", "bench-no-login", now}
		}, nil); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO account_roles (account_id, role, granted_at)`, 3, ns, func(i int) []any {
			return []any{acc0 + int64(i), string(account.Supplier), now}
		}, nil); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO suppliers (id, owner_account_id, name, status, created_at, updated_at)`, 6, ns, func(i int) []any {
			return []any{sup0 + int64(i), acc0 + int64(i), fmt.Sprintf("Bench supplier %d", i), string(catalog.Approved), now, now}
		}, nil); err != nil {
			return err
		}
		wh0, err := nextID(ctx, tx, "warehouses")
		if err != nil {
			return err
		}
		const perSupplier = 3
		nw := ns * perSupplier
		whRegion := func(i int) string {
			if i%perSupplier == perSupplier-1 {
				return "CN"
			}
			return provinces[(i/perSupplier*2+i%perSupplier)%len(provinces)]
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO warehouses (id, supplier_id, name, region_code, priority, active, created_at, updated_at)`, 8, nw,
			func(i int) []any {
				prio := 10
				if whRegion(i) == "CN" {
					prio = 0
				}
				return []any{wh0 + int64(i), sup0 + int64(i/perSupplier), fmt.Sprintf("W%d", i%perSupplier), whRegion(i), prio, true, now, now}
			}, nil); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO warehouse_areas (warehouse_id, region_code)`, 2, nw, func(i int) []any {
			return []any{wh0 + int64(i), whRegion(i)}
		}, nil); err != nil {
			return err
		}
		prod0, err := nextID(ctx, tx, "products")
		if err != nil {
			return err
		}
		sku0, err := nextID(ctx, tx, "skus")
		if err != nil {
			return err
		}
		np := size.Products
		if err := bulkInsert(ctx, tx, `INSERT INTO products (id, supplier_id, title, on_sale, created_at, updated_at)`, 6, np, func(i int) []any {
			return []any{prod0 + int64(i), sup0 + int64(i%ns), fmt.Sprintf("Bench product %d", i), true, now, now}
		}, func(done int) { progress("products", done, np) }); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO skus (id, product_id, code, retail_price, on_sale, created_at, updated_at)`, 7, np, func(i int) []any {
			return []any{sku0 + int64(i), prod0 + int64(i), "STD", int64(990 + rng.IntN(200)*100), true, now, now}
		}, nil); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO stock (warehouse_id, sku_id, on_hand, updated_at)`, 4, np*perSupplier, func(k int) []any {
			i, w := k/perSupplier, k%perSupplier
			return []any{wh0 + int64((i%ns)*perSupplier+w), sku0 + int64(i), benchStock, now}
		}, func(done int) { progress("stock", done, np*perSupplier) }); err != nil {
			return err
		}
		p.SKUIDs = make([]int64, np)
		for i := range np {
			p.SKUIDs[i] = sku0 + int64(i)
		}
		for _, t := range []string{"accounts", "suppliers", "warehouses", "products", "skus"} {
			if err := restartIDs(ctx, tx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// seedBenchCustomers writes the operator and the customers, each customer
// bound to a random distributor, and a session for each of them.
func seedBenchCustomers(ctx context.Context, db *store.DB, p *Program, size Size, rng *rand.Rand, progress func(string, int, int)) error {
	s, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	return db.DB.Write(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.TS(tx.Now())
		expires := sqldb.TS(tx.Now().Add(30 * 24 * time.Hour))
		acc0, err := nextID(ctx, tx, "accounts")
		if err != nil {
			return err
		}
		nc := size.Customers
		// Account acc0 is the operator; customers follow.
		tokens := make([]string, nc+1)
		hashes := make([]string, nc+1)
		for i := range tokens {
			tokens[i], hashes[i] = account.NewToken(account.SessionPrefix)
		}
		p.OperatorToken, p.CustomerTokens, p.OperatorID = tokens[0], tokens[1:], acc0
		if err := bulkInsert(ctx, tx, `INSERT INTO accounts (id, email, name, password_hash, created_at)`, 5, nc+1, func(i int) []any {
			return []any{acc0 + int64(i), fmt.Sprintf("bench-c%d@bench.invalid", i), "", "bench-no-login", now}
		}, nil); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO account_roles (account_id, role, granted_at)`, 3, nc+1, func(i int) []any {
			role := account.Customer
			if i == 0 {
				role = account.Operator
			}
			return []any{acc0 + int64(i), string(role), now}
		}, nil); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO sessions (token_hash, account_id, created_at, expires_at)`, 4, nc+1, func(i int) []any {
			return []any{hashes[i], acc0 + int64(i), now, expires}
		}, nil); err != nil {
			return err
		}
		if err := bulkInsert(ctx, tx, `INSERT INTO bindings (customer_account_id, distributor_id, mode, bound_at)`, 4, nc, func(i int) []any {
			return []any{acc0 + 1 + int64(i), p.FirstID + int64(rng.IntN(p.Distributors)), string(s.Binding.Mode), now}
		}, func(done int) { progress("customers", done, nc) }); err != nil {
			return err
		}
		return restartIDs(ctx, tx, "accounts")
	})
}
