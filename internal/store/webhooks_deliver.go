package store

import (
	"context"
	"encoding/json"
	"time"

	"golang.org/x/sync/errgroup"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/sqldb"
)

// WebhookSender posts one delivery (notify.Sender; a test's may differ only in transport).
type WebhookSender interface {
	Send(ctx context.Context, p notify.Post, now time.Time) notify.Result
}

// WebhookWorkers is how many deliveries one sweep sends at once.
const WebhookWorkers = 4

// DeliverDueWebhooks sends up to limit due deliveries, WebhookWorkers at a
// time, as executor (a name unique to the process). Each is claimed first
// (ClaimDelivery), sent outside any transaction, and its attempt recorded
// (recordAttempt): at least once, never two executors on one attempt.
// It returns how many attempts it made.
func (db *DB) DeliverDueWebhooks(ctx context.Context, sender WebhookSender, executor string, limit int) (int, error) {
	const op = "store.DeliverDueWebhooks"
	if limit <= 0 {
		limit = 100
	}
	now := ts(db.Now())
	ids, err := db.dueIDs(ctx, `SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE d.status = 'pending' AND d.next_at <= ? AND d.claimed_until <= ? AND w.active = TRUE
		ORDER BY d.next_at, d.id LIMIT ?`, now, now, limit)
	if err != nil {
		return 0, errs.Wrap(op, err)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(WebhookWorkers)
	sent := make([]bool, len(ids))
	for i, id := range ids {
		g.Go(func() error {
			c, err := db.ClaimDelivery(gctx, id, executor)
			if err != nil || c == nil {
				return err // nil: another executor has it, or it is no longer due
			}
			res := sender.Send(gctx, c.Post, time.Now()) // signed by the wall clock, which receivers check
			sent[i] = true
			return db.RecordAttempt(context.WithoutCancel(gctx), c, res)
		})
	}
	err = g.Wait()
	n := 0
	for _, s := range sent {
		if s {
			n++
		}
	}
	return n, errs.Wrap(op, err)
}

// Claim is an executor's hold on one attempt of a delivery.
type Claim struct {
	Delivery, Attempt int64
	Executor          string
	Post              notify.Post
}

// ClaimDelivery claims the next attempt of delivery id for executor until
// deliveryClaim from now, when it is pending, due and not claimed (or its
// claim lapsed: a crashed executor) and its endpoint is active (a paused
// endpoint's deliveries wait for it to be resumed). nil when it is not. The claim is one
// conditional UPDATE that also counts the attempt: on PostgreSQL (READ
// COMMITTED) a second claimer waits for the first's row lock and then finds
// the condition false; SQLite runs writes one at a time. So one attempt
// number is only ever one executor's.
func (db *DB) ClaimDelivery(ctx context.Context, id int64, executor string) (*Claim, error) {
	var c *Claim
	err := db.Write(ctx, func(tx *Tx) error {
		c = nil
		due, err := tx.Exists(ctx, `SELECT 1 FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
			WHERE d.id = ? AND d.status = 'pending' AND d.next_at <= ? AND d.claimed_until <= ? AND w.active = TRUE`,
			id, ts(tx.Now()), ts(tx.Now()))
		if err != nil || !due {
			return err
		}
		tx.Point(ctx, "webhook.claim.due") // seen due; not claimed yet
		n, err := tx.ExecN(ctx, `UPDATE webhook_deliveries SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1
			WHERE id = ? AND status = 'pending' AND next_at <= ? AND claimed_until <= ?`,
			executor, ts(tx.Now().Add(deliveryClaim)), id, ts(tx.Now()), ts(tx.Now()))
		if err != nil || n == 0 {
			return err
		}
		c = &Claim{Delivery: id, Executor: executor}
		var kind, data string
		var eventID, at int64
		if err := tx.Get(ctx, "webhook delivery", `SELECT d.attempts, w.url, w.secret, e.id, e.kind, e.data, e.at FROM webhook_deliveries d
			JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN notify_events e ON e.id = d.event_id WHERE d.id = ?`, []any{id},
			&c.Attempt, &c.Post.URL, &c.Post.Secret, &eventID, &kind, &data, &at); err != nil {
			return err
		}
		c.Post.EventID = "evt_" + strconvI(eventID)
		c.Post.Body, err = json.Marshal(struct {
			ID        string          `json:"id"`
			Type      string          `json:"type"`
			CreatedAt time.Time       `json:"created_at"`
			Data      json.RawMessage `json:"data"`
		}{c.Post.EventID, kind, fromTS(at).UTC(), json.RawMessage(data)})
		return err
	})
	return c, errs.Wrap("store.ClaimDelivery", err)
}

// RecordAttempt logs what a claimed attempt got and moves its delivery on:
// delivered on a 2xx; otherwise due again after notify.Backoff, or failed
// after notify.MaxAttempts. The log row is written whatever happened; the
// delivery changes only while the claim is still this one (the same
// executor and attempt number): an executor whose claim lapsed and was
// taken over changes nothing but the log.
func (db *DB) RecordAttempt(ctx context.Context, c *Claim, r notify.Result) error {
	err := db.Write(ctx, func(tx *Tx) error {
		status, next, ended := notify.Delivered, ts(tx.Now()), nullTS(nil)
		var retry *time.Time
		switch {
		case r.OK():
			now := tx.Now()
			ended = nullTS(&now)
		case c.Attempt >= notify.MaxAttempts:
			status = notify.Failed
			now := tx.Now()
			ended = nullTS(&now)
		default:
			status = notify.Pending
			t := tx.Now().Add(notify.Backoff(c.Attempt))
			retry, next = &t, ts(t)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, executor, at, status_code, latency_ms, error, response, next_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, attempt) DO NOTHING`,
			c.Delivery, c.Attempt, c.Executor, ts(tx.Now()), r.Status, r.Latency.Milliseconds(), clip(r.Err, 500), clip(r.Response, responseLength), nullTS(retry)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, next_at = ?, ended_at = ?, claimed_by = '', claimed_until = 0
			WHERE id = ? AND claimed_by = ? AND attempts = ? AND status = 'pending'`, status, next, ended, c.Delivery, c.Executor, c.Attempt)
		return err
	})
	return errs.Wrap("store.RecordAttempt", err)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		n--
	}
	return s[:n]
}

