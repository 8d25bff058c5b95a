package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"sharemall/internal/fraud"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// The rules of each signal are in docs/fraud.md; these read the durable
// records they are computed from.

// contactCap bounds how many contact points of one account are compared.
const contactCap = 200

// selfPurchaseChunk reads up to limit orders paid after the orders
// watermark (and, when margin, again those paid within FraudMargin before
// it: the first chunk of a run), compares
// each buyer with its tier-1 seller (fraud.SelfPurchase), and moves the
// watermark. It returns how many orders past the old watermark it read.
func (tx *Tx) selfPurchaseChunk(ctx context.Context, limit int, margin bool) (int, error) {
	mark, err := tx.fraudMark(ctx, fraudSourceOrders)
	if err != nil {
		return 0, err
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return 0, err
	}
	type paid struct {
		id, at, buyer, seller, sellerAccount int64
		attribution                          string
	}
	from := max(mark-FraudMargin.Microseconds(), ts(tx.Now().Add(-FraudHorizon)))
	if !margin {
		from = mark + 1
	}
	// Keyset pages from the margin: past the watermark, only limit at a time.
	var rows []paid
	err = tx.Each(ctx, `SELECT o.id, o.paid_at, o.customer_account_id, o.seller_id, d.account_id, o.attribution FROM orders o
		JOIN distributors d ON d.id = o.seller_id
		WHERE o.paid_at >= ? AND o.paid_at <= ? ORDER BY o.paid_at, o.id`, []any{from, mark},
		func(scan func(...any) error) error {
			var p paid
			err := scan(&p.id, &p.at, &p.buyer, &p.seller, &p.sellerAccount, &p.attribution)
			rows = append(rows, p)
			return sqldb.MapErr(err)
		})
	if err != nil {
		return 0, err
	}
	fresh := 0
	err = tx.Each(ctx, `SELECT o.id, o.paid_at, o.customer_account_id, o.seller_id, d.account_id, o.attribution FROM orders o
		JOIN distributors d ON d.id = o.seller_id
		WHERE o.paid_at > ? ORDER BY o.paid_at, o.id LIMIT ?`, []any{max(mark, from-1), limit},
		func(scan func(...any) error) error {
			var p paid
			err := scan(&p.id, &p.at, &p.buyer, &p.seller, &p.sellerAccount, &p.attribution)
			rows = append(rows, p)
			fresh++
			return sqldb.MapErr(err)
		})
	if err != nil {
		return 0, err
	}
	var found []finding
	seen := contactCache{}
	for _, p := range rows {
		mark = max(mark, p.at)
		if ownPurchase(p.attribution) {
			continue // the program pays commission on own purchases: the operator's rule, not a signal
		}
		match, err := tx.linked(ctx, seen, p.buyer, p.sellerAccount)
		if err != nil {
			return 0, err
		}
		if len(match) > 0 {
			found = append(found, finding{fraud.SelfPurchase, p.seller, fmt.Sprintf("order:%d", p.id),
				fraud.Evidence{Match: match, Orders: []int64{p.id}, Accounts: []int64{p.buyer}}})
		}
	}
	if _, err := tx.record(ctx, s, found); err != nil {
		return 0, err
	}
	tx.Point(ctx, "fraud.orders.recorded")
	return fresh, tx.setFraudMark(ctx, fraudSourceOrders, mark)
}

// ownPurchase reports whether an order's attribution (orders.attribution,
// order.Attribution as JSON) is a distributor's own purchase that the
// program pays commission on by its own_purchase_commission setting
// (docs/campaigns.md, "Own purchase").
func ownPurchase(attribution string) bool {
	var a order.Attribution
	return json.Unmarshal([]byte(attribution), &a) == nil && a.Source == order.FromOwnPurchase
}

// linked says how buyer is linked to the seller's account: the same
// account, or a phone, a shipping address or a payout account in common
// (none: not linked).
func (tx *Tx) linked(ctx context.Context, seen contactCache, buyer, seller int64) ([]string, error) {
	if buyer == seller {
		return []string{"account"}, nil
	}
	var match []string
	for _, c := range []struct {
		name string
		of   func(context.Context, int64) ([]string, error)
	}{{"phone", tx.contactPhones}, {"address", tx.contactAddresses}, {"payout", tx.payoutPrints}} {
		a, err := seen.get(ctx, c.name, buyer, c.of)
		if err != nil {
			return nil, err
		}
		b, err := seen.get(ctx, c.name, seller, c.of)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(a, func(k string) bool { return k != "" && slices.Contains(b, k) }) {
			match = append(match, c.name)
		}
	}
	return match, nil
}

