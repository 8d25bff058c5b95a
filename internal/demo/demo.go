// Package demo builds a sample program: an operator, three suppliers with
// about thirty products and warehouses across China, two hundred
// distributors over several generations with grades, customers, and about
// sixty orders in every state with their refunds, settlements and
// withdrawals (orders.go). It goes through the same store methods as the
// API, so the demo data obeys every rule real data does. The data is the same on every run (fixed seed).
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// Password is every demo account's password.
const Password = "sharemall-demo-1"

// Login is one demo account to show.
type Login struct {
	Role, Login, Note string
}

// Result says what the demo holds.
type Result struct {
	Reused       bool // the database already held the demo
	Logins       []Login
	Suppliers    int
	Products     int
	Distributors int
	Generations  int
	Customers    int
	Orders       map[string]int // per state: StateUnpaid, StatePaid, …
	Withdrawals  map[string]int // per status
}

const operatorLogin = "operator@demo.example.com"

// Options size the demo; the zero value gives the standard demo.
type Options struct {
	Distributors int // default 200
	Customers    int // default 20
	HashParams   account.HashParams
}

// Seed builds the demo program in db, or reports the one already there.
func Seed(ctx context.Context, db *store.DB, opt Options) (*Result, error) {
	if opt.Distributors == 0 {
		opt.Distributors = 200
	}
	if opt.Customers == 0 {
		opt.Customers = 20
	}
	if opt.HashParams == (account.HashParams{}) {
		opt.HashParams = account.DefaultHashParams
	}
	if _, err := db.CredentialsFor(ctx, operatorLogin, ""); err == nil {
		return summarizeOrders(ctx, db, true)
	} else if !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	// One hash for every demo account: hashing 250 passwords with Argon2id
	// would take most of the start-up time, and they share the password anyway.
	hash, err := account.HashPassword(opt.HashParams, Password)
	if err != nil {
		return nil, err
	}
	s := &seeder{db: db, hash: hash, rng: rand.New(rand.NewPCG(2026, 11))}
	steps := []func(context.Context) error{s.seedOperator, s.seedProgram, s.seedGrades, s.seedCategories, s.seedSuppliers, s.seedShipping}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	if err := s.seedNetwork(ctx, opt.Distributors); err != nil {
		return nil, fmt.Errorf("demo: network: %w", err)
	}
	for i := 1; i <= opt.Customers; i++ {
		if _, err := s.account(ctx, fmt.Sprintf("customer%02d@demo.example.com", i), fmt.Sprintf("Customer %d", i)); err != nil {
			return nil, fmt.Errorf("demo: customers: %w", err)
		}
	}
	if err := s.seedOrders(ctx); err != nil {
		return nil, fmt.Errorf("demo: orders: %w", err)
	}
	return summarizeOrders(ctx, db, false)
}

type seeder struct {
	db        *store.DB
	hash      string
	rng       *rand.Rand
	op        account.Actor
	grades    []*network.Grade
	category  map[string]int64
	suppliers []int64
}

func (s *seeder) account(ctx context.Context, email, name string, roles ...account.Role) (account.Actor, error) {
	a, err := s.db.CreateAccount(ctx, account.SignUp{Email: email, Name: name}, s.hash, append([]account.Role{account.Customer}, roles...)...)
	if err != nil {
		return account.Actor{}, fmt.Errorf("account %s: %w", email, err)
	}
	return s.db.ActorFor(ctx, a.ID)
}

func (s *seeder) seedOperator(ctx context.Context) error {
	var err error
	s.op, err = s.account(ctx, operatorLogin, "Olivia Operator", account.Operator)
	return err
}

// seedProgram turns on a 2% platform fee so every share shows in the figures.
func (s *seeder) seedProgram(ctx context.Context) error {
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	st.PlatformRate = 200
	_, err = s.db.UpdateSettings(ctx, s.op, st, st.Version)
	return err
}

func rate(r money.Rate) *money.Rate { return &r }

func (s *seeder) seedGrades(ctx context.Context) error {
	for _, g := range []network.Grade{
		{Name: "Member", Rank: 0},
		{Name: "Silver", Rank: 1, Tier1Rate: rate(1200), OwnSalesMin: 100000},
		{Name: "Gold", Rank: 2, Tier1Rate: rate(1500), OwnSalesMin: 500000, TeamSalesMin: 2000000},
	} {
		created, err := s.db.CreateGrade(ctx, s.op, g)
		if err != nil {
			return fmt.Errorf("grade %s: %w", g.Name, err)
		}
		s.grades = append(s.grades, created)
	}
	return nil
}

func (s *seeder) seedCategories(ctx context.Context) error {
	s.category = map[string]int64{}
	for _, c := range []struct{ name, slug string }{
		{"Tea 茶", "tea"}, {"Snacks 零食", "snacks"}, {"Home 家居", "home"}, {"Kitchen 厨房", "kitchen"}, {"Beauty 美妆", "beauty"},
	} {
		created, err := s.db.CreateCategory(ctx, s.op, catalog.Category{Name: c.name, Slug: c.slug})
		if err != nil {
			return fmt.Errorf("category %s: %w", c.slug, err)
		}
		s.category[c.slug] = created.ID
	}
	return nil
}
