package store

import (
	"context"
	"database/sql"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/sqldb"
)

// webhookOwner is whose endpoints the actor manages: the program's (an
// operator: supplier 0) or its own supplier's.
func webhookOwner(actor account.Actor) (supplier int64, err error) {
	switch {
	case actor.Anonymous():
		return 0, errs.E(errs.Unauthorized, "", "sign in to manage webhooks")
	case actor.APIKeyID == 0 && actor.IsOperator():
		return 0, nil
	case actor.Has(account.Supplier) && actor.SupplierID != 0:
		return actor.SupplierID, nil
	}
	return 0, errs.E(errs.Forbidden, "", "only the operator and suppliers have webhooks")
}

// checkEndpoint validates an endpoint's input for an owner.
func checkEndpoint(ctx context.Context, in notify.EndpointInput, supplier int64, allowPrivate bool) (string, string, error) {
	url := strings.TrimSpace(in.URL)
	if url == "" {
		return "", "", errs.Invalidf("url", "the endpoint URL is required")
	}
	if err := notify.CheckURL(ctx, url, allowPrivate); err != nil {
		return "", "", err
	}
	kinds, err := notify.ParseTypes(in.EventTypes, supplier != 0)
	if err != nil {
		return "", "", err
	}
	return url, notify.JoinTypes(kinds), nil
}

// CreateWebhookEndpoint registers an endpoint of the actor's (the program's
// for an operator, its supplier's for a supplier) with a fresh secret, which
// the answer carries this once. allowPrivate lets the URL name a private or
// loopback address (tests, the demo).
func (db *DB) CreateWebhookEndpoint(ctx context.Context, actor account.Actor, in notify.EndpointInput, allowPrivate bool) (*notify.Endpoint, error) {
	const op = "store.CreateWebhookEndpoint"
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	url, types, err := checkEndpoint(ctx, in, supplier, allowPrivate)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	secret := notify.NewSecret()
	var e *notify.Endpoint
	err = db.Write(ctx, func(tx *Tx) error {
		id, err := tx.Insert(ctx, `INSERT INTO webhook_endpoints (supplier_id, url, event_types, active, secret, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, nullInt(supplier), url, types, in.Active, secret, actor.AccountID, ts(tx.Now()), ts(tx.Now()))
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, actor.AccountID, "webhook.create", subjectEndpoint(id), nil, url+" "+types); err != nil {
			return err
		}
		e, err = tx.endpoint(ctx, id, supplier)
		return err
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	e.Secret = secret
	return e, nil
}

// UpdateWebhookEndpoint changes an endpoint's URL, event types and active flag.
func (db *DB) UpdateWebhookEndpoint(ctx context.Context, actor account.Actor, id int64, in notify.EndpointInput, allowPrivate bool) (*notify.Endpoint, error) {
	const op = "store.UpdateWebhookEndpoint"
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	url, types, err := checkEndpoint(ctx, in, supplier, allowPrivate)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var e *notify.Endpoint
	err = db.Write(ctx, func(tx *Tx) error {
		old, err := tx.endpoint(ctx, id, supplier)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET url = ?, event_types = ?, active = ?, updated_at = ? WHERE id = ?`,
			url, types, in.Active, ts(tx.Now()), id); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor.AccountID, "webhook.update", subjectEndpoint(id), old.URL, url+" "+types); err != nil {
			return err
		}
		e, err = tx.endpoint(ctx, id, supplier)
		return err
	})
	return e, errs.Wrap(op, err)
}

// RotateWebhookSecret gives an endpoint a new secret, returned this once;
// deliveries signed from now on use it.
func (db *DB) RotateWebhookSecret(ctx context.Context, actor account.Actor, id int64) (*notify.Endpoint, error) {
	const op = "store.RotateWebhookSecret"
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	secret := notify.NewSecret()
	var e *notify.Endpoint
	err = db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.endpoint(ctx, id, supplier); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET secret = ?, updated_at = ? WHERE id = ?`, secret, ts(tx.Now()), id); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor.AccountID, "webhook.rotate", subjectEndpoint(id), nil, nil); err != nil {
			return err
		}
		e, err = tx.endpoint(ctx, id, supplier)
		return err
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	e.Secret = secret
	return e, nil
}

// WebhookEndpoints lists the actor's endpoints (an operator sees every
// endpoint, suppliers' too), without secrets.
func (db *DB) WebhookEndpoints(ctx context.Context, actor account.Actor) ([]notify.Endpoint, error) {
	const op = "store.WebhookEndpoints"
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	out := []notify.Endpoint{}
	err = db.Read(ctx, func(tx *Tx) error {
		q, args := endpointSelect+` ORDER BY id`, []any{}
		if supplier != 0 {
			q, args = endpointSelect+` WHERE supplier_id = ? ORDER BY id`, []any{supplier}
		}
		return tx.Each(ctx, q, args, func(scan func(...any) error) error {
			e, err := scanEndpoint(scan)
			if err == nil {
				out = append(out, *e)
			}
			return err
		})
	})
	return out, errs.Wrap(op, err)
}

// WebhookEndpoint returns one of the actor's endpoints, without its secret.
func (db *DB) WebhookEndpoint(ctx context.Context, actor account.Actor, id int64) (*notify.Endpoint, error) {
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap("store.WebhookEndpoint", err)
	}
	var e *notify.Endpoint
	err = db.Read(ctx, func(tx *Tx) error {
		var err error
		e, err = tx.endpoint(ctx, id, supplier)
		return err
	})
	return e, errs.Wrap("store.WebhookEndpoint", err)
}

const endpointSelect = `SELECT id, supplier_id, url, event_types, active, created_at, updated_at FROM webhook_endpoints`

func scanEndpoint(scan func(...any) error) (*notify.Endpoint, error) {
	var e notify.Endpoint
	var supplier sql.NullInt64
	var types string
	var created, updated int64
	if err := scan(&e.ID, &supplier, &e.URL, &types, &e.Active, &created, &updated); err != nil {
		return nil, sqldb.MapErr(err)
	}
	e.SupplierID, e.CreatedAt, e.UpdatedAt = supplier.Int64, fromTS(created), fromTS(updated)
	e.EventTypes = []notify.Kind{}
	if types != "*" {
		for _, k := range strings.Fields(types) {
			e.EventTypes = append(e.EventTypes, notify.Kind(k))
		}
	}
	return &e, nil
}

// endpoint reads endpoint id as owner supplier sees it (0: the operator, who sees all).
func (tx *Tx) endpoint(ctx context.Context, id, supplier int64) (*notify.Endpoint, error) {
	var e *notify.Endpoint
	err := tx.One(ctx, "webhook endpoint", endpointSelect+` WHERE id = ?`, []any{id}, func(scan func(...any) error) error {
		var err error
		e, err = scanEndpoint(scan)
		return err
	})
	if err == nil && supplier != 0 && e.SupplierID != supplier {
		return nil, errs.E(errs.NotFound, "", "webhook endpoint not found")
	}
	return e, err
}

func subjectEndpoint(id int64) string { return "webhook_endpoint:" + strconvI(id) }
