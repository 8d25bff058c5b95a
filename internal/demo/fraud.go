package demo

import (
	"context"
	"fmt"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/store"
)

// Fraud signals in the demo (docs/fraud.md): three distributors whose
// accounts saved one address (a cluster, which holds their settlement), and
// one shop's link opened sixty times in an hour from one network address
// that never bought (click spam). Then the fraud sweep runs, so the
// operator's queue at /ops/fraud has something to review.

// demoClusterLogins share one address.
var demoClusterLogins = []string{"dist004@demo.example.com", "dist006@demo.example.com", "dist007@demo.example.com"}

// demoSpamAddress is the network address of the click spam (a documentation range).
const demoSpamAddress = "198.51.100.23"

func (o *orderSeeder) flag(ctx context.Context) error {
	for i, login := range demoClusterLogins {
		a, err := o.actorByLogin(ctx, login)
		if err != nil {
			return err
		}
		if _, err := o.db.SaveAddress(ctx, a, store.Address{Name: fmt.Sprintf("Member %d", i+1), Phone: fmt.Sprintf("+861390000%04d", i+1),
			RegionCode: "CN.33.01.06", Address: []string{"18 Lotus Lane, Room 5", "18 lotus lane room 5", "18 Lotus Lane Room 5"}[i]}); err != nil {
			return fmt.Errorf("fraud demo: %w", err)
		}
	}
	spam := store.WithClientAddress(ctx, demoSpamAddress)
	for i := range 60 {
		o.at = o.at.Add(time.Minute)
		if _, _, err := o.db.RecordVisit(spam, account.Actor{}, o.links[3], fmt.Sprintf("demo-spam-%02d", i)); err != nil {
			return fmt.Errorf("fraud demo: %w", err)
		}
	}
	o.at = o.at.Add(store.FraudAggregateEvery)
	_, err := o.db.SweepFraud(ctx, 1000)
	return err
}
