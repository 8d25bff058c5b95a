package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/jobs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/store"
)

const day = 24 * time.Hour

// Order states the demo holds, as Result.Orders counts them.
const (
	StateUnpaid         = "unpaid"
	StatePaid           = "paid"
	StateShipped        = "shipped"
	StateReceived       = "received"
	StateSettled        = "settled"
	StatePartlyRefunded = "partly_refunded"
	StateFullyRefunded  = "fully_refunded"
	StateCancelled      = "cancelled"
)

// States lists the order states in lifecycle order.
var States = []string{StateUnpaid, StatePaid, StateShipped, StateReceived, StateSettled, StatePartlyRefunded, StateFullyRefunded, StateCancelled}

// The demo's shops: a founder without sponsor (sells at retail), and
// sellers deeper in the tree that mark their prices up.
var demoShops = []struct {
	login  string
	markup bool
}{
	{"dist001@demo.example.com", false},
	{"dist002@demo.example.com", true},
	{"dist005@demo.example.com", true},
	{"dist009@demo.example.com", false},
}

const (
	demoCoupon     = "WELCOME5"                 // dist002's: 5% off
	demoAgentLogin = "dist003@demo.example.com" // the regional agent of Shanghai
	demoAgentArea  = "CN.31"
)

// Shipping addresses: Shanghai (every supplier, and the agent's area),
// Hangzhou (every supplier), Shenzhen (foods and home), Beijing (tea and home).
var demoRegions = []string{"CN.31.01.15", "CN.33.01.06", "CN.44.03.05", "CN.11.01.05"}

type demoStock struct {
	skuID, productID int64
	supplier         int // index into demoSuppliers
	retail, ceiling  money.Amount
}

// orderSeeder places the demo's orders on a clock it moves by hand.
type orderSeeder struct {
	*seeder
	at        time.Time
	sandbox   *payment.Sandbox
	suppliers []account.Actor // owners, by index of demoSuppliers
	supplierI map[int64]int   // supplier id → index
	customers []account.Actor
	shops     []account.Actor
	links     []string // each shop's link code
	skus      []demoStock
	n         int // orders placed
}

func (s *seeder) actorByLogin(ctx context.Context, login string) (account.Actor, error) {
	c, err := s.db.CredentialsFor(ctx, login, "")
	if err != nil {
		return account.Actor{}, fmt.Errorf("%s: %w", login, err)
	}
	return s.db.ActorFor(ctx, c.AccountID)
}

// seedOrders opens shops, share links, a coupon and a regional agent, then
// places orders in every state through the store's own methods. Events are
// placed in the past by moving db.Now, so the after-sale windows of the
// settled orders have closed; db.Now is restored at the end.
func (s *seeder) seedOrders(ctx context.Context) error {
	orig := s.db.Now
	end := orig().UTC().Truncate(time.Minute)
	o := &orderSeeder{seeder: s, at: end.Add(-40 * day), sandbox: &payment.Sandbox{Secret: []byte("demo")}, supplierI: map[int64]int{}}
	s.db.Now = func() time.Time { return o.at }
	defer func() { s.db.Now = orig }()
	steps := []func(context.Context) error{o.program, o.people, o.catalog, o.openShops, o.promote, o.visit}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return o.lifecycle(ctx, end)
}

// program pays regional agents 1% and gives customers a day to pay, so the
// unpaid demo orders stay unpaid for a while after the demo starts.
func (o *orderSeeder) program(ctx context.Context) error {
	st, err := o.db.Settings(ctx)
	if err != nil {
		return err
	}
	st.AreaRate, st.UnpaidTimeoutMinutes = 100, 24*60
	_, err = o.db.UpdateSettings(ctx, o.op, st, st.Version)
	return err
}

