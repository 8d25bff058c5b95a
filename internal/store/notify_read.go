package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/sqldb"
)

// NotificationFilter pages a person's notifications, newest first: Before
// is the Next of the previous page ("" for the first).
type NotificationFilter struct {
	Before     string
	Limit      int
	UnreadOnly bool
}

// Notifications returns a page of the actor's own notifications with its unread count.
func (db *DB) Notifications(ctx context.Context, actor account.Actor, f NotificationFilter) (*notify.Page, error) {
	const op = "store.Notifications"
	switch {
	case actor.Anonymous():
		return nil, errs.E(errs.Unauthorized, "", "sign in to see your notifications")
	case actor.APIKeyID != 0:
		return nil, errs.E(errs.Forbidden, "", "notifications are a person's: an API key has none")
	}
	var beforeAt, beforeID int64
	if f.Before != "" {
		var ok bool
		if beforeAt, beforeID, ok = parseCursor(f.Before); !ok {
			return nil, errs.Invalidf("before", "%q is not a page cursor (pass the next value of the previous page)", f.Before)
		}
	}
	limit := limitPlusOne(f.Limit)
	page := &notify.Page{Items: []notify.Notification{}}
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT n.id, n.event_id, e.kind, e.ref_id, n.amount, e.data, n.at, n.read_at FROM notifications n
			JOIN notify_events e ON e.id = n.event_id WHERE n.account_id = ?`
		args := []any{actor.AccountID}
		if f.Before != "" {
			q += ` AND (n.at < ? OR (n.at = ? AND n.id < ?))`
			args = append(args, beforeAt, beforeAt, beforeID)
		}
		if f.UnreadOnly {
			q += ` AND n.read_at IS NULL`
		}
		err := tx.Each(ctx, q+` ORDER BY n.at DESC, n.id DESC LIMIT ?`, append(args, limit), func(scan func(...any) error) error {
			var n notify.Notification
			var kind, data string
			var at int64
			var read nullableInt
			if err := scan(&n.ID, &n.EventID, &kind, &n.RefID, &n.Amount, &data, &at, &read); err != nil {
				return sqldb.MapErr(err)
			}
			n.Kind, n.At = notify.Kind(kind), fromTS(at)
			if read != 0 {
				t := fromTS(int64(read))
				n.ReadAt = &t
			}
			if err := json.Unmarshal([]byte(data), &n.Data); err != nil {
				return err
			}
			page.Items = append(page.Items, n)
			return nil
		})
		if err != nil {
			return err
		}
		page.Unread, err = tx.unread(ctx, actor.AccountID)
		return err
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	if len(page.Items) == limit {
		page.Items = page.Items[:limit-1]
		last := page.Items[len(page.Items)-1]
		page.Next = cursor(ts(last.At), last.ID)
	}
	return page, nil
}

func cursor(at, id int64) string { return strconvI(at) + "_" + strconvI(id) }

func parseCursor(s string) (at, id int64, ok bool) {
	a, b, found := strings.Cut(s, "_")
	at, err1 := parseI(a)
	id, err2 := parseI(b)
	return at, id, found && err1 == nil && err2 == nil && id > 0
}

func (tx *Tx) unread(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := tx.Get(ctx, "unread count", `SELECT COUNT(*) FROM notifications WHERE account_id = ? AND read_at IS NULL`, []any{accountID}, &n)
	return n, err
}

// UnreadNotifications counts the actor's unread notifications (0 for nobody signed in).
func (db *DB) UnreadNotifications(ctx context.Context, actor account.Actor) (int, error) {
	if actor.Anonymous() || actor.APIKeyID != 0 {
		return 0, nil
	}
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.unread(ctx, actor.AccountID)
		return err
	})
	return n, errs.Wrap("store.UnreadNotifications", err)
}

// MarkNotificationsRead marks the actor's notifications ids read, or all of
// them when all is set, and returns the unread count after. Ids that are
// not the actor's are refused as a whole; already read ones stay as they were.
func (db *DB) MarkNotificationsRead(ctx context.Context, actor account.Actor, ids []int64, all bool) (int, error) {
	const op = "store.MarkNotificationsRead"
	switch {
	case actor.Anonymous():
		return 0, errs.E(errs.Unauthorized, "", "sign in to read your notifications")
	case actor.APIKeyID != 0:
		return 0, errs.E(errs.Forbidden, "", "notifications are a person's: an API key has none")
	case all && len(ids) > 0:
		return 0, errs.Invalidf("ids", "give either ids or all, not both")
	case !all && len(ids) == 0:
		return 0, errs.Invalidf("ids", "give the ids of the notifications to mark read, or all: true")
	case len(ids) > 200:
		return 0, errs.Invalidf("ids", "at most 200 ids at once, not %d", len(ids))
	}
	var unread int
	err := db.Write(ctx, func(tx *Tx) error {
		if all {
			if _, err := tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE account_id = ? AND read_at IS NULL`, ts(tx.Now()), actor.AccountID); err != nil {
				return err
			}
		}
		for _, id := range ids {
			if id <= 0 {
				return errs.Invalidf("ids", "%d is not a notification id", id)
			}
			ok, err := tx.Exists(ctx, `SELECT 1 FROM notifications WHERE id = ? AND account_id = ?`, id, actor.AccountID)
			if err != nil {
				return err
			}
			if !ok {
				return errs.E(errs.NotFound, "ids", "notification %d not found", id)
			}
			if _, err := tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL`, ts(tx.Now()), id); err != nil {
				return err
			}
		}
		var err error
		unread, err = tx.unread(ctx, actor.AccountID)
		return err
	})
	return unread, errs.Wrap(op, err)
}

func strconvI(v int64) string { return strconv.FormatInt(v, 10) }

func parseI(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }
