package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// reviewOnChange is the review state a product takes when it is created
// or edited by actor: pending while the program reviews products and the
// change is a supplier's, else approved (an operator is the reviewer).
func (tx *Tx) reviewOnChange(ctx context.Context, actor account.Actor) (catalog.ReviewStatus, error) {
	st, err := tx.settings(ctx)
	if err != nil {
		return "", err
	}
	if st.ProductReview && !actor.IsOperator() {
		return catalog.ReviewPending, nil
	}
	return catalog.ReviewApproved, nil
}

// productEdited puts p back in review after a supplier changed it (its
// fields or its SKUs) while the program reviews products: it is off sale
// until an operator approves it again. Otherwise nothing changes.
func (tx *Tx) productEdited(ctx context.Context, actor account.Actor, p *catalog.Product) error {
	st, err := tx.settings(ctx)
	if err != nil || !st.ProductReview || actor.IsOperator() || p.Review == catalog.ReviewPending {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE products SET review = ?, review_reason = '' WHERE id = ?`, string(catalog.ReviewPending), p.ID); err != nil {
		return err
	}
	p.Review, p.ReviewReason = catalog.ReviewPending, ""
	return nil
}

// ReviewProduct approves or rejects a product waiting for review (operator
// only, audited; a rejection needs a reason, which the supplier sees). An
// approved product is on sale again if its supplier has it on sale; a
// rejected one stays off sale until the supplier edits it (which asks for
// review again). A product not pending is a Conflict on review.
func (db *DB) ReviewProduct(ctx context.Context, actor account.Actor, id int64, approve bool, reason string) (*catalog.Product, error) {
	const op = "store.ReviewProduct"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	to := catalog.ReviewApproved
	if !approve {
		to = catalog.ReviewRejected
	}
	reason = strings.TrimSpace(reason)
	switch {
	case utf8.RuneCountInString(reason) > MaxReason || !utf8.ValidString(reason):
		return nil, errs.Wrap(op, errs.Invalidf("reason", "must be at most %d characters", MaxReason))
	case !approve && reason == "":
		return nil, errs.Wrap(op, errs.Invalidf("reason", "say why the product is rejected"))
	}
	var p *catalog.Product
	err := db.Write(ctx, func(tx *Tx) error {
		old, err := tx.product(ctx, id)
		if err != nil {
			return err
		}
		n, err := tx.ExecN(ctx, `UPDATE products SET review = ?, review_reason = ? WHERE id = ? AND review = ?`,
			string(to), reason, id, string(catalog.ReviewPending))
		if err != nil {
			return err
		}
		if n != 1 {
			return errs.E(errs.Conflict, "review", "is %s; only a product waiting for review can be reviewed", old.Review)
		}
		type review struct {
			Review catalog.ReviewStatus `json:"review"`
			Reason string               `json:"reason,omitempty"`
		}
		if err := tx.audit(ctx, actor.AccountID, "product.review", fmt.Sprintf("product:%d", id),
			review{Review: old.Review}, review{Review: to, Reason: reason}); err != nil {
			return err
		}
		p, err = tx.product(ctx, id)
		return err
	})
	return p, errs.Wrap(op, err)
}