func (o *orderSeeder) people(ctx context.Context) error {
	for i, ds := range demoSuppliers {
		a, err := o.actorByLogin(ctx, ds.login)
		if err != nil {
			return err
		}
		o.suppliers = append(o.suppliers, a)
		o.supplierI[a.SupplierID] = i
	}
	for i := 1; ; i++ {
		a, err := o.actorByLogin(ctx, fmt.Sprintf("customer%02d@demo.example.com", i))
		if errs.Is(err, errs.NotFound) {
			break
		} else if err != nil {
			return err
		}
		o.customers = append(o.customers, a)
	}
	if len(o.customers) < 4 {
		return fmt.Errorf("orders need at least 4 customers, have %d", len(o.customers))
	}
	return nil
}

func (o *orderSeeder) catalog(ctx context.Context) error {
	onSale := true
	for i, sup := range o.suppliers {
		ps, err := o.db.Products(ctx, o.op, store.ProductFilter{SupplierID: sup.SupplierID, OnSale: &onSale, Limit: 200})
		if err != nil {
			return err
		}
		for _, p := range ps {
			for _, k := range p.SKUs {
				if !k.OnSale {
					continue
				}
				st := demoStock{skuID: k.ID, productID: p.ID, supplier: i, retail: k.RetailPrice}
				if k.PriceCeiling != nil {
					st.ceiling = *k.PriceCeiling
				}
				o.skus = append(o.skus, st)
			}
		}
	}
	return nil
}

// openShops gives each demo shop the first four products of every
// supplier, marked up halfway to the ceiling where the shop marks up.
func (o *orderSeeder) openShops(ctx context.Context) error {
	for i, sh := range demoShops {
		a, err := o.actorByLogin(ctx, sh.login)
		if err != nil {
			return err
		}
		if _, err := o.db.OpenShop(ctx, a, store.ShopInput{Name: fmt.Sprintf("Good Finds %d 好物", i+1),
			AvatarURL: shopAvatar(i + 1), Description: "Tea, snacks and things for the home, picked by hand."}); err != nil {
			return fmt.Errorf("shop of %s: %w", sh.login, err)
		}
		added := map[int64]bool{}
		perSupplier := map[int]int{}
		for _, k := range o.skus {
			if !added[k.productID] {
				if perSupplier[k.supplier] == 4 {
					continue
				}
				if _, err := o.db.AddShopItem(ctx, a, k.productID); err != nil {
					return fmt.Errorf("shop item of %s: %w", sh.login, err)
				}
				added[k.productID] = true
				perSupplier[k.supplier]++
			}
			if sh.markup && k.ceiling > k.retail {
				if _, err := o.db.SetShopPrice(ctx, a, k.skuID, k.retail+(k.ceiling-k.retail)/2); err != nil {
					return fmt.Errorf("shop price of %s: %w", sh.login, err)
				}
			}
		}
		l, err := o.db.ShareLink(ctx, a, 0, store.ChannelLink)
		if err != nil {
			return err
		}
		if _, err := o.db.ShareLink(ctx, a, o.skus[0].productID, store.ChannelPoster); err != nil {
			return err
		}
		if a, err = o.db.ActorFor(ctx, a.AccountID); err != nil {
			return err
		}
		o.shops, o.links = append(o.shops, a), append(o.links, l.Code)
	}
	return nil
}

func (o *orderSeeder) promote(ctx context.Context) error {
	if _, err := o.db.CreateCoupon(ctx, o.shops[1], store.CouponInput{Code: demoCoupon, Kind: store.CouponPercent, Value: 500}); err != nil {
		return fmt.Errorf("coupon: %w", err)
	}
	agent, err := o.actorByLogin(ctx, demoAgentLogin)
	if err != nil {
		return err
	}
	if _, err := o.db.GrantArea(ctx, o.op, demoAgentArea, agent.DistributorID); err != nil {
		return fmt.Errorf("regional agent: %w", err)
	}
	return nil
}

