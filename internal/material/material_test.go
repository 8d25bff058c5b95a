package material

import (
	"strings"
	"testing"

	"sharemall/internal/errs"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		in    Input
		code  errs.Code
		field string
	}{
		{Input{ProductID: 1, CopyZH: " 好 "}, "", ""},
		{Input{ProductID: 1, CopyEN: "x", Images: []string{"/media/p/1.jpg"}, Published: true}, "", ""},
		{Input{CopyEN: "x"}, errs.Invalid, "product_id"},
		{Input{ProductID: 1, CopyEN: "x", CampaignID: -2}, errs.Invalid, "campaign_id"},
		{Input{ProductID: 1}, errs.Invalid, "copy_zh"},
		{Input{ProductID: 1, CopyEN: strings.Repeat("a", MaxCopyLen+1)}, errs.Invalid, "copy_en"},
		{Input{ProductID: 1, CopyZH: strings.Repeat("字", MaxCopyLen)}, "", ""},
		{Input{ProductID: 1, CopyEN: "x", Images: []string{"/media/a.jpg", "/media/a.jpg"}}, errs.Invalid, "images"},
		{Input{ProductID: 1, CopyEN: "x", Images: make([]string, MaxImages+1)}, errs.Invalid, "images"},
		{Input{ProductID: 1, CopyEN: "x", Images: []string{"javascript:alert(1)"}}, errs.Invalid, "images[0]"},
		{Input{ProductID: 1, CopyEN: "x", Published: true}, errs.Conflict, "images"},
	}
	for i, c := range cases {
		err := c.in.Normalize()
		if c.code == "" && err != nil || c.code != "" && (errs.CodeOf(err) != c.code || errs.FieldOf(err) != c.field) {
			t.Errorf("case %d: %v, want %q on %q", i, err, c.code, c.field)
		}
	}
	in := Input{ProductID: 1, CopyZH: "  春茶 \n"}
	if err := in.Normalize(); err != nil || in.CopyZH != "春茶" || in.Images == nil {
		t.Fatalf("normalized %+v %v", in, err)
	}
}

func TestCopyFallsBack(t *testing.T) {
	both := &Material{CopyZH: "中文", CopyEN: "English"}
	zhOnly := &Material{CopyZH: "中文"}
	enOnly := &Material{CopyEN: "English"}
	for _, c := range []struct {
		m          *Material
		lang, want string
	}{
		{both, "zh", "中文"}, {both, "en", "English"}, {both, "zh-CN", "中文"},
		{zhOnly, "en", "中文"}, {enOnly, "zh", "English"},
	} {
		if got := c.m.Copy(c.lang); got != c.want {
			t.Errorf("%+v in %s: %q, want %q", c.m, c.lang, got, c.want)
		}
	}
}
