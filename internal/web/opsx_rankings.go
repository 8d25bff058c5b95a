package web

import (
	"net/http"

	"sharemall/internal/store"
)

// opsxRankingLength is how many distributors each ranking shows.
const opsxRankingLength = 20

// opsxRankingsData is the top distributors of one period by sales and by
// commission, side by side.
type opsxRankingsData struct {
	Period  store.RankPeriod
	Periods []opsxTab
	Lists   []*store.Ranking // by sales, by commission
}

// opsxTab is one tab of a page's filter.
type opsxTab struct {
	Key, URL string
	Current  bool
}

// opsxRankings shows this week's or this month's top distributors by sales
// and by commission, with the same store read as the distributor centre's
// ranking (db.Ranking).
func (s *Server) opsxRankings(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "rankings", "opsx.rankings.title")
	if err != nil {
		return err
	}
	period := store.RankPeriod(r.URL.Query().Get("period"))
	if period == "" {
		period = store.RankWeek
	}
	d := &opsxRankingsData{Period: period}
	for _, by := range []store.RankBy{store.RankBySales, store.RankByCommission} {
		rk, err := s.db.Ranking(r.Context(), p.Actor, period, by, opsxRankingLength)
		if err != nil {
			return err
		}
		d.Lists = append(d.Lists, rk)
	}
	for _, x := range []store.RankPeriod{store.RankWeek, store.RankMonth} {
		d.Periods = append(d.Periods, opsxTab{Key: "opsx.rankings." + string(x), URL: "/ops/rankings?period=" + string(x), Current: x == period})
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "opsx_rankings", p)
	return nil
}
