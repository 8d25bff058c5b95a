package account

import "testing"

func TestMaskedName(t *testing.T) {
	for _, tc := range []struct{ name, phone, email, want string }{
		{"张三丰", "+8613800138000", "z@example.com", "张**"},
		{"  Lin Wei ", "", "", "L**"},
		{"", "+8613800138000", "z@example.com", "***8000"},
		{"", "", "ann@example.com", "a***@example.com"},
		{"", "", "", "***"},
		{"", "", "@example.com", "***"},
	} {
		if got := MaskedName(tc.name, tc.phone, tc.email); got != tc.want {
			t.Errorf("MaskedName(%q, %q, %q) = %q, want %q", tc.name, tc.phone, tc.email, got, tc.want)
		}
	}
}
