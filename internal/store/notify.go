package store

import (
	"context"
	"encoding/json"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/sqldb"
)

// Sweep names of notifications and webhooks.
const (
	SweepNotify   = "notify"   // durable records into events, notifications and deliveries
	SweepWebhooks = "webhooks" // due webhook deliveries to their endpoints
)

// Where the notify sweep reads again before its watermark (a transaction
// stamps its time when it begins and may commit later, after the sweep read
// past that time), and how far back it reads at all (the first run on an
// existing database notifies the last month, not all of history).
const (
	NotifyMargin   = 10 * time.Minute
	NotifyHorizon  = 30 * 24 * time.Hour
	notifyChunk    = 100
	deliveryClaim  = 2 * time.Minute // longer than the sender's timeout
	responseLength = 512
)

// notifySource is where one kind of event is read from: ref, at and
// supplier are SQL expressions over from, which where narrows.
type notifySource struct {
	kind              notify.Kind
	ref, at, supplier string
	from, where       string
	detail            func(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error)
}

// recipient is a person told of an event, with its own amount if any.
type recipient struct{ account, amount int64 }

var notifySources = []notifySource{
	{notify.OrderPaid, "o.id", "o.paid_at", "0", "orders o", "", orderPaidDetail},
	{notify.FulfilmentCreated, "f.id", "o.paid_at", "f.supplier_id", "fulfilment_orders f JOIN orders o ON o.id = f.order_id", "", fulfilmentDetail(false)},
	{notify.CommissionBooked, "o.id", "o.paid_at", "0", "orders o", "AND EXISTS (SELECT 1 FROM commission_lines c WHERE c.order_id = o.id)", commissionBookedDetail},
	{notify.OrderShipped, "f.id", "f.shipped_at", "f.supplier_id", "fulfilment_orders f", "", fulfilmentDetail(true)},
	{notify.OrderDelivered, "f.id", "f.received_at", "f.supplier_id", "fulfilment_orders f", "", fulfilmentDetail(true)},
	{notify.AfterSaleDecided, "c.id", "c.decided_at", "c.supplier_id", "aftersale_cases c", "", caseDecidedDetail},
	{notify.CommissionSettled, "c.line_id", "c.settled_at", "0", "commission_lines c", "", lineDetail(false)},
	{notify.CommissionReverse, "r.id", "r.at", "0", "commission_refunds r", "", lineDetail(true)},
	{notify.WithdrawalDecided, "w.id", "w.decided_at", "0", "withdrawals w", "", withdrawalDetail},
	{notify.TeamJoined, "d.id", "d.joined_at", "0", "distributors d", "AND d.sponsor_id IS NOT NULL", teamDetail},
}

// SweepNotifications reads up to limit new moments from the durable
// records (notifySources), each source from its watermark less
// NotifyMargin, and records each as an event with a notification per
// person it concerns and a webhook delivery per subscribed endpoint. A
// chunk of events and its source's new watermark commit together: a crash
// loses nothing (the chunk is read again) and UNIQUE (kind, ref_id) with
// ON CONFLICT DO NOTHING keeps an event from being recorded twice, by the
// overlap or by two sweeps at once (READ COMMITTED on PostgreSQL: the
// second insert waits for the first's commit, then does nothing).
// Nothing is written by the money paths themselves.
func (db *DB) SweepNotifications(ctx context.Context, limit int) (int, error) {
	const op = "store.SweepNotifications"
	if limit <= 0 {
		limit = 500
	}
	total := 0
	for _, src := range notifySources {
		for total < limit {
			var n int
			want := min(notifyChunk, limit-total)
			err := db.Write(ctx, func(tx *Tx) error {
				var err error
				n, err = tx.notifyChunk(ctx, src, want)
				return err
			})
			if err != nil {
				return total, errs.Wrap(op, err)
			}
			total += n
			if n < want {
				break
			}
		}
	}
	return total, nil
}

type notifyDue struct{ ref, at, supplier int64 }

