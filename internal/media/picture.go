package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"runtime"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"sharemall/internal/errs"
)

// The sizes pages use: the product page shows Large (up to 1200 px on its
// longer side, sharp on a phone's 3× screen at 400 px wide), lists and
// grids show Thumb (600 px).
const (
	LargeSize = 1200
	ThumbSize = 600
	// MaxPixels refuses a picture before it is decoded: a small file may
	// declare a huge canvas (a "decompression bomb") that would take
	// gigabytes to decode.
	MaxPixels = 40_000_000
	// DefaultMaxBytes is the default upload limit (--media-max-mb).
	DefaultMaxBytes = 8 << 20
)

// decoding bounds the pictures decoded at once to the cores: more would
// not finish sooner, only hold more memory.
var decoding = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// Picture is an upload made ready to serve: re-encoded as JPEG (which
// drops EXIF and every other metadata, the camera's location included).
type Picture struct {
	Large, Thumb  []byte
	Width, Height int    // of Large
	Hash          string // 32 hex digits of the SHA-256 of Large: names it
}

type format struct {
	name         string
	decode       func(io.Reader) (image.Image, error)
	decodeConfig func(io.Reader) (image.Config, error)
}

var (
	formatJPEG = format{"JPEG", jpeg.Decode, jpeg.DecodeConfig}
	formatPNG  = format{"PNG", png.Decode, png.DecodeConfig}
	formatWebP = format{"WebP", webp.Decode, webp.DecodeConfig}
)

// sniff names the picture's format by its first bytes, whatever the file
// is called or the browser says it is.
func sniff(b []byte) (format, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return formatJPEG, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return formatWebP, true
	}
	return format{}, false
}

// Process reads one picture of at most maxBytes from r and makes its two
// sizes. Refusals are errs naming the field "image": too large (TooLarge),
// not a JPEG, PNG or WebP, over MaxPixels, or unreadable (Invalid).
func Process(r io.Reader, maxBytes int64) (*Picture, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	var tooBig *http.MaxBytesError
	if int64(len(b)) > maxBytes || errors.As(err, &tooBig) {
		return nil, TooLarge(maxBytes)
	}
	if err != nil { // the upload was cut short or is not well-formed multipart
		return nil, errs.Invalidf("image", "could not be read to its end: send it again")
	}
	if len(b) == 0 {
		return nil, errs.Invalidf("image", "is empty: choose a picture")
	}
	f, ok := sniff(b)
	if !ok {
		return nil, errs.Invalidf("image", "must be a JPEG, PNG or WebP picture")
	}
	cfg, err := f.decodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, errs.Invalidf("image", "could not be read as a %s picture", f.name)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errs.Invalidf("image", "has no pixels")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, errs.Invalidf("image", "is %d×%d pixels: at most %d megapixels", cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	decoding <- struct{}{} // a decoded 40 MP picture takes 160 MB: a few at a time
	defer func() { <-decoding }()
	src, err := f.decode(bytes.NewReader(b))
	if err != nil {
		return nil, errs.Invalidf("image", "could not be read as a %s picture", f.name)
	}
	large := scale(src, LargeSize)
	if f.name == formatJPEG.name {
		large = orient(large, exifOrientation(b))
	}
	thumb := large
	if max(large.Bounds().Dx(), large.Bounds().Dy()) > ThumbSize {
		thumb = scale(large, ThumbSize)
	}
	p := &Picture{Width: large.Bounds().Dx(), Height: large.Bounds().Dy()}
	if p.Large, err = encode(large, 85); err != nil {
		return nil, err
	}
	if p.Thumb, err = encode(thumb, 82); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(p.Large)
	p.Hash = hex.EncodeToString(sum[:16])
	return p, nil
}

// TooLarge is the refusal of a picture over maxBytes.
func TooLarge(maxBytes int64) error {
	if maxBytes >= 1<<20 && maxBytes%(1<<20) == 0 {
		return errs.E(errs.TooLarge, "image", "must be at most %d MB", maxBytes>>20)
	}
	return errs.E(errs.TooLarge, "image", "must be at most %d KB", maxBytes>>10)
}

// scale draws src on a white canvas (JPEG has no transparency) no larger
// than size on its longer side, keeping its proportions.
func scale(src image.Image, size int) *image.RGBA {
	sb := src.Bounds()
	w, h := sb.Dx(), sb.Dy()
	if w > size || h > size {
		if w >= h {
			w, h = size, max(1, (h*size+w/2)/w)
		} else {
			w, h = max(1, (w*size+h/2)/h), size
		}
	}
	if k := min(sb.Dx()/w, sb.Dy()/h); k >= 2 {
		src = shrink(src, k)
		sb = src.Bounds()
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	if w == sb.Dx() && h == sb.Dy() {
		draw.Draw(dst, dst.Bounds(), src, sb.Min, draw.Over)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, sb, draw.Over, nil)
	}
	return dst
}

func encode(m image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
