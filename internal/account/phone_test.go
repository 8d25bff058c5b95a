package account

import (
	"strings"
	"testing"

	"sharemall/internal/errs"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct {
		in, region, want string // want "" when refused
	}{
		{"13800138000", "CN", "+8613800138000"},
		{" 138 0013 8000 ", "CN", "+8613800138000"},
		{"138-0013-8000", "CN", "+8613800138000"},
		{"0086 138 0013 8000", "CN", "+8613800138000"},
		{"+86 138-0013-8000", "CN", "+8613800138000"},
		{"+86 138-0013-8000", "US", "+8613800138000"}, // a country code wins over the region
		{"+8613800138000", "HK", "+8613800138000"},
		{"010 6552 9988", "CN", "+861065529988"}, // a Beijing line, with the trunk 0
		{"9123 4567", "HK", "+85291234567"},
		{"(650) 253-0000", "US", "+16502530000"},
		{"+44 20 7946 0958", "CN", "+442079460958"},

		{"1380013800", "CN", ""}, // a digit short
		{"138001380001", "CN", ""},
		{"12345", "CN", ""},
		{"+0123456789", "CN", ""},
		{"+86 (138) 0013", "CN", ""},
		{"+86 138 abc", "CN", ""},
		{"13800138000 ext. 5", "CN", ""},
		{"", "CN", ""},
		{strings.Repeat("1", 40), "CN", ""},
		{"9123 4567", "CN", ""}, // a Hong Kong number is not one in CN
	} {
		got, err := NormalizePhone("phone", tc.in, tc.region)
		if tc.want == "" {
			if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "phone" {
				t.Errorf("%q in %s: got %q, %v; want refused naming phone", tc.in, tc.region, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q in %s: got %q, %v; want %q", tc.in, tc.region, got, err, tc.want)
		}
	}
}

func TestCheckPhoneRegion(t *testing.T) {
	for _, ok := range []string{"CN", "HK", "TW", "US", "GB"} {
		if err := CheckPhoneRegion("default_phone_region", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "cn", "XX", "CHN", "+86", "ZZ"} {
		if err := CheckPhoneRegion("default_phone_region", bad); errs.FieldOf(err) != "default_phone_region" {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

func TestDisplayPhone(t *testing.T) {
	for _, tc := range []struct{ in, region, want string }{
		{"+8613800138000", "CN", "138 0013 8000"},
		{"+85251234567", "CN", "+852 5123 4567"},
		{"+8613800138000", "HK", "+86 138 0013 8000"},
		{"not a number", "CN", "not a number"},
	} {
		if got := DisplayPhone(tc.in, tc.region); got != tc.want {
			t.Errorf("DisplayPhone(%q, %q) = %q, want %q", tc.in, tc.region, got, tc.want)
		}
	}
}
