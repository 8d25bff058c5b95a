package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

func (s *Server) routesOrders() {
	s.handle("GET /orders", s.ordersPage)
	s.handle("GET /orders/{id}", s.orderPage)
	s.handle("POST /orders/{id}/pay", s.orderPay)
	s.handle("POST /orders/{id}/cancel", s.orderCancel)
	s.handle("POST /orders/{id}/parcels/{parcel}/receive", s.orderReceive)
	s.handle("GET /orders/{id}/aftersale", s.afterSaleNew)
	s.handle("POST /orders/{id}/aftersale", s.afterSaleOpen)
	s.handle("GET /aftersale", s.afterSaleList)
	s.handle("GET /aftersale/{id}", s.afterSaleCase)
	s.handle("POST /aftersale/{id}/cancel", s.afterSaleCancel)
	s.handle("POST /aftersale/{id}/return", s.afterSaleReturn)
}

// ordersPerPage is how many order cards one page of the list shows.
const ordersPerPage = 20

// myTabs are the list's tabs, by the status they ask for ("" is all).
var myTabs = []struct{ Status, Label string }{
	{"", "orders.tab.all"}, {"unpaid", "orders.tab.unpaid"}, {"to_ship", "orders.tab.to_ship"},
	{"to_receive", "orders.tab.to_receive"}, {"done", "orders.tab.done"}, {"aftersale", "orders.tab.aftersale"},
}

// myList is the orders page: the tab, its orders (or, on the after-sale
// tab, the cases) and the next page's cursor.
type myList struct {
	Tabs   any
	Status string
	Orders []myCard
	Cases  []myCaseRow
	Next   int64
}

// ordersPage lists the customer's orders by tab, newest first
// (/orders?status=unpaid|to_ship|to_receive|done|aftersale).
func (s *Server) ordersPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	status := r.URL.Query().Get("status")
	if status == "aftersale" {
		return s.afterSaleList(w, r)
	}
	f := store.CustomerOrderFilter{Stage: store.OrderStage(status), Limit: ordersPerPage}
	if b := r.URL.Query().Get("before"); b != "" {
		var err error
		if f.Before, err = strconv.ParseInt(b, 10, 64); err != nil || f.Before <= 0 {
			return errs.Invalidf("before", "must be an order id")
		}
	}
	list, err := s.db.CustomerOrders(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	d := &myList{Tabs: myTabs, Status: status}
	if len(list) > ordersPerPage {
		list = list[:ordersPerPage]
		d.Next = list[ordersPerPage-1].ID
	}
	for i := range list {
		d.Orders = append(d.Orders, newMyCard(&list[i]))
	}
	p.Title, p.Tab, p.Back, p.Data = p.T("orders.title"), "me", "/me", d
	s.render(w, r, http.StatusOK, "orders", p)
	return nil
}