// contactCache keeps the contact points read in one chunk, by kind and
// account: a seller's are read once for all its orders.
type contactCache map[string]map[int64][]string

func (c contactCache) get(ctx context.Context, kind string, acct int64, read func(context.Context, int64) ([]string, error)) ([]string, error) {
	if v, ok := c[kind][acct]; ok {
		return v, nil
	}
	v, err := read(ctx, acct)
	if err != nil {
		return nil, err
	}
	if c[kind] == nil {
		c[kind] = map[int64][]string{}
	}
	c[kind][acct] = v
	return v, nil
}

// contactPhones: the account's phone, its saved addresses' and the phones
// its orders were shipped to, as fraud.PhoneKey compares them.
func (tx *Tx) contactPhones(ctx context.Context, acct int64) ([]string, error) {
	raw, err := sqldb.Column[string](ctx, tx.Tx, `SELECT COALESCE(phone, '') FROM accounts WHERE id = ?
		UNION SELECT phone FROM addresses WHERE account_id = ?
		UNION SELECT ship_phone FROM orders WHERE customer_account_id = ? LIMIT ?`, []any{acct, acct, acct, contactCap})
	out := make([]string, 0, len(raw))
	for _, p := range raw {
		out = append(out, fraud.PhoneKey(p))
	}
	return out, err
}

// contactAddresses: the account's saved addresses and where its orders were
// shipped, as fraud.AddressKey compares them.
func (tx *Tx) contactAddresses(ctx context.Context, acct int64) ([]string, error) {
	var out []string
	err := tx.Each(ctx, `SELECT region_code, address FROM addresses WHERE account_id = ?
		UNION SELECT ship_region, ship_address FROM orders WHERE customer_account_id = ? LIMIT ?`, []any{acct, acct, contactCap},
		func(scan func(...any) error) error {
			var region, addr string
			err := scan(&region, &addr)
			out = append(out, fraud.AddressKey(region, addr))
			return sqldb.MapErr(err)
		})
	return out, err
}

// payoutPrints: the fingerprint of the payout account of the account's
// distributor, if it recorded one.
func (tx *Tx) payoutPrints(ctx context.Context, acct int64) ([]string, error) {
	return sqldb.Column[string](ctx, tx.Tx, `SELECT p.fingerprint FROM payout_details p JOIN distributors d ON d.id = p.owner_id
		WHERE p.owner_kind = 'distributor' AND d.account_id = ? AND p.fingerprint <> ''`, []any{acct})
}

// clickSpam finds click spam on each program day from the one the
// watermark names to today (fraud.ClickSpam), and returns the watermark to
// record with the findings: the day that held FraudMargin ago, the
// earliest that may still gain visits.
func (tx *Tx) clickSpam(ctx context.Context, s *program.Settings) ([]finding, int64, error) {
	mark, err := tx.fraudMark(ctx, fraudSourceVisits)
	if err != nil {
		return nil, 0, err
	}
	now := tx.Now()
	start := now.Add(-24 * time.Hour) // the first run reads yesterday and today
	if mark != 0 {
		start = fromTS(max(mark, ts(now.Add(-FraudHorizon))))
	}
	var found []finding
	for day, _ := s.Day(start); !day.After(now); _, day = s.Day(day) {
		_, end := s.Day(day)
		f, err := tx.clickSpamDay(ctx, s, day, end)
		if err != nil {
			return nil, 0, err
		}
		found = append(found, f...)
		if end.After(now) {
			break
		}
	}
	first, _ := s.Day(now.Add(-FraudMargin))
	return found, ts(first), nil
}