// visit binds all customers but the last four through a shop's link; of
// those four, two will enter the coupon and two buy with no seller at all.
func (o *orderSeeder) visit(ctx context.Context) error {
	for i, c := range o.customers[:len(o.customers)-4] {
		o.at = o.at.Add(time.Minute)
		if _, _, err := o.db.RecordVisit(ctx, c, o.links[i%len(o.links)], fmt.Sprintf("demo-visitor-%02d", i+1)); err != nil {
			return fmt.Errorf("visit: %w", err)
		}
	}
	// Friends who open a link without signing in, some twice: the share
	// funnel's visits outnumber its unique visitors and its buyers.
	for i := range 12 * len(o.links) {
		o.at = o.at.Add(7 * time.Minute)
		visitor := fmt.Sprintf("demo-browser-%02d", i%(9*len(o.links)))
		if _, _, err := o.db.RecordVisit(ctx, account.Actor{}, o.links[i%len(o.links)], visitor); err != nil {
			return fmt.Errorf("visit: %w", err)
		}
	}
	return nil
}

// covers says whether supplier i has a warehouse area over region.
func covers(i int, region string) bool {
	for _, w := range demoSuppliers[i].warehouses {
		for _, a := range w.areas {
			if region == a || strings.HasPrefix(region, a+".") {
				return true
			}
		}
	}
	return false
}

// place checks out a cart for the n-th order: one to three SKUs its
// region's suppliers ship, the first of at least minQty units. A cart
// whose stock is gone is drawn again.
func (o *orderSeeder) place(ctx context.Context, minQty int64) (*order.Order, account.Actor, error) {
	o.n++
	o.at = o.at.Add(time.Hour)
	ci := (o.n - 1) % len(o.customers)
	cust := o.customers[ci]
	coupon := ci == len(o.customers)-4 || ci == len(o.customers)-3
	region := demoRegions[o.n%len(demoRegions)]
	var last error
	for range 20 {
		in := order.CheckoutInput{ShipTo: order.ShipTo{RegionCode: region, Name: fmt.Sprintf("Customer %d", cust.AccountID),
			Phone: fmt.Sprintf("1380013%04d", o.n), Address: fmt.Sprintf("%d Garden Road", 10+o.n)}}
		if coupon {
			in.CouponCode = demoCoupon
		}
		seen := map[int64]bool{}
		for len(in.Items) < 1+o.rng.IntN(3) {
			k := o.skus[o.rng.IntN(len(o.skus))]
			if seen[k.skuID] || !covers(k.supplier, region) {
				continue
			}
			seen[k.skuID] = true
			q := max(minQty, 1+int64(o.rng.IntN(2)))
			if len(in.Items) > 0 {
				q = 1
			}
			in.Items = append(in.Items, order.Item{SKUID: k.skuID, Quantity: q})
		}
		got, err := o.db.Checkout(ctx, cust, in, fmt.Sprintf("demo-%d", o.n))
		if err == nil {
			return got, cust, nil
		}
		if !strings.HasPrefix(errs.FieldOf(err), "items[") {
			return nil, cust, fmt.Errorf("order %d: %w", o.n, err)
		}
		last = err
	}
	return nil, cust, fmt.Errorf("order %d: no cart in stock: %w", o.n, last)
}

func (o *orderSeeder) pay(ctx context.Context, ord *order.Order, cust account.Actor) error {
	o.at = o.at.Add(5 * time.Minute)
	ref := fmt.Sprintf("sbx_demo_%d", ord.ID)
	if _, err := o.db.StartPayment(ctx, cust, ord.ID, o.sandbox.Name(), ref); err != nil {
		return fmt.Errorf("pay order %d: %w", ord.ID, err)
	}
	out, _, err := o.db.ApplyPayment(ctx, store.CallbackInput{Provider: o.sandbox.Name(), ProviderRef: ref, Amount: ord.Total,
		Currency: ord.Currency, Payload: fmt.Sprintf(`{"provider_ref":%q,"status":"paid","demo":true}`, ref)})
	if err == nil && out != store.OutcomeApplied {
		err = fmt.Errorf("outcome %s", out)
	}
	if err != nil {
		return fmt.Errorf("payment of order %d: %w", ord.ID, err)
	}
	return nil
}

