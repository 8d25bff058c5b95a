package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"regexp"
	"testing"

	"sharemall/internal/errs"
)

// gradient is a w×h picture with colour in every direction, so a turn or
// a mirror shows in its corners.
func gradient(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = uint8(255*x/w), uint8(255*y/h), 90, 255
		}
	}
	return m
}

func jpegOf(t testing.TB, m image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, m image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decodeJPEG(t *testing.T, b []byte) image.Image {
	t.Helper()
	if _, ok := sniff(b); !ok || !bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}) {
		t.Fatalf("not a JPEG: % x", b[:4])
	}
	m, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestProcessSizes(t *testing.T) {
	for _, c := range []struct {
		name         string
		file         []byte
		lw, lh       int
		tw, th       int
		transparentx bool
	}{
		{"large landscape JPEG", jpegOf(t, gradient(2500, 1250)), 1200, 600, 600, 300, false},
		{"portrait PNG", pngOf(t, gradient(700, 1400)), 600, 1200, 300, 600, false},
		{"small PNG kept as is", pngOf(t, gradient(320, 200)), 320, 200, 320, 200, false},
		{"between the sizes", jpegOf(t, gradient(900, 900)), 900, 900, 600, 600, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Process(bytes.NewReader(c.file), DefaultMaxBytes)
			if err != nil {
				t.Fatal(err)
			}
			l, th := decodeJPEG(t, p.Large), decodeJPEG(t, p.Thumb)
			if l.Bounds().Dx() != c.lw || l.Bounds().Dy() != c.lh || p.Width != c.lw || p.Height != c.lh {
				t.Errorf("large %v (%d×%d), want %d×%d", l.Bounds(), p.Width, p.Height, c.lw, c.lh)
			}
			if th.Bounds().Dx() != c.tw || th.Bounds().Dy() != c.th {
				t.Errorf("thumb %v, want %d×%d", th.Bounds(), c.tw, c.th)
			}
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(p.Hash) {
				t.Errorf("hash %q", p.Hash)
			}
			again, err := Process(bytes.NewReader(c.file), DefaultMaxBytes)
			if err != nil || again.Hash != p.Hash || !bytes.Equal(again.Large, p.Large) {
				t.Errorf("not deterministic: %v", err)
			}
		})
	}
}

func TestProcessFlattensTransparencyOnWhite(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	m.Set(39, 39, color.NRGBA{200, 0, 0, 255})
	p, err := Process(bytes.NewReader(pngOf(t, m)), DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := decodeJPEG(t, p.Large).At(2, 2).RGBA()
	if r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
		t.Fatalf("a transparent pixel is %d,%d,%d, want white", r>>8, g>>8, b>>8)
	}
}

func TestProcessWebP(t *testing.T) {
	for _, f := range []string{"testdata/lossless.webp", "testdata/lossy.webp"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Process(bytes.NewReader(b), DefaultMaxBytes)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if m := decodeJPEG(t, p.Large); m.Bounds().Dx() != 64 || m.Bounds().Dy() != 48 {
			t.Fatalf("%s: %v", f, m.Bounds())
		}
	}
}