// notifyChunk records up to limit unrecorded events of src; it returns how many it read.
func (tx *Tx) notifyChunk(ctx context.Context, src notifySource, limit int) (int, error) {
	var mark int64
	if err := tx.Each(ctx, `SELECT at FROM notify_watermarks WHERE source = ?`, []any{string(src.kind)}, func(scan func(...any) error) error {
		return sqldb.MapErr(scan(&mark))
	}); err != nil {
		return 0, err
	}
	from := max(mark-NotifyMargin.Microseconds(), ts(tx.Now().Add(-NotifyHorizon)))
	var due []notifyDue
	err := tx.Each(ctx, `SELECT `+src.ref+`, `+src.at+`, `+src.supplier+` FROM `+src.from+`
		WHERE `+src.at+` >= ? `+src.where+` AND NOT EXISTS (SELECT 1 FROM notify_events e WHERE e.kind = ? AND e.ref_id = `+src.ref+`)
		ORDER BY `+src.at+`, `+src.ref+` LIMIT ?`, []any{from, string(src.kind), limit}, func(scan func(...any) error) error {
		var d notifyDue
		if err := scan(&d.ref, &d.at, &d.supplier); err != nil {
			return sqldb.MapErr(err)
		}
		due = append(due, d)
		return nil
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	for _, d := range due {
		if err := tx.recordEvent(ctx, src, d); err != nil {
			return 0, err
		}
		mark = max(mark, d.at)
	}
	tx.Point(ctx, "notify.recorded") // the chunk's events recorded; the watermark not moved yet
	_, err = tx.Exec(ctx, `INSERT INTO notify_watermarks (source, at) VALUES (?, ?)
		ON CONFLICT (source) DO UPDATE SET at = CASE WHEN excluded.at > notify_watermarks.at THEN excluded.at ELSE notify_watermarks.at END`,
		string(src.kind), mark)
	return len(due), err
}

// recordEvent records one event, its notifications and its deliveries.
func (tx *Tx) recordEvent(ctx context.Context, src notifySource, d notifyDue) error {
	data, to, err := src.detail(ctx, tx, d.ref)
	if err != nil {
		return err
	}
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var id int64
	if err := tx.Each(ctx, `INSERT INTO notify_events (kind, ref_id, supplier_id, data, at, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, ref_id) DO NOTHING RETURNING id`, []any{string(src.kind), d.ref, d.supplier, string(body), d.at, ts(tx.Now())},
		func(scan func(...any) error) error { return sqldb.MapErr(scan(&id)) }); err != nil || id == 0 {
		return err // 0: another sweep recorded it
	}
	for _, r := range to {
		if _, err := tx.Exec(ctx, `INSERT INTO notifications (account_id, event_id, amount, at, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id, event_id) DO NOTHING`, r.account, id, r.amount, d.at, ts(tx.Now())); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, status, next_at, created_at)
		SELECT id, ?, 'pending', ?, ? FROM webhook_endpoints
		WHERE active = TRUE AND (supplier_id IS NULL OR supplier_id = ?) AND (event_types = '*' OR ' ' || event_types || ' ' LIKE ?)
		ORDER BY id`, id, ts(tx.Now()), ts(tx.Now()), d.supplier, "% "+string(src.kind)+" %")
	return err
}

// one reads one row of details.
func one(ctx context.Context, tx *Tx, what, q string, args []any, dest ...any) error {
	return tx.Get(ctx, what, q, args, dest...)
}

func orderPaidDetail(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
	var customer, total int64
	var currency string
	err := one(ctx, tx, "order", `SELECT customer_account_id, total, currency FROM orders WHERE id = ?`, []any{ref}, &customer, &total, &currency)
	return map[string]any{"order_id": ref, "total": total, "currency": currency}, []recipient{{customer, total}}, err
}

// fulfilmentDetail tells the customer (shipped, delivered) or the supplier (a new fulfilment order).
func fulfilmentDetail(toCustomer bool) func(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
	return func(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
		var orderID, supplier, warehouse, customer, owner int64
		var carrier, tracking, status string
		err := one(ctx, tx, "fulfilment order", `SELECT f.order_id, f.supplier_id, f.warehouse_id, f.carrier, f.tracking_number, f.status,
				o.customer_account_id, s.owner_account_id
			FROM fulfilment_orders f JOIN orders o ON o.id = f.order_id JOIN suppliers s ON s.id = f.supplier_id WHERE f.id = ?`, []any{ref},
			&orderID, &supplier, &warehouse, &carrier, &tracking, &status, &customer, &owner)
		data := map[string]any{"fulfilment_id": ref, "order_id": orderID, "supplier_id": supplier, "warehouse_id": warehouse}
		if toCustomer {
			data["carrier"], data["tracking_number"] = carrier, tracking
			return data, []recipient{{customer, 0}}, err
		}
		return data, []recipient{{owner, 0}}, err
	}
}

func caseDecidedDetail(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
	var orderID, line, customer, amount int64
	var status, currency string
	err := one(ctx, tx, "after-sale case", `SELECT order_id, order_line_id, customer_account_id, amount, currency, status FROM aftersale_cases WHERE id = ?`,
		[]any{ref}, &orderID, &line, &customer, &amount, &currency, &status)
	approved := status != string(CaseRejected)
	return map[string]any{"case_id": ref, "order_id": orderID, "line_id": line, "approved": approved, "amount": amount, "currency": currency},
		[]recipient{{customer, amount}}, err
}

// earners returns the distributors earning on the lines q selects (by
// share: tiers, markup, regional agent), with their current amounts.
func earners(ctx context.Context, tx *Tx, where string, arg int64) ([]recipient, error) {
	var out []recipient
	err := tx.Each(ctx, `SELECT d.account_id, SUM(s.amount) FROM commission_shares s JOIN distributors d ON d.id = s.beneficiary_id
		WHERE `+where+` AND s.kind IN ('tier', 'markup', 'agent') AND s.booked_amount > 0
		GROUP BY d.account_id ORDER BY d.account_id`, []any{arg}, func(scan func(...any) error) error {
		var r recipient
		if err := scan(&r.account, &r.amount); err != nil {
			return sqldb.MapErr(err)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

func commissionBookedDetail(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
	var currency string
	if err := one(ctx, tx, "order", `SELECT currency FROM orders WHERE id = ?`, []any{ref}, &currency); err != nil {
		return nil, nil, err
	}
	to, err := earners(ctx, tx, "s.order_id = ?", ref)
	return map[string]any{"order_id": ref, "currency": currency}, to, err
}

// lineDetail tells the earners of a settled line, or of a refunded one
// (ref a commission_refunds row); a reversal's amount is the refund's.
func lineDetail(refund bool) func(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
	return func(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
		line, refunded := ref, int64(0)
		if refund {
			if err := one(ctx, tx, "commission refund", `SELECT line_id, refunded FROM commission_refunds WHERE id = ?`, []any{ref}, &line, &refunded); err != nil {
				return nil, nil, err
			}
		}
		var orderID int64
		var currency string
		if err := one(ctx, tx, "commission line", `SELECT order_id, currency FROM commission_lines WHERE line_id = ?`, []any{line}, &orderID, &currency); err != nil {
			return nil, nil, err
		}
		where := "s.line_id = ?"
		if !refund {
			// A share whose settlement a fraud hold keeps pending has not
			// settled: its earner is not told so (docs/fraud.md).
			where += " AND s.settle_held = FALSE"
		}
		to, err := earners(ctx, tx, where, line)
		data := map[string]any{"order_id": orderID, "line_id": line, "currency": currency}
		if refund {
			data["refunded"] = refunded
			for i := range to {
				to[i].amount = 0 // what is left of each share, not what was reversed: not shown
			}
		}
		return data, to, err
	}
}

func withdrawalDetail(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
	var account, amount int64
	var status, currency, reason string
	err := one(ctx, tx, "withdrawal", `SELECT d.account_id, w.amount, w.currency, w.status, w.reason FROM withdrawals w
		JOIN distributors d ON d.id = w.distributor_id WHERE w.id = ?`, []any{ref}, &account, &amount, &currency, &status, &reason)
	return map[string]any{"withdrawal_id": ref, "approved": status != "rejected", "amount": amount, "currency": currency, "reason": reason},
		[]recipient{{account, amount}}, err
}

func teamDetail(ctx context.Context, tx *Tx, ref int64) (map[string]any, []recipient, error) {
	var sponsorAccount, sponsor int64
	var name string
	err := one(ctx, tx, "distributor", `SELECT s.account_id, s.id, d.display_name FROM distributors d JOIN distributors s ON s.id = d.sponsor_id
		WHERE d.id = ?`, []any{ref}, &sponsorAccount, &sponsor, &name)
	return map[string]any{"distributor_id": ref, "sponsor_id": sponsor, "display_name": name}, []recipient{{sponsorAccount, 0}}, err
}
