package payout

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sharemall/internal/errs"
)

func TestLuhn(t *testing.T) {
	for _, c := range []struct {
		n  string
		ok bool
	}{
		{"6222021234567890126", false}, {"4111111111111111", true}, {"6212261202011584349", false},
		{"79927398713", true}, {"79927398710", false}, {"6222600260001072444", true}, {"", false}, {"12a4", false},
	} {
		if got := Luhn(c.n); got != c.ok {
			t.Errorf("Luhn(%q) = %v, want %v", c.n, got, c.ok)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	for _, c := range []struct {
		d     Details
		field string
	}{
		{Details{}, "method"},
		{Details{Method: "paypal"}, "method"},
		{Details{Method: BankCard, HolderName: "张三", CardNumber: "4111111111111111"}, "bank"},
		{Details{Method: BankCard, Bank: "ICBC", CardNumber: "4111111111111111"}, "holder_name"},
		{Details{Method: BankCard, Bank: "ICBC", HolderName: "张三", CardNumber: "4111111111111112"}, "card_number"},
		{Details{Method: BankCard, Bank: "ICBC", HolderName: "张三", CardNumber: "41111111111"}, "card_number"},
		{Details{Method: BankCard, Bank: "ICBC", HolderName: "张三", CardNumber: "4111x11111111111"}, "card_number"},
		{Details{Method: BankCard, Bank: "ICBC", HolderName: strings.Repeat("名", MaxName+1), CardNumber: "4111111111111111"}, "holder_name"},
		{Details{Method: Alipay, AlipayAccount: "not an account", RealName: "张三"}, "alipay_account"},
		{Details{Method: Alipay, AlipayAccount: "13800138000"}, "real_name"},
		{Details{Method: WeChat, RealName: "张三"}, "openid"},
		{Details{Method: WeChat, OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", WeChatID: "zhangsan01", RealName: "张三"}, "openid"},
		{Details{Method: WeChat, WeChatID: "z s", RealName: "张三"}, "wechat_id"},
		{Details{Method: WeChat, WeChatID: "zhangsan01", RealName: "张\x00三"}, "real_name"},
	} {
		_, err := c.d.Validate()
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != c.field {
			t.Errorf("%+v: got %v, want invalid %s", c.d, err, c.field)
		}
	}
}

func TestValidateCleans(t *testing.T) {
	d, err := Details{Method: BankCard, Bank: " 中国工商银行 ", HolderName: "张三丰", CardNumber: "4111 1111-1111 1111",
		AlipayAccount: "leftover@example.com"}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if d.CardNumber != "4111111111111111" || d.Bank != "中国工商银行" || d.AlipayAccount != "" {
		t.Fatalf("cleaned = %+v", d)
	}
	m := d.Mask()
	if m.CardLast4 != "1111" || m.HolderName != "张**" || m.Bank != "中国工商银行" {
		t.Fatalf("masked = %+v", m)
	}
	b, _ := json.Marshal(m)
	if strings.Contains(string(b), "4111111111111111") || strings.Contains(string(b), "张三丰") {
		t.Fatalf("masked JSON shows the plaintext: %s", b)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"13800138000": "1*********0", "ab": "**", "a": "*", "zhang@example.com": "z***************m"} {
		if got := MaskAccount(in); got != want {
			t.Errorf("MaskAccount(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"张三": "张*", "张": "张*", "": "", "Ann Lee": "A******"} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	m := Details{Method: Alipay, AlipayAccount: "13800138000", RealName: "李四"}.Mask()
	if m.Account != "1*********0" || m.RealName != "李*" || m.String() != "alipay 1*********0 李*" {
		t.Fatalf("masked = %+v %q", m, m.String())
	}
}

func keyLine(t *testing.T, id string) string {
	t.Helper()
	l, err := NewKeyLine(id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSealOpenRotate(t *testing.T) {
	line1 := keyLine(t, "k1")
	old, err := ParseKeys([]byte(line1))
	if err != nil {
		t.Fatal(err)
	}
	d := Details{Method: Alipay, AlipayAccount: "13800138000", RealName: "李四"}
	s, err := old.Seal("distributor:7", d)
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID != "k1" || strings.Contains(s.Box, "13800138000") {
		t.Fatalf("sealed = %+v", s)
	}
	s2, _ := old.Seal("distributor:7", d)
	if s2.Box == s.Box {
		t.Fatal("two seals of the same details are equal: the nonce is not random")
	}
	if _, err := old.Open("distributor:8", s); err == nil {
		t.Fatal("details sealed for distributor 7 opened as distributor 8's")
	}
	box, _ := base64.StdEncoding.DecodeString(s.Box)
	box[len(box)-1] ^= 1
	if _, err := old.Open("distributor:7", Sealed{KeyID: "k1", Box: base64.StdEncoding.EncodeToString(box)}); err == nil {
		t.Fatal("an altered box opened")
	}

	// A new key appended: the newest seals, both open.
	both, err := ParseKeys([]byte("# keys\n" + line1 + "\n" + keyLine(t, "k2")))
	if err != nil {
		t.Fatal(err)
	}
	if both.Newest() != "k2" {
		t.Fatalf("newest = %s", both.Newest())
	}
	got, err := both.Open("distributor:7", s)
	if err != nil || got != d {
		t.Fatalf("open under the rotated ring = %+v, %v", got, err)
	}
	re, changed, err := both.Reseal("distributor:7", s)
	if err != nil || !changed || re.KeyID != "k2" {
		t.Fatalf("reseal = %+v %v %v", re, changed, err)
	}
	if _, changed, _ := both.Reseal("distributor:7", re); changed {
		t.Fatal("resealing a value under the newest key changed it")
	}
	if _, err := old.Open("distributor:7", re); err == nil {
		t.Fatal("a ring without k2 opened a k2 box")
	}
}

func TestParseKeysRefuses(t *testing.T) {
	for _, f := range []string{"", "# only a comment\n", "k1 c2hvcnQ=\n", "k1 a b\n", "not-base64!!\n",
		"a " + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\na " + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n"} {
		if _, err := ParseKeys([]byte(f)); err == nil {
			t.Errorf("ParseKeys(%q) accepted", f)
		}
	}
}

func TestEnsureKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "payout.keys")
	k, created, err := EnsureKeyFile(path)
	if err != nil || !created || k.Newest() != "k1" {
		t.Fatalf("first = %v %v %v", k, created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v", fi.Mode(), err)
	}
	s, _ := k.Seal("supplier:1", Details{Method: WeChat, WeChatID: "wxid_abcdef", RealName: "王五"})
	k2, created, err := EnsureKeyFile(path)
	if err != nil || created {
		t.Fatalf("second = %v %v", created, err)
	}
	if _, err := k2.Open("supplier:1", s); err != nil {
		t.Fatalf("the kept file does not open what the first sealed: %v", err)
	}
}
