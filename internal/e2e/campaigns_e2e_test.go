package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// On a 390 px phone, in Chinese, the supplier asks for a tier-1 rate over
// the commission cap: the refusal shows by the rate's field. At 20% with a
// campaign price it saves; a distributor finds it from the centre home and
// sees what it earns per unit. No campaign page scrolls sideways.
func TestCampaignJourney(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		w := newWorld(t, app, "Longjing tea")
		w.distributor("lin@example.com", "Lin", "Lin's Tea", "")
		sup := app.SignedIn(lang, "sup@example.com", password)
		sup.Open("/sup/campaigns")
		acceptDialogs(sup)
		product := fmt.Sprint(w.tea.ID)
		sup.Fill(Label(T(lang, "campaigns.name")), "春茶周")
		sup.Fill(Label(T(lang, "campaigns.tier1_rate")), "40")
		sup.ClickInPlace(Test("product-" + product))
		sup.Fill(Test("price-"+product), "80.00")
		if status := sup.Click(Button(T(lang, "campaigns.create"))); status != http.StatusBadRequest {
			t.Fatalf("a rate over the cap: status %d, want 400", status)
		}
		if got := sup.Text(Test("error-tier1_rate")); !strings.Contains(got, "上限") {
			t.Errorf("the rate's error says %q, want it in Chinese naming the cap", got)
		}
		sup.Fill(Label(T(lang, "campaigns.tier1_rate")), "20")
		if status := sup.Click(Button(T(lang, "campaigns.create"))); status != http.StatusOK {
			t.Fatalf("save: status %d", status)
		}
		sup.See(T(lang, "campaigns.created"), "春茶周", "¥80.00")
		notSideways(t, sup, "/sup/campaigns")

		lin := app.SignedIn(lang, "lin@example.com", password)
		lin.Open("/centre")
		lin.Click(Test("entry-campaigns"))
		lin.See("春茶周", T(lang, "campaigns.status.running"))
		if got := lin.Text(Test(fmt.Sprintf("earn-%d", w.tea.SKUs[0].ID))); got != "¥16.00" {
			t.Errorf("Lin earns %q per 100 g at the campaign price, want ¥16.00 (20%% of ¥80.00)", got)
		}
		notSideways(t, lin, "/centre/campaigns")
		notSideways(t, app.SignedIn(lang, "op@example.com", password), "/ops/campaigns")
	})
}