func (o *orderSeeder) ship(ctx context.Context, ord *order.Order) error {
	for _, f := range ord.Fulfilments {
		if _, err := o.db.ShipFulfilment(ctx, o.suppliers[o.supplierI[f.SupplierID]], f.ID, "SF Express", fmt.Sprintf("SF%010d", f.ID)); err != nil {
			return fmt.Errorf("ship %d: %w", f.ID, err)
		}
	}
	return nil
}

func (o *orderSeeder) receive(ctx context.Context, ord *order.Order, cust account.Actor) error {
	for _, f := range ord.Fulfilments {
		if _, err := o.db.ConfirmReceipt(ctx, cust, f.ID); err != nil {
			return fmt.Errorf("receive %d: %w", f.ID, err)
		}
	}
	return nil
}

// refund asks for qty units of a line back (by the customer, or by the
// operator after the customer's window) and has its supplier approve it.
// decide false leaves the case open.
func (o *orderSeeder) refund(ctx context.Context, who account.Actor, l order.Line, kind store.CaseKind, qty int64, decide bool) error {
	c, err := o.db.OpenCase(ctx, who, l.ID, kind, qty, "arrived damaged")
	if err != nil {
		return fmt.Errorf("case on line %d: %w", l.ID, err)
	}
	if !decide {
		return nil
	}
	sup := o.suppliers[o.supplierI[l.SupplierID]]
	if _, err = o.db.DecideCase(ctx, sup, c.ID, true, "sorry, refunded", o.sandbox); err != nil {
		return fmt.Errorf("decide case %d: %w", c.ID, err)
	}
	if kind == store.ReturnRefund {
		o.at = o.at.Add(day)
		if _, err = o.db.ReturnShipped(ctx, who, c.ID, "YTO Express", fmt.Sprintf("YT%010d", c.ID)); err == nil {
			o.at = o.at.Add(2 * day)
			_, err = o.db.ReturnReceived(ctx, sup, c.ID, o.sandbox)
		}
		if err != nil {
			return fmt.Errorf("return of case %d: %w", c.ID, err)
		}
	}
	return nil
}

// withdraw has the three richest shops ask for half their balance; the
// operator pays one, approves one and leaves one to review.
func (o *orderSeeder) withdraw(ctx context.Context) error {
	for i, sh := range o.shops[:3] {
		w, err := o.db.Wallet(ctx, sh, sh.DistributorID)
		if err != nil {
			return err
		}
		if w.Available < 200 {
			continue
		}
		o.at = o.at.Add(time.Hour)
		req, err := o.db.RequestWithdrawal(ctx, sh, sh.DistributorID, w.Available/2, fmt.Sprintf("demo-%d", i))
		if err != nil {
			return fmt.Errorf("withdrawal: %w", err)
		}
		switch i {
		case 0:
			_, err = o.db.ApproveWithdrawal(ctx, o.op, req.ID, fmt.Sprintf("BANK-DEMO-%d", req.ID))
		case 1:
			_, err = o.db.ApproveWithdrawal(ctx, o.op, req.ID, "")
		}
		if err != nil {
			return fmt.Errorf("decide withdrawal %d: %w", req.ID, err)
		}
	}
	return nil
}

type placed struct {
	o    *order.Order
	cust account.Actor
}

// batch places n orders an hour apart, paying them when pay is set; every
// fifth has a first line of two units or more so that a part can be refunded.
func (o *orderSeeder) batch(ctx context.Context, n int, pay bool) ([]placed, error) {
	var out []placed
	for i := range n {
		ord, cust, err := o.place(ctx, 1+int64(i%5/4))
		if err == nil && pay {
			err = o.pay(ctx, ord, cust)
		}
		if err != nil {
			return nil, err
		}
		if ord, err = o.db.Order(ctx, cust, ord.ID); err != nil {
			return nil, err
		}
		out = append(out, placed{ord, cust})
	}
	return out, nil
}