// withEXIFOrientation puts an EXIF block with the orientation tag o right
// after a JPEG's start marker, as a phone's camera does.
func withEXIFOrientation(j []byte, o uint16, order binary.ByteOrder) []byte {
	tiff := make([]byte, 8+2+12+4)
	if order == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	order.PutUint16(tiff[2:], 42)
	order.PutUint32(tiff[4:], 8)
	order.PutUint16(tiff[8:], 1)      // one entry
	order.PutUint16(tiff[10:], 0x112) // Orientation
	order.PutUint16(tiff[12:], 3)     // SHORT
	order.PutUint32(tiff[14:], 1)
	order.PutUint16(tiff[18:], o)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

func TestProcessTurnsByEXIFOrientationAndDropsIt(t *testing.T) {
	src := gradient(80, 40) // red grows along x, green along y
	for _, c := range []struct {
		o     uint16
		order binary.ByteOrder
		w, h  int
		// where the reddest corner ends up
		rx, ry int
	}{
		{1, binary.BigEndian, 80, 40, 79, 0},
		{3, binary.LittleEndian, 80, 40, 0, 39},
		{6, binary.BigEndian, 40, 80, 39, 79},
		{8, binary.LittleEndian, 40, 80, 0, 0},
		{2, binary.BigEndian, 80, 40, 0, 0},
	} {
		file := withEXIFOrientation(jpegOf(t, src), c.o, c.order)
		if got := exifOrientation(file); got != int(c.o) {
			t.Fatalf("orientation read %d, want %d", got, c.o)
		}
		p, err := Process(bytes.NewReader(file), DefaultMaxBytes)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(p.Large, []byte("Exif")) {
			t.Fatalf("orientation %d: EXIF kept", c.o)
		}
		m := decodeJPEG(t, p.Large)
		if m.Bounds().Dx() != c.w || m.Bounds().Dy() != c.h {
			t.Fatalf("orientation %d: %v, want %d×%d", c.o, m.Bounds(), c.w, c.h)
		}
		r, g, _, _ := m.At(c.rx, c.ry).RGBA()
		if r>>8 < 200 || g>>8 > 60 {
			t.Errorf("orientation %d: pixel (%d,%d) is r=%d g=%d, want the red corner", c.o, c.rx, c.ry, r>>8, g>>8)
		}
	}
}

// pngClaiming is a valid PNG whose header says it is w×h: DecodeConfig
// believes it, decoding would need w×h×4 bytes.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	b := pngOf(t, gradient(2, 2))
	// signature (8), length (4), "IHDR" (4), then width and height
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestProcessRefusals(t *testing.T) {
	var g bytes.Buffer
	if err := gif.Encode(&g, gradient(10, 10), nil); err != nil {
		t.Fatal(err)
	}
	big := jpegOf(t, gradient(200, 200))
	for _, c := range []struct {
		name string
		file []byte
		max  int64
		code errs.Code
		msg  string
	}{
		{"GIF", g.Bytes(), DefaultMaxBytes, errs.Invalid, "must be a JPEG, PNG or WebP picture"},
		{"text", []byte("hello, this is not a picture"), DefaultMaxBytes, errs.Invalid, "must be a JPEG, PNG or WebP picture"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), DefaultMaxBytes, errs.Invalid, "must be a JPEG, PNG or WebP picture"},
		{"empty", nil, DefaultMaxBytes, errs.Invalid, "is empty: choose a picture"},
		{"too large", big, int64(len(big) - 1), errs.TooLarge, ""},
		{"too large in MB", bytes.Repeat([]byte{0xff}, 1<<20+1), 1 << 20, errs.TooLarge, "must be at most 1 MB"},
		{"truncated JPEG", big[:len(big)/2], DefaultMaxBytes, errs.Invalid, "could not be read as a JPEG picture"},
		{"JPEG header only", []byte{0xff, 0xd8, 0xff, 0xe0}, DefaultMaxBytes, errs.Invalid, "could not be read as a JPEG picture"},
		{"50 megapixels", pngClaiming(t, 10000, 5000), DefaultMaxBytes, errs.Invalid, "is 10000×5000 pixels: at most 40 megapixels"},
		{"a billion pixels", pngClaiming(t, 40000, 40000), DefaultMaxBytes, errs.Invalid, "is 40000×40000 pixels: at most 40 megapixels"},
	} {
		_, err := Process(bytes.NewReader(c.file), c.max)
		if errs.CodeOf(err) != c.code || errs.FieldOf(err) != "image" {
			t.Errorf("%s: %v (code %s, field %q), want %s on image", c.name, err, errs.CodeOf(err), errs.FieldOf(err), c.code)
			continue
		}
		if c.msg != "" && errs.MessageOf(err) != c.msg {
			t.Errorf("%s: message %q, want %q", c.name, errs.MessageOf(err), c.msg)
		}
	}
}

// BenchmarkProcess12MP measures a phone camera's picture (4000×3000 JPEG)
// made into the two sizes.
func BenchmarkProcess12MP(b *testing.B) {
	file := jpegOf(b, gradient(4000, 3000))
	b.SetBytes(int64(len(file)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Process(bytes.NewReader(file), DefaultMaxBytes); err != nil {
			b.Fatal(err)
		}
	}
}