// ReplayWebhookDelivery makes a new delivery of delivery id's event to the
// same endpoint, due now (the receiver sees the same Sharemall-Event-Id).
func (db *DB) ReplayWebhookDelivery(ctx context.Context, actor account.Actor, id int64) (*notify.Delivery, error) {
	const op = "store.ReplayWebhookDelivery"
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var d *notify.Delivery
	err = db.Write(ctx, func(tx *Tx) error {
		old, err := tx.delivery(ctx, id, supplier)
		if err != nil {
			return err
		}
		nid, err := tx.Insert(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, replay_of, status, next_at, created_at)
			VALUES (?, ?, ?, 'pending', ?, ?)`, old.EndpointID, old.EventID, id, ts(tx.Now()), ts(tx.Now()))
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, actor.AccountID, "webhook.replay", "webhook_delivery:"+strconvI(id), nil, nid); err != nil {
			return err
		}
		d, err = tx.delivery(ctx, nid, supplier)
		return err
	})
	return d, errs.Wrap(op, err)
}

// DeliveryFilter narrows a list of deliveries; Before pages by id.
type DeliveryFilter struct {
	EndpointID int64
	Status     string
	Before     int64
	Limit      int
}

// WebhookDeliveries lists deliveries of the actor's endpoints, newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, actor account.Actor, f DeliveryFilter) ([]notify.Delivery, error) {
	const op = "store.WebhookDeliveries"
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	switch f.Status {
	case "", notify.Pending, notify.Delivered, notify.Failed:
	default:
		return nil, errs.Wrap(op, errs.Invalidf("status", "%q is not a delivery status (pending, delivered, failed)", f.Status))
	}
	q, args := deliverySelect+` WHERE 1 = 1`, []any{}
	for _, c := range []struct {
		on   bool
		cond string
		arg  any
	}{{supplier != 0, ` AND w.supplier_id = ?`, supplier}, {f.EndpointID != 0, ` AND d.endpoint_id = ?`, f.EndpointID},
		{f.Status != "", ` AND d.status = ?`, f.Status}, {f.Before > 0, ` AND d.id < ?`, f.Before}} {
		if c.on {
			q, args = q+c.cond, append(args, c.arg)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	out := []notify.Delivery{}
	err = db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, q+` ORDER BY d.id DESC LIMIT ?`, append(args, limit), func(scan func(...any) error) error {
			d, err := scanDelivery(scan)
			if err == nil {
				out = append(out, *d)
			}
			return err
		})
	})
	return out, errs.Wrap(op, err)
}

// WebhookDelivery returns one delivery of the actor's with its attempts.
func (db *DB) WebhookDelivery(ctx context.Context, actor account.Actor, id int64) (*notify.Delivery, error) {
	const op = "store.WebhookDelivery"
	supplier, err := webhookOwner(actor)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var d *notify.Delivery
	err = db.Read(ctx, func(tx *Tx) error {
		var err error
		if d, err = tx.delivery(ctx, id, supplier); err != nil {
			return err
		}
		d.Log = []notify.Attempt{}
		return tx.Each(ctx, `SELECT attempt, executor, at, status_code, latency_ms, error, response, next_at FROM webhook_attempts
			WHERE delivery_id = ? ORDER BY attempt`, []any{id}, func(scan func(...any) error) error {
			var a notify.Attempt
			var at int64
			var next nullableInt
			if err := scan(&a.Attempt, &a.Executor, &at, &a.StatusCode, &a.LatencyMS, &a.Error, &a.Response, &next); err != nil {
				return sqldb.MapErr(err)
			}
			a.At = fromTS(at)
			if next != 0 {
				t := fromTS(int64(next))
				a.NextAt = &t
			}
			d.Log = append(d.Log, a)
			return nil
		})
	})
	return d, errs.Wrap(op, err)
}

const deliverySelect = `SELECT d.id, d.endpoint_id, d.event_id, e.kind, d.replay_of, d.status, d.attempts, d.next_at, d.created_at, d.ended_at
	FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN notify_events e ON e.id = d.event_id`

func scanDelivery(scan func(...any) error) (*notify.Delivery, error) {
	var d notify.Delivery
	var kind string
	var replay, ended nullableInt
	var next, created int64
	if err := scan(&d.ID, &d.EndpointID, &d.EventID, &kind, &replay, &d.Status, &d.Attempts, &next, &created, &ended); err != nil {
		return nil, sqldb.MapErr(err)
	}
	d.Kind, d.ReplayOf, d.NextAt, d.CreatedAt = notify.Kind(kind), int64(replay), fromTS(next), fromTS(created)
	if ended != 0 {
		t := fromTS(int64(ended))
		d.EndedAt = &t
	}
	return &d, nil
}

func (tx *Tx) delivery(ctx context.Context, id, supplier int64) (*notify.Delivery, error) {
	q, args := deliverySelect+` WHERE d.id = ?`, []any{id}
	if supplier != 0 {
		q, args = q+` AND w.supplier_id = ?`, append(args, supplier)
	}
	var d *notify.Delivery
	err := tx.One(ctx, "webhook delivery", q, args, func(scan func(...any) error) error {
		var err error
		d, err = scanDelivery(scan)
		return err
	})
	return d, err
}
