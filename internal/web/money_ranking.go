package web

import (
	"net/http"

	"sharemall/internal/store"
)

// moneyRankingView is one ranking with the tabs to the others.
type moneyRankingView struct {
	*store.Ranking
	Periods []moneyFilter
	Bys     []moneyFilter
	Me      int64
	MyRank  int // 0: I am not in it
}

// moneyRanking shows this week's or this month's top distributors by sales
// or by commission (推广人排行, 佣金排行). The program always shows it (see
// docs/web.md, "Money and team pages").
func (s *Server) moneyRanking(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.moneyCentrePage(w, r, "ranking.title")
	if !ok {
		return err
	}
	q := r.URL.Query()
	period, by := store.RankPeriod(q.Get("period")), store.RankBy(q.Get("by"))
	if period == "" {
		period = store.RankWeek
	}
	if by == "" {
		by = store.RankBySales
	}
	rk, err := s.db.Ranking(r.Context(), p.Actor, period, by, 20)
	if err != nil {
		return err
	}
	v := &moneyRankingView{Ranking: rk, Me: p.Actor.DistributorID}
	for _, x := range []store.RankPeriod{store.RankWeek, store.RankMonth} {
		v.Periods = append(v.Periods, moneyFilter{Status: string(x), Key: "ranking.period." + string(x),
			URL: moneyURL("/centre/ranking", "period", string(x), "by", string(by)), Current: x == period})
	}
	for _, x := range []store.RankBy{store.RankBySales, store.RankByCommission} {
		v.Bys = append(v.Bys, moneyFilter{Status: string(x), Key: "ranking.by." + string(x),
			URL: moneyURL("/centre/ranking", "period", string(period), "by", string(x)), Current: x == by})
	}
	for _, e := range rk.Entries {
		if e.DistributorID == v.Me {
			v.MyRank = e.Rank
		}
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "ranking", p)
	return nil
}
