package web

import (
	"net/http"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// routesSup registers the supplier console: what needs doing, products and
// SKUs, warehouses (service areas, stock), the fulfilment queue (shipping one by one or by CSV, packing
// lists), after-sale cases and API keys.
func (s *Server) routesSup() {
	s.handle("GET /sup", s.supHome)
	s.handle("GET /sup/products", s.supProducts)
	s.handle("GET /sup/products/new", s.supProductNew)
	s.handle("POST /sup/products", s.supProductCreate)
	s.handle("GET /sup/products/{id}", s.supProductEdit)
	s.handle("POST /sup/products/{id}", s.supProductUpdate)
	s.handle("POST /sup/products/{id}/skus", s.supSKUAdd)
	s.handle("POST /sup/products/{id}/shipping", s.supProductShippingSave)
	s.handle("POST /sup/skus/{id}", s.supSKUUpdate)
	s.handle("GET /sup/warehouses", s.supWarehouses)
	s.handle("POST /sup/warehouses", s.supWarehouseCreate)
	s.handle("GET /sup/warehouses/{id}", s.supWarehouse)
	s.handle("POST /sup/warehouses/{id}", s.supWarehouseUpdate)
	s.handle("POST /sup/warehouses/{id}/areas", s.supWarehouseAreas)
	s.handle("GET /sup/warehouses/{id}/stock", s.supStock)
	s.handle("POST /sup/warehouses/{id}/stock/{sku}", s.supStockSet)
	s.handle("GET /sup/shipping", s.supShipping)
	s.handle("GET /sup/shipping/new", s.supShippingEdit)
	s.handle("POST /sup/shipping", s.supShippingSave)
	s.handle("POST /sup/shipping/default", s.supShippingDefault)
	s.handle("GET /sup/shipping/{id}", s.supShippingEdit)
	s.handle("POST /sup/shipping/{id}", s.supShippingSave)
	s.handle("GET /sup/parcels", s.supParcels)
	s.handle("GET /sup/parcels/{id}", s.supParcel)
	s.handle("POST /sup/parcels/{id}/ship", s.supShip)
	s.handle("GET /sup/parcels/upload", s.supUploadForm)
	s.handle("POST /sup/parcels/upload", s.supUpload)
	s.handle("GET /sup/cases", s.supCases)
	s.handle("POST /sup/cases/{id}/decision", s.supDecide)
	s.handle("POST /sup/cases/{id}/return-received", s.supReturnReceived)
	s.handle("GET /sup/keys", s.supKeys)
	s.handle("POST /sup/keys", s.supKeyCreate)
	s.handle("POST /sup/keys/{id}/revoke", s.supKeyRevoke)
}

// supPage starts a supplier console page in section: anonymous people sign
// in first, anyone who does not run a supplier is refused. The actor it
// returns acts only as the supplier (an operator who also runs a supplier
// sees only that supplier's goods here), so every store call below is
// scoped to the supplier's own products, parcels, cases and stock.
func (s *Server) supPage(r *http.Request, section string) (*Page, account.Actor, error) {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return nil, account.Actor{}, errs.E(errs.Unauthorized, "", "sign in first")
	}
	if !p.Actor.Has(account.Supplier) || p.Actor.SupplierID == 0 {
		return nil, account.Actor{}, errs.E(errs.Forbidden, "", "the supplier console is for suppliers")
	}
	p.Console = section
	sup := account.Actor{AccountID: p.Actor.AccountID, Roles: []account.Role{account.Supplier}, SupplierID: p.Actor.SupplierID,
		APIKeyID: p.Actor.APIKeyID}
	return p, sup, nil
}