// lifecycle walks the orders through their states on the demo's clock,
// from forty days before end (the real time the demo was built) to end.
func (o *orderSeeder) lifecycle(ctx context.Context, end time.Time) error {
	old, err := o.batch(ctx, 30, true)
	if err != nil {
		return err
	}
	// Two orders refunded in full before they ship.
	o.at = o.at.Add(2 * time.Hour)
	for _, p := range old[:2] {
		for _, l := range p.o.Lines {
			if err := o.refund(ctx, p.cust, l, store.RefundOnly, l.Quantity, true); err != nil {
				return err
			}
		}
	}
	o.at = o.at.Add(day)
	for _, p := range old[2:] {
		if err := o.ship(ctx, p.o); err != nil {
			return err
		}
	}
	o.at = o.at.Add(2 * day)
	for _, p := range old[2:] {
		if err := o.receive(ctx, p.o, p.cust); err != nil {
			return err
		}
	}
	// Refunds of part of an order before settlement: two refunds only, one return.
	o.at = o.at.Add(day)
	for i, p := range []placed{old[4], old[9], old[14]} {
		kind := store.RefundOnly
		if i == 2 {
			kind = store.ReturnRefund
		}
		if err := o.refund(ctx, p.cust, p.o.Lines[0], kind, 1, true); err != nil {
			return err
		}
	}
	// The after-sale windows close; the sweeps settle everything received.
	o.at = o.at.Add(10 * day)
	if err := o.sweep(ctx); err != nil {
		return err
	}
	// A refund after settlement, opened by the operator: the commissions are clawed back.
	o.at = o.at.Add(day)
	if err := o.refund(ctx, o.op, old[19].o.Lines[0], store.RefundOnly, 1, true); err != nil {
		return err
	}
	o.at = o.at.Add(day)
	if err := o.payouts(ctx); err != nil {
		return err
	}
	if err := o.withdraw(ctx); err != nil {
		return err
	}

	// Recent orders: six days ago paid, then shipped, four of them received.
	o.at = end.Add(-6 * day)
	recent, err := o.batch(ctx, 10, true)
	if err != nil {
		return err
	}
	o.at = end.Add(-5 * day)
	for _, p := range recent {
		if err := o.ship(ctx, p.o); err != nil {
			return err
		}
	}
	o.at = end.Add(-4 * day)
	for _, p := range recent[:5] {
		if err := o.receive(ctx, p.o, p.cust); err != nil {
			return err
		}
	}
	// A refund of part of a received order, and a case the supplier has yet to decide.
	o.at = end.Add(-3*day - 12*time.Hour)
	if err := o.refund(ctx, recent[4].cust, recent[4].o.Lines[0], store.RefundOnly, 1, true); err != nil {
		return err
	}
	if err := o.refund(ctx, recent[3].cust, recent[3].o.Lines[0], store.RefundOnly, 1, false); err != nil {
		return err
	}
	// Four orders never paid (cancelled by the sweep), six paid and not shipped.
	o.at = end.Add(-3 * day)
	if _, err := o.batch(ctx, 4, false); err != nil {
		return err
	}
	o.at = end.Add(-2 * day)
	if _, err := o.batch(ctx, 6, true); err != nil {
		return err
	}
	o.at = end.Add(-1 * day)
	if err := o.sweep(ctx); err != nil {
		return err
	}
	// Waiting for payment now.
	o.at = end.Add(-6 * time.Hour)
	_, err = o.batch(ctx, 5, false)
	return err
}

// sweep runs every background sweep the job runner runs, at o.at.
func (o *orderSeeder) sweep(ctx context.Context) error {
	for _, sw := range jobs.Sweeps(o.db) {
		for {
			n, err := sw.Run(ctx, 1000)
			if err != nil {
				return fmt.Errorf("%s: %w", sw.Name, err)
			}
			if n < 1000 {
				break
			}
		}
	}
	return nil
}