// clickSpamDay finds the (distributor, address) pairs with at least
// ClickSpamVisits visits in [day, end) of which no visitor bought from
// the distributor.
func (tx *Tx) clickSpamDay(ctx context.Context, s *program.Settings, day, end time.Time) ([]finding, error) {
	type pair struct {
		distributor int64
		addr        string
		visits      int64
	}
	var pairs []pair
	err := tx.Each(ctx, `SELECT distributor_id, ip_hash, COUNT(*) FROM visits WHERE at >= ? AND at < ? AND ip_hash <> ''
		GROUP BY distributor_id, ip_hash HAVING COUNT(*) >= ? ORDER BY distributor_id, ip_hash`,
		[]any{ts(day), ts(end), s.Fraud.ClickSpamVisits}, func(scan func(...any) error) error {
			var p pair
			err := scan(&p.distributor, &p.addr, &p.visits)
			pairs = append(pairs, p)
			return sqldb.MapErr(err)
		})
	if err != nil {
		return nil, err
	}
	var found []finding
	for _, p := range pairs {
		var buyers int64
		if err := tx.Get(ctx, "visits", `SELECT COUNT(*) FROM visits v WHERE v.distributor_id = ? AND v.ip_hash = ? AND v.at >= ? AND v.at < ?
			AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_account_id = v.customer_account_id AND o.seller_id = v.distributor_id AND o.paid_at IS NOT NULL)`,
			[]any{p.distributor, p.addr, ts(day), ts(end)}, &buyers); err != nil {
			return nil, err
		}
		if buyers > 0 {
			continue
		}
		d := day.In(s.Location()).Format("2006-01-02")
		found = append(found, finding{fraud.ClickSpam, p.distributor, "day:" + d + ":ip:" + short(p.addr),
			fraud.Evidence{Count: p.visits, Day: d}})
	}
	return found, nil
}

// short is a stable, short name for a key that is not shown (an address
// hash, a visitor token, an address).
func short(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:8])
}

// clusters turns (key, distributor) rows, ordered by key, into a finding
// per distributor of every key shared by at least size distributors.
func clusters(kind fraud.Kind, match string, size int, rows [][2]any) []finding {
	by := map[string][]int64{}
	var keys []string
	for _, r := range rows {
		k, d := r[0].(string), r[1].(int64)
		if _, ok := by[k]; !ok {
			keys = append(keys, k)
		}
		if !slices.Contains(by[k], d) {
			by[k] = append(by[k], d)
		}
	}
	slices.Sort(keys)
	var found []finding
	for _, k := range keys {
		ds := by[k]
		if len(ds) < size {
			continue
		}
		slices.Sort(ds)
		for _, d := range ds {
			others := slices.DeleteFunc(slices.Clone(ds), func(x int64) bool { return x == d })
			found = append(found, finding{kind, d, match + ":" + short(k), fraud.Evidence{Match: []string{match}, Distributors: others, Count: int64(len(ds))}})
		}
	}
	return found
}

// keyRows reads (key, distributor) rows, the key mapped by norm.
func (tx *Tx) keyRows(ctx context.Context, q string, args []any, norm func(a, b string) string) ([][2]any, error) {
	var rows [][2]any
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		var a, b string
		var d int64
		if err := scan(&a, &b, &d); err != nil {
			return sqldb.MapErr(err)
		}
		if k := norm(a, b); k != "" {
			rows = append(rows, [2]any{k, d})
		}
		return nil
	})
	return rows, err
}

// payoutClusters: distributors whose payout details have one fingerprint.
func (tx *Tx) payoutClusters(ctx context.Context, s *program.Settings) ([]finding, error) {
	rows, err := tx.keyRows(ctx, `SELECT fingerprint, '', owner_id FROM payout_details WHERE owner_kind = 'distributor' AND fingerprint IN (
			SELECT fingerprint FROM payout_details WHERE owner_kind = 'distributor' AND fingerprint <> '' GROUP BY fingerprint HAVING COUNT(*) >= ?)
		ORDER BY fingerprint, owner_id`, []any{s.Fraud.ClusterSize}, func(a, _ string) string { return a })
	return clusters(fraud.Cluster, "payout", s.Fraud.ClusterSize, rows), err
}

// deviceClusters: distributors whose accounts opened share links from one
// browser (the visitor token of their visits) in the last FraudHorizon.
func (tx *Tx) deviceClusters(ctx context.Context, s *program.Settings) ([]finding, error) {
	rows, err := tx.keyRows(ctx, `SELECT DISTINCT v.visitor, '', d.id FROM visits v JOIN distributors d ON d.account_id = v.customer_account_id
		WHERE v.at >= ? AND v.visitor <> '' AND v.visitor IN (
			SELECT v2.visitor FROM visits v2 JOIN distributors d2 ON d2.account_id = v2.customer_account_id
			WHERE v2.at >= ? AND v2.visitor <> '' GROUP BY v2.visitor HAVING COUNT(DISTINCT d2.id) >= ?)
		ORDER BY 1, 3`, []any{ts(tx.Now().Add(-FraudHorizon)), ts(tx.Now().Add(-FraudHorizon)), s.Fraud.ClusterSize},
		func(a, _ string) string { return a })
	return clusters(fraud.Cluster, "device", s.Fraud.ClusterSize, rows), err
}

