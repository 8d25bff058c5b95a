package media

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

// TestShrinkAgreesAcrossTypes: a picture averaged from its NRGBA, its RGBA
// and (through the generic path) its Gray form gives the same pixels, and
// transparent pixels weigh nothing.
func TestShrinkAgreesAcrossTypes(t *testing.T) {
	n := image.NewNRGBA(image.Rect(0, 0, 9, 6))
	for y := 0; y < 6; y++ {
		for x := 0; x < 9; x++ {
			n.Set(x, y, color.NRGBA{uint8(25 * x), uint8(40 * y), 200, uint8(255 - 30*x)})
		}
	}
	n.Set(0, 0, color.NRGBA{255, 0, 0, 0}) // fully transparent red: must not tint
	rgba := image.NewRGBA(n.Bounds())
	draw.Draw(rgba, rgba.Bounds(), n, image.Point{}, draw.Src)
	a, b := shrink(n, 3), shrink(rgba, 3)
	if a.Bounds() != image.Rect(0, 0, 3, 2) || b.Bounds() != a.Bounds() {
		t.Fatalf("bounds %v %v", a.Bounds(), b.Bounds())
	}
	for i := range a.Pix {
		if d := int(a.Pix[i]) - int(b.Pix[i]); d < -1 || d > 1 {
			t.Fatalf("byte %d: NRGBA path %d, RGBA path %d", i, a.Pix[i], b.Pix[i])
		}
	}
	g := image.NewGray(image.Rect(10, 10, 16, 16)) // not at the origin
	for y := 10; y < 16; y++ {
		for x := 10; x < 16; x++ {
			g.SetGray(x, y, color.Gray{uint8(10 * x)})
		}
	}
	s := shrink(g, 2)
	if got := s.RGBAAt(0, 0); got.R != 105 || got.A != 255 {
		t.Fatalf("gray block average %v, want 105", got)
	}
}
