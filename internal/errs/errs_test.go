package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestWrapKeepsCodeAndHidesInternals(t *testing.T) {
	base := Invalidf("email", "is not an email address")
	err := Wrap("api.signUp", Wrap("store.CreateAccount", base))
	if CodeOf(err) != Invalid || FieldOf(err) != "email" || MessageOf(err) != "is not an email address" {
		t.Fatalf("wrapped: %v", err)
	}
	if base.Op != "" {
		t.Fatal("Wrap mutated the original error")
	}
	if got := err.Error(); got != "api.signUp: store.CreateAccount: invalid email: is not an email address" {
		t.Fatalf("Error() = %q", got)
	}
	cause := fmt.Errorf("disk on fire")
	internal := Wrap("store.X", cause)
	if CodeOf(internal) != Internal || MessageOf(internal) != "internal error" || !errors.Is(internal, cause) {
		t.Fatalf("internal: %v", internal)
	}
	if Wrap("op", nil) != nil || CodeOf(nil) != "" || !Is(base, Invalid) || Is(nil, Invalid) {
		t.Fatal("nil handling")
	}
}