// addressClusters: distributors whose accounts saved, or had orders
// shipped to, one address (fraud.AddressKey).
func (tx *Tx) addressClusters(ctx context.Context, s *program.Settings) ([]finding, error) {
	rows, err := tx.keyRows(ctx, `SELECT a.region_code, a.address, d.id FROM addresses a JOIN distributors d ON d.account_id = a.account_id
		UNION SELECT o.ship_region, o.ship_address, d.id FROM orders o JOIN distributors d ON d.account_id = o.customer_account_id
			WHERE o.created_at >= ?
		ORDER BY 3`, []any{ts(tx.Now().Add(-FraudHorizon))}, fraud.AddressKey)
	return clusters(fraud.Cluster, "address", s.Fraud.ClusterSize, rows), err
}

// refundRates: sellers whose lines settled in the last RefundWindowDays
// had more than RefundRate of what remained paid on them at settlement
// refunded since, over at least RefundMinOrders orders.
func (tx *Tx) refundRates(ctx context.Context, s *program.Settings) ([]finding, error) {
	since := tx.Now().AddDate(0, 0, -s.Fraud.RefundWindowDays)
	var found []finding
	err := tx.Each(ctx, `SELECT o.seller_id, COUNT(DISTINCT l.order_id), SUM(l.base + l.markup),
			COALESCE(SUM((SELECT SUM(r.refunded) FROM commission_refunds r WHERE r.line_id = l.line_id AND r.at >= l.settled_at)), 0)
		FROM commission_lines l JOIN orders o ON o.id = l.order_id
		WHERE l.status = 'settled' AND l.settled_at >= ? AND o.seller_id IS NOT NULL
		GROUP BY o.seller_id HAVING COUNT(DISTINCT l.order_id) >= ? ORDER BY o.seller_id`,
		[]any{ts(since), s.Fraud.RefundMinOrders}, func(scan func(...any) error) error {
			var d, orders int64
			var left, refunded money.Amount
			if err := scan(&d, &orders, &left, &refunded); err != nil {
				return sqldb.MapErr(err)
			}
			settled := left + refunded // what remained paid on the lines when they settled
			if fraud.RefundRateExceeds(settled, refunded, s.Fraud.RefundRate) {
				found = append(found, finding{fraud.RefundRate, d, "month:" + month(s, tx.Now()), fraud.Evidence{Count: orders,
					Settled: int64(settled), Refunded: int64(refunded), RateBP: fraud.RateBP(settled, refunded), Since: since.In(s.Location()).Format("2006-01-02")}})
			}
			return nil
		})
	return found, err
}

// emptyTeams: sponsors with at least EmptyTeamMembers direct members who
// joined in the last EmptyTeamDays, none of whom has paid for an order.
func (tx *Tx) emptyTeams(ctx context.Context, s *program.Settings) ([]finding, error) {
	since := tx.Now().AddDate(0, 0, -s.Fraud.EmptyTeamDays)
	sponsors, err := sqldb.Column[int64](ctx, tx.Tx, `SELECT sponsor_id FROM distributors WHERE joined_at >= ? AND sponsor_id IS NOT NULL
		GROUP BY sponsor_id HAVING COUNT(*) >= ? ORDER BY sponsor_id`, []any{ts(since), s.Fraud.EmptyTeamMembers})
	if err != nil {
		return nil, err
	}
	var found []finding
	for _, sp := range sponsors {
		var members []int64
		var accounts []int64
		var bought bool
		err := tx.Each(ctx, `SELECT d.id, d.account_id, EXISTS (SELECT 1 FROM orders o WHERE o.customer_account_id = d.account_id AND o.paid_at IS NOT NULL)
			FROM distributors d WHERE d.sponsor_id = ? AND d.joined_at >= ? ORDER BY d.id`, []any{sp, ts(since)},
			func(scan func(...any) error) error {
				var id, acct int64
				var b bool
				if err := scan(&id, &acct, &b); err != nil {
					return sqldb.MapErr(err)
				}
				members, accounts, bought = append(members, id), append(accounts, acct), bought || b
				return nil
			})
		if err != nil {
			return nil, err
		}
		if bought || len(members) < s.Fraud.EmptyTeamMembers {
			continue
		}
		found = append(found, finding{fraud.EmptyTeam, sp, "month:" + month(s, tx.Now()), fraud.Evidence{Distributors: members, Accounts: accounts,
			Count: int64(len(members)), Since: since.In(s.Location()).Format("2006-01-02")}})
	}
	return found, nil
}
