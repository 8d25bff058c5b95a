package media

import (
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// shrink averages each k×k block of src into one pixel. Scaling a 12 MP
// photo straight to 1200 px with CatmullRom costs a second on one core,
// because its kernel widens with the ratio; averaging blocks first (a box
// filter, which also keeps the picture free of aliasing) leaves CatmullRom
// less than a halving to do. A camera's JPEG (YCbCr) is averaged plane by
// plane and converted once per output pixel.
func shrink(src image.Image, k int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if y, ok := src.(*image.YCbCr); ok {
		shrinkYCbCr(dst, y, k)
		return dst
	}
	if n, ok := src.(*image.NRGBA); ok { // most PNGs: averaged without a premultiplied copy of the whole picture
		shrinkNRGBA(dst, n, k)
		return dst
	}
	rgba, ok := src.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src) // premultiplied, so averages weigh by opacity
	}
	n := uint32(k * k)
	for oy := 0; oy < h; oy++ {
		for ox := 0; ox < w; ox++ {
			var s [4]uint32
			for y := oy * k; y < oy*k+k; y++ {
				row := rgba.Pix[rgba.PixOffset(rgba.Rect.Min.X+ox*k, rgba.Rect.Min.Y+y):]
				for x := 0; x < 4*k; x += 4 {
					s[0] += uint32(row[x])
					s[1] += uint32(row[x+1])
					s[2] += uint32(row[x+2])
					s[3] += uint32(row[x+3])
				}
			}
			d := dst.PixOffset(ox, oy)
			dst.Pix[d], dst.Pix[d+1], dst.Pix[d+2], dst.Pix[d+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), uint8(s[3]/n)
		}
	}
	return dst
}

func shrinkYCbCr(dst *image.RGBA, src *image.YCbCr, k int) {
	n := uint32(k * k)
	min := src.Rect.Min
	for oy := 0; oy < dst.Rect.Dy(); oy++ {
		for ox := 0; ox < dst.Rect.Dx(); ox++ {
			var sy, scb, scr uint32
			for y := min.Y + oy*k; y < min.Y+oy*k+k; y++ {
				yi := src.YOffset(min.X+ox*k, y)
				for x := min.X + ox*k; x < min.X+ox*k+k; x++ {
					sy += uint32(src.Y[yi])
					yi++
					ci := src.COffset(x, y)
					scb += uint32(src.Cb[ci])
					scr += uint32(src.Cr[ci])
				}
			}
			r, g, bl := color.YCbCrToRGB(uint8(sy/n), uint8(scb/n), uint8(scr/n))
			d := dst.PixOffset(ox, oy)
			dst.Pix[d], dst.Pix[d+1], dst.Pix[d+2], dst.Pix[d+3] = r, g, bl, 0xff
		}
	}
}

// shrinkNRGBA averages with each pixel weighed by its opacity (as the
// premultiplied RGBA that draw.Draw would make), one block at a time.
func shrinkNRGBA(dst *image.RGBA, src *image.NRGBA, k int) {
	n := uint32(k * k)
	min := src.Rect.Min
	for oy := 0; oy < dst.Rect.Dy(); oy++ {
		for ox := 0; ox < dst.Rect.Dx(); ox++ {
			var s [4]uint32
			for y := min.Y + oy*k; y < min.Y+oy*k+k; y++ {
				row := src.Pix[src.PixOffset(min.X+ox*k, y):]
				for x := 0; x < 4*k; x += 4 {
					a := uint32(row[x+3])
					s[0] += uint32(row[x]) * a / 255
					s[1] += uint32(row[x+1]) * a / 255
					s[2] += uint32(row[x+2]) * a / 255
					s[3] += a
				}
			}
			d := dst.PixOffset(ox, oy)
			dst.Pix[d], dst.Pix[d+1], dst.Pix[d+2], dst.Pix[d+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), uint8(s[3]/n)
		}
	}
}
