package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/order"
	"sharemall/internal/store"
)

const moneyOrdersPage = 20

// moneyOrdersView is my shop's orders: those attributed to me, newest first.
type moneyOrdersView struct {
	Status  string
	Filters []moneyFilter
	Orders  []store.SellerOrder
	Older   string
}

// moneyOrders lists the orders attributed to me (推广订单): the customer
// masked, the amount, what I earn on it and where it stands.
func (s *Server) moneyOrders(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.moneyCentrePage(w, r, "shoporders.title")
	if !ok {
		return err
	}
	v := &moneyOrdersView{Status: r.URL.Query().Get("status")}
	before, err := moneyQueryID(r, "before")
	if err != nil {
		return err
	}
	for _, f := range []order.Status{"", order.Paid, order.Completed, order.Unpaid, order.Cancelled} {
		key := "shoporders.filter." + string(f)
		if f == "" {
			key = "shoporders.filter.all"
		}
		v.Filters = append(v.Filters, moneyFilter{Status: string(f), Key: key, URL: moneyURL("/centre/orders", "status", string(f)),
			Current: string(f) == v.Status})
	}
	list, err := s.db.SellerOrders(r.Context(), p.Actor, store.SellerOrderFilter{Status: order.Status(v.Status), Before: before, Limit: moneyOrdersPage})
	if err != nil {
		return err
	}
	if len(list) > moneyOrdersPage {
		list = list[:moneyOrdersPage]
		v.Older = moneyURL("/centre/orders", "status", v.Status, "before", strconv.FormatInt(list[moneyOrdersPage-1].ID, 10))
	}
	v.Orders = list
	p.Data = v
	s.render(w, r, http.StatusOK, "shoporders", p)
	return nil
}
